// The gcc clones of a name (`foo.isra.0`, `foo.constprop.2`, `foo.part.1`): when the kernel has
// only a clone, a livepatch must name the clone in full (old_name `foo.isra.0`), and `sympos foo`
// points at it instead of only saying nothing compares equal. `.cold` parts are left out: they are
// no function entry (ftrace cannot attach to them).
import type { KernelObject, NameIndex } from "../lib/kernel-table.js";
import { cloneBase, coldParent, isStubSymbol } from "../lib/symbol-name.js";

/** Each clone's name by the name it is a clone of. */
const CLONE_BASES: NameIndex = {
  key(n) {
    if (isStubSymbol(n) || coldParent(n) !== null) return null;
    const base = cloneBase(n);
    return base === n ? null : base;
  },
};

/** Positions of `obj`'s symbols that are clones of `name` (not the name itself, no `.cold`, no stubs). */
export function clonePositions(obj: KernelObject, name: string): number[] {
  const index = obj.indexBy(CLONE_BASES);
  return [...(index.get(name) ?? [])].filter((p) => obj.nameAt(p) !== name);
}
