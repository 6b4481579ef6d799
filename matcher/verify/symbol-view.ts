// Kernel symbols as the verify report shows and names them.
import { hex } from "../../elf/layout.js";
import type { KernelSymbol } from "../../lib/kernel-table.js";
import type { SymbolView } from "../../lib/report/verify-types.js";

export function view(s: KernelSymbol): SymbolView {
  return { name: s.name, type: s.type, address: s.address, position: s.position, line: s.line };
}

export function describe(s: KernelSymbol): string {
  const where =
    s.address !== null ? hex(s.address) : s.line !== null ? `line ${s.line}` : `#${s.position + 1}`;
  return `${where} ${s.type} ${s.name}`;
}
