// The gcc clones of a name (`foo.isra.0`, `foo.constprop.2`, `foo.part.1`): when the kernel has
// only a clone, a livepatch must name the clone in full (old_name `foo.isra.0`), and `sympos foo`
// points at it instead of only saying nothing compares equal. `.cold` parts are left out: they are
// no function entry (ftrace cannot attach to them).
import type { KernelObject } from "../lib/kernel-table.js";
import { coldParent } from "../lib/symbol-name.js";
import { CLONE_BASE_INDEX } from "./candidates.js";

/** Positions of `obj`'s symbols that are clones of `name` (not the name itself, no `.cold`, no stubs). */
export function clonePositions(obj: KernelObject, name: string): number[] {
  const index = obj.indexBy(CLONE_BASE_INDEX);
  return (index.get(name) ?? []).filter((p) => coldParent(obj.nameAt(p)) === null);
}
