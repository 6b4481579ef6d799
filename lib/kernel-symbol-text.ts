// How a kernel symbol is named in messages: its type, name and place (address, else the line of
// its table, else its 1-based position), for match's evidence and verify's checks alike.
import { hex } from "../elf/layout.js";
import type { KernelSymbol } from "./kernel-table.js";

/** `0xffffffff81001000`; `line 12` or `#3` (1-based) when the table has no addresses. */
export function symbolPlace(s: KernelSymbol): string {
  return s.address !== null ? hex(s.address) : s.line !== null ? `line ${s.line}` : `#${s.position + 1}`;
}

/** `t helper at 0xffffffff81001000`: a symbol in a sentence. */
export function describe(s: KernelSymbol): string {
  return `${s.type} ${s.name} at ${symbolPlace(s)}`;
}

/** `0xffffffff81001000 t helper`: a symbol as verify lists it, in the order of its table's row. */
export function symbolRow(s: KernelSymbol): string {
  return `${symbolPlace(s)} ${s.type} ${s.name}`;
}
