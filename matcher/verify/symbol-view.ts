// Kernel symbols as the verify report shows and names them.
import type { KernelSymbol } from "../../lib/kernel-table.js";
import type { SymbolView } from "../../lib/report/verify-types.js";

export function view(s: KernelSymbol): SymbolView {
  return { name: s.name, type: s.type, address: s.address, position: s.position, line: s.line };
}
