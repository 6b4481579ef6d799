// Diffing two build trees: pairs every `*.o` by its path relative to each tree's root.
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { readElfFile } from "../elf/read-file.js";
import { InputError } from "../lib/input-error.js";
import { diffObjects, type TreeDiff } from "./diff.js";

/** Relative paths of every `*.o` under dir, sorted. */
export async function listObjects(dir: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOTDIR") throw new InputError(dir, "not a directory");
    throw error;
  }
  const found: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith(".o")) continue;
    const parent =
      (e as { parentPath?: string; path?: string }).parentPath ?? (e as { path?: string }).path ?? dir;
    found.push(relative(dir, join(parent, e.name)));
  }
  return found.sort();
}

export async function diffTrees(origDir: string, patchedDir: string): Promise<TreeDiff> {
  const [origList, patchedList] = await Promise.all([listObjects(origDir), listObjects(patchedDir)]);
  const patchedSet = new Set(patchedList);
  const origSet = new Set(origList);
  const pairs = [];
  for (const rel of origList) {
    if (!patchedSet.has(rel)) continue;
    const [o, p] = await Promise.all([readElfFile(join(origDir, rel)), readElfFile(join(patchedDir, rel))]);
    pairs.push(diffObjects(o, p));
  }
  return {
    pairs,
    onlyOrig: origList.filter((r) => !patchedSet.has(r)),
    onlyPatched: patchedList.filter((r) => !origSet.has(r)),
  };
}
