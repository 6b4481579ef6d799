// What klp_init_object()/klp_init_func() refuse before any lookup: an object name too long or
// given twice, two functions that get the same sysfs entry.
import type { Flag } from "../../lib/flags.js";
import { VMLINUX } from "../../lib/kernel-table.js";
import type { LivepatchTarget, LivepatchTargets } from "../../lib/livepatch/index.js";
import { raise } from "../../lib/report/flag-codes.js";

// include/linux/module.h: MODULE_NAME_LEN = 64 - sizeof(unsigned long) (56 on 64-bit kernels)
const MODULE_NAME_LEN = 56;

/**
 * What klp_init_object() refuses before its functions: a module name of MODULE_NAME_LEN or more
 * (-EINVAL, no message), or a second object of the same name (its sysfs directory exists).
 */
export function objectProblem(targets: LivepatchTargets, o: number): { flag: Flag; message: string } | null {
  const objname = targets.objects[o];
  if (objname === undefined) return null;
  if (objname !== VMLINUX && objname.length >= MODULE_NAME_LEN) {
    return {
      message: "(no message: klp_enable_patch() returns -EINVAL)",
      flag: raise(
        "OBJNAME_TOO_LONG",
        `objs[${o}].name '${objname}' has ${objname.length} characters: klp_init_object() refuses module names of ${MODULE_NAME_LEN} or more`,
      ),
    };
  }
  if (targets.objects.indexOf(objname) < o) {
    const message = `sysfs: cannot create duplicate filename '/kernel/livepatch/${targets.moduleName ?? "<patch>"}/${objname}'`;
    return {
      message,
      flag: raise(
        "DUPLICATE_OBJECT",
        `objs[${o}] names '${objname}' again: klp_init_object() fails with -EEXIST ("${message}")`,
      ),
    };
  }
  return null;
}

/** sysfs names each function `<old_name>,<old_sympos or 1>` (klp_init_func), so 0 and 1 collide. */
export function duplicateFlags(
  targets: readonly LivepatchTarget[],
  moduleName: string | null,
): Map<LivepatchTarget, { flag: Flag; message: string }> {
  const seen = new Map<string, LivepatchTarget>();
  const out = new Map<LivepatchTarget, { flag: Flag; message: string }>();
  for (const t of targets) {
    if (t.role !== "function") continue;
    const entry = `${t.oldName},${t.oldSympos === 0 ? 1 : t.oldSympos}`;
    const key = `${t.objname}\u0000${entry}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, t);
      continue;
    }
    const message = `sysfs: cannot create duplicate filename '/kernel/livepatch/${moduleName ?? "<patch>"}/${t.objname}/${entry}'`;
    out.set(t, {
      message,
      flag: raise(
        "DUPLICATE_TARGET",
        `${t.source} names the same function as ${first.source} (sysfs entry ${entry}): klp_init_func() fails with -EEXIST ("${message}")`,
      ),
    });
  }
  return out;
}
