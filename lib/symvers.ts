// Module.symvers: the kernel build's list of exported symbols, one per line:
// `<crc>\t<symbol>\t<module or vmlinux>\t<EXPORT_SYMBOL[_GPL]>[\t<namespace>]` (scripts/mod/modpost.c).

import { InputError } from "./input-error.js";
import { readInputText } from "./input-files.js";

export interface SymversEntry {
  readonly name: string;
  /** "vmlinux" or the module's path without `.ko` as modpost wrote it. */
  readonly module: string;
  readonly exportType: string;
}

export interface Symvers {
  readonly path: string;
  readonly entries: ReadonlyMap<string, SymversEntry>;
  isExported(name: string): boolean;
}

export function parseSymvers(text: string, path: string): Symvers {
  const entries = new Map<string, SymversEntry>();
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const fields = line.split("\t");
    if (fields.length < 4 || !/^0x[0-9a-fA-F]+$/.test(fields[0]!) || fields[1] === "") {
      throw new InputError(
        path,
        `line ${i + 1}: not a Module.symvers line (crc, symbol, module, export type)`,
      );
    }
    entries.set(fields[1]!, { name: fields[1]!, module: fields[2]!, exportType: fields[3]! });
  });
  // modpost lists every export of vmlinux: an empty file is not the build's Module.symvers
  if (entries.size === 0)
    throw new InputError(path, "is empty: a kernel build's Module.symvers lists its exports");
  return { path, entries, isExported: (name) => entries.has(name) };
}

export async function readSymvers(path: string): Promise<Symvers> {
  return parseSymvers(await readInputText(path), path);
}
