// Every ELF object of the shared corpus (by magic, not by name), and the compressed modules.

import { execFileSync } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { corpusPath } from "../corpus.js";

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function startsWith(path: string, magic: number[]): boolean {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(magic.length);
    const n = readSync(fd, head, 0, magic.length, 0);
    return n === magic.length && magic.every((b, i) => head[i] === b);
  } finally {
    closeSync(fd);
  }
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

export interface CorpusElf {
  /** Absolute path. */
  path: string;
  /** Path relative to the corpus root, for test names. */
  name: string;
  compressed: boolean;
}

function holdsElf(path: string): boolean {
  const data = startsWith(path, [0x1f, 0x8b])
    ? gunzipSync(readFileSync(path))
    : execFileSync(startsWith(path, [0x28, 0xb5, 0x2f, 0xfd]) ? "zstd" : "xz", ["-dc", path], {
        maxBuffer: 1 << 30,
      });
  return ELF_MAGIC.every((b, i) => data[i] === b);
}

/** All ELF files (plain or xz/zstd/gzip-compressed) under the corpus, sorted. */
export function corpusElfFiles(): CorpusElf[] {
  const root = corpusPath();
  const all: string[] = [];
  walk(root, all);
  const result: CorpusElf[] = [];
  for (const path of all.sort()) {
    const plain = startsWith(path, ELF_MAGIC);
    // a compressed file counts only when it holds an ELF file (the corpus has a gzip'd initramfs too)
    const compressed =
      !plain &&
      (startsWith(path, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) ||
        startsWith(path, [0x28, 0xb5, 0x2f, 0xfd]) ||
        startsWith(path, [0x1f, 0x8b])) &&
      holdsElf(path);
    if (plain || compressed) result.push({ path, name: relative(root, path), compressed });
  }
  return result;
}
