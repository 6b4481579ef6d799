// Diffing two build trees: pairs every kernel object by its path relative to each tree's root.
import { join } from "node:path";
import { readElfFile } from "../elf/read-file.js";
import { pairTreeObjects } from "../lib/input-files.js";
import { diffObjects, type TreeDiff } from "./diff.js";

export async function diffTrees(origDir: string, patchedDir: string): Promise<TreeDiff> {
  const { both, onlyOrig, onlyPatched } = await pairTreeObjects(origDir, patchedDir);
  const pairs = [];
  for (const rel of both) {
    const [o, p] = await Promise.all([readElfFile(join(origDir, rel)), readElfFile(join(patchedDir, rel))]);
    pairs.push(diffObjects(o, p));
  }
  return { pairs, onlyOrig, onlyPatched };
}
