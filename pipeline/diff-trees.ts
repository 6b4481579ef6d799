// Diffing two build trees: pairs every kernel object by its path relative to each tree's root.
import { join } from "node:path";
import { readElfFile } from "../elf/read-file.js";
import { pairTreeObjects } from "../lib/input-files.js";
import type { FunctionExplanation, TreeDiff } from "../lib/report/diff-types.js";
import { diffObjects } from "../matcher/diff.js";
import { explainFunction } from "../matcher/explain.js";

export async function diffTrees(origDir: string, patchedDir: string): Promise<TreeDiff> {
  const { both, onlyOrig, onlyPatched } = await pairTreeObjects(origDir, patchedDir);
  const pairs = [];
  for (const rel of both) {
    const [o, p] = await Promise.all([readElfFile(join(origDir, rel)), readElfFile(join(patchedDir, rel))]);
    pairs.push(diffObjects(o, p));
  }
  return { pairs, onlyOrig, onlyPatched };
}

/** One function of two build trees explained, and the pair of objects it was found in. */
export interface TreeExplanation {
  readonly explanation: FunctionExplanation;
  /** The objects' path relative to each tree's root. */
  readonly path: string;
  readonly orig: string;
  readonly patched: string;
}

/**
 * `name` explained in the first object pair (in path order) whose diff changes, adds or deletes a
 * function of that name; null when no pair does.
 */
export async function explainInTrees(
  origDir: string,
  patchedDir: string,
  name: string,
): Promise<TreeExplanation | null> {
  const { both } = await pairTreeObjects(origDir, patchedDir);
  for (const rel of both) {
    const orig = join(origDir, rel);
    const patched = join(patchedDir, rel);
    const [o, p] = await Promise.all([readElfFile(orig), readElfFile(patched)]);
    const explanation = explainFunction(o, p, name);
    if (explanation && explanation.status !== "unchanged") return { explanation, path: rel, orig, patched };
  }
  return null;
}
