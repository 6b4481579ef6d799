// Reads a System.map: `nm -n` of vmlinux, address order = kallsyms order, no module symbols.
import { parseSymbolText, readTextBytes, type TextTableOptions } from "./kallsyms.js";
import type { KernelTable } from "./kernel-table.js";

export async function readSystemMap(path: string, opts: TextTableOptions = {}): Promise<KernelTable> {
  return parseSymbolText(await readTextBytes(path, opts.read), path, "system-map", opts);
}
