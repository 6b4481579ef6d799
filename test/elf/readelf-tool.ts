// Runs binutils readelf (the reference the ELF reader is checked against) and lays our reading of a
// file out the same way.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { formatRelocations, formatSymbolTable } from "../../elf/readelf-format.js";
import type { ElfFile } from "../../elf/types.js";

export async function readelf(args: string[], path: string): Promise<string> {
  const result = await execa("readelf", [...args, path], { maxBuffer: 1 << 30, stripFinalNewline: false });
  return result.stdout;
}

/** Every symbol table of the file (section order), as readelf -sW prints them. */
export function ourSymbolTables(file: ElfFile): string {
  return file.sections
    .filter((s) => s.type === 2 || s.type === 11)
    .map((s) => formatSymbolTable(file, s))
    .join("");
}

export function ourRelocations(file: ElfFile): string {
  return formatRelocations(file);
}

let dir: string | undefined;

/** Writes bytes to a fresh file in a per-run temporary directory and returns its path. */
export function tempFile(name: string, bytes: Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), "klpmatch-elf-"));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The first differing line of two texts, for a readable failure message; null when equal. */
export function firstDifference(ours: string, theirs: string): string | null {
  if (ours === theirs) return null;
  const a = ours.split("\n");
  const b = theirs.split("\n");
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i < 0 ? Math.min(a.length, b.length) : i;
  return `line ${at + 1}:\n  ours:    ${JSON.stringify(a[at])}\n  readelf: ${JSON.stringify(b[at])}`;
}
