// The target object's symbols in address order (a module's sorted by address), or in kallsyms
// order when its addresses are hidden.
import type { KernelObject } from "../../lib/kernel-table.js";
import { VMLINUX } from "../../lib/kernel-table.js";

export interface TargetView {
  readonly obj: KernelObject;
  /** True when addresses are unknown: order is kallsyms order, sizes can't be checked. */
  readonly hidden: boolean;
  /**
   * A module without addresses is seen in its symtab order, where ld puts each input file's
   * locals together (code and data mixed) and all globals after them (ELF: locals first).
   */
  readonly symtabOrder: boolean;
  readonly count: number;
  positionAt(rank: number): number;
  rankOf(position: number): number;
  addressAt(position: number): bigint | null;
}

/**
 * vmlinux's kallsyms order is address order already; a module's is its symtab order, so its
 * symbols are sorted by address here (symtab order stays the fallback when addresses are hidden).
 */
export function targetView(obj: KernelObject): TargetView {
  const first = obj.count > 0 ? obj.at(0).address : null;
  const hidden = obj.count === 0 || (first === null && obj.at(obj.count - 1).address === null);
  const addressAt = (p: number) => obj.at(p).address;
  if (obj.objname === VMLINUX || hidden) {
    const symtabOrder = hidden && obj.objname !== VMLINUX;
    return { obj, hidden, symtabOrder, count: obj.count, positionAt: (r) => r, rankOf: (p) => p, addressAt };
  }
  const addresses = Array.from({ length: obj.count }, (_, p) => obj.at(p).address ?? 0n);
  const order = Array.from({ length: obj.count }, (_, p) => p).sort((a, b) => {
    const d = addresses[a]! - addresses[b]!;
    return d < 0n ? -1 : d > 0n ? 1 : a - b;
  });
  const rank = new Int32Array(obj.count);
  order.forEach((p, r) => {
    rank[p] = r;
  });
  return {
    obj,
    hidden,
    symtabOrder: false,
    count: obj.count,
    positionAt: (r) => order[r]!,
    rankOf: (p) => rank[p]!,
    addressAt: (p) => addresses[p] ?? null,
  };
}
