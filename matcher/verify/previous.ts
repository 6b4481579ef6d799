// verify --previous OLD.ko: a cumulative (atomic-replace) module replaces the one before it, and the
// kernel adds a nop for every function the old one patched that the new one lacks
// (kernel/livepatch/core.c klp_add_nops()): that fix is reverted on load. And klp_find_func()
// matches old_name and old_sympos (0 and 1 alike only since upstream 139560e8b973), so a function
// whose sympos moved between two patches of one kernel is another copy (and one of the two is wrong).
import type { Flag } from "../../lib/flags.js";
import { InputError } from "../../lib/input-error.js";
import type { LivepatchTarget } from "../../lib/livepatch/index.js";
import { raise, raiseAs } from "../../lib/report/flag-codes.js";
import { FIND_FUNC_FIX } from "./live-checks.js";

export interface PreviousFindings {
  readonly flags: Flag[];
  readonly notes: string[];
}

const fnKey = (t: Pick<LivepatchTarget, "objname" | "oldName">) => `${t.objname}:${t.oldName}`;
const pairKey = (t: LivepatchTarget) => `${fnKey(t)},${t.oldSympos}`;

/** Whether `--dropped D` names the target: `name`, `objname:name` or `objname:name,sympos`. */
function names(d: string, t: LivepatchTarget): boolean {
  return d === t.oldName || d === fnKey(t) || d === pairKey(t);
}

/** The previous module's functions against the new one's: what it no longer patches, what moved sympos. */
export function previousChecks(
  current: readonly LivepatchTarget[],
  previous: readonly LivepatchTarget[],
  previousPath: string,
  dropped: readonly string[],
): PreviousFindings {
  const flags: Flag[] = [];
  const fns = (list: readonly LivepatchTarget[]) => list.filter((t) => t.role === "function");
  const before = fns(previous);
  const now = fns(current);
  const had = new Set(before.map(pairKey));
  const has = new Set(now.map(pairKey));
  // a copy of the same name the previous module did not patch: the function whose sympos moved
  const moved = new Set<LivepatchTarget>();
  const used = new Set<string>();
  for (const old of before) {
    if (has.has(pairKey(old))) continue;
    const t = now.find((c) => fnKey(c) === fnKey(old) && !had.has(pairKey(c)) && !moved.has(c));
    if (t !== undefined) {
      moved.add(t);
      const movedText = `${fnKey(old)}: old_sympos ${t.oldSympos} here, ${old.oldSympos} in ${previousPath}: the sympos moved between two patches`;
      // 0 and 1 name one unique function; klp_find_func() matches them since upstream 139560e8b973 (FIND_FUNC_FIX)
      flags.push(
        t.oldSympos <= 1 && old.oldSympos <= 1
          ? raiseAs(
              "SYMPOS_DIFFERS_LOADED",
              "warning",
              `${movedText}; both name the one copy: ${FIND_FUNC_FIX}, so there this replace adds a nop of the same sysfs name (${t.oldName},1) and fails with -EEXIST`,
            )
          : raise("SYMPOS_DIFFERS_LOADED", `${movedText}: they name different copies of the name`),
      );
      continue;
    }
    const text = `${previousPath} patches ${pairKey(old)}, this module does not: replacing it adds a nop for it, and that fix is reverted on load`;
    const on = dropped.find((d) => names(d, old));
    if (on !== undefined) used.add(on);
    flags.push(
      on !== undefined
        ? raiseAs("REPLACE_REVERTS", "info", `${text} (--dropped ${on})`)
        : raise("REPLACE_REVERTS", `${text}; give --dropped ${pairKey(old)} if that is intended`),
    );
  }
  const unused = dropped.find((d) => !used.has(d));
  if (unused !== undefined) {
    throw InputError.usage(
      "--dropped",
      `${unused}: names no function ${previousPath} patches and this module does not`,
    );
  }
  return {
    flags,
    notes: [
      `--previous ${previousPath}: the ${before.length} function(s) it patches compared with this module's`,
    ],
  };
}
