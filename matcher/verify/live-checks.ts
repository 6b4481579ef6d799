// Checks of a livepatch against the livepatches a running kernel has loaded
// (/sys/kernel/livepatch): which loaded patch already replaces each target (stacking), what an
// atomic-replace patch reverts, a transition in progress, and old_sympos 0 against 1 between
// patches. Pure functions over data read elsewhere (lib/live).
import type { Flag } from "../../lib/flags.js";
import type { KernelTable } from "../../lib/kernel-table.js";
import type { LoadedFunc, LoadedPatch } from "../../lib/live/livepatch-sysfs.js";
import type { LivepatchTarget, LivepatchTargets } from "../../lib/livepatch/index.js";
import { raise, raiseAs } from "../../lib/report/flag-codes.js";
import type { TargetVerdict } from "../../lib/report/verify-types.js";
import type { LookupRule } from "../../lib/rules.js";
import { resolve } from "../sympos.js";

/** A loaded patch's function with what is known of it. */
export interface LoadedFuncRef {
  readonly patch: LoadedPatch;
  readonly objname: string;
  readonly func: LoadedFunc;
  /** Its exact old_sympos when the loaded patch's own .ko was read, else null (sysfs shows 0 as 1). */
  readonly exactSympos: number | null;
}

export interface LoadedPatchesInput {
  readonly loaded: readonly LoadedPatch[];
  /** Exact old_sympos of loaded functions, keyed `patch\0objname\0name\0sysfsSympos`, from their .ko files. */
  readonly exact: ReadonlyMap<string, number>;
  /** The new patch's klp_patch.replace (null: not known statically). */
  readonly replace: boolean | null;
  readonly allowRevert: boolean;
  readonly table: KernelTable;
  readonly rule: LookupRule;
}

/** What the loaded patches mean for the new one. */
export interface LoadedPatchFindings {
  readonly flags: Flag[];
  readonly targetFlags: Map<LivepatchTarget, Flag[]>;
  /** A refusal the loaded patches cause (sysfs duplicate from a nop, a transition in progress). */
  readonly refusals: { readonly message: string; readonly at: string; readonly kind: "duplicate" | "busy" }[];
  readonly notes: string[];
  /** Targets whose function another loaded patch already patches: ftrace's record is taken then. */
  readonly stacked: Set<LivepatchTarget>;
}

export const exactKey = (patch: string, objname: string, name: string, sysfsSympos: number) =>
  `${patch}\u0000${objname}\u0000${name}\u0000${sysfsSympos}`;

/** Enabled loaded functions with their exact sympos where known. */
function loadedFuncs(input: LoadedPatchesInput): LoadedFuncRef[] {
  return input.loaded
    .filter((p) => p.enabled !== false)
    .flatMap((patch) =>
      patch.objects.flatMap((o) =>
        o.funcs.map((func) => ({
          patch,
          objname: o.objname,
          func,
          exactSympos: input.exact.get(exactKey(patch.name, o.objname, func.name, func.sysfsSympos)) ?? null,
        })),
      ),
    );
}

/** Position of the symbol a (name, sympos) reaches now, or null (object not loaded, no match). */
function positionOf(input: LoadedPatchesInput, objname: string, name: string, sympos: number): number | null {
  const r = resolve(input.table, objname, name, sympos, input.rule);
  return r.ok ? r.symbol.position : null;
}

/** Does the loaded function patch the same function as the target? By symbol when loaded, else by name. */
function sameFunction(
  input: LoadedPatchesInput,
  t: LivepatchTarget,
  v: TargetVerdict | undefined,
  f: LoadedFuncRef,
) {
  if (f.objname !== t.objname || f.func.name !== t.oldName) return false;
  const mine = v?.symbol?.position ?? null;
  const theirs = positionOf(input, f.objname, f.func.name, f.func.sysfsSympos);
  if (mine !== null && theirs !== null) return mine === theirs;
  return (t.oldSympos === 0 ? 1 : t.oldSympos) === f.func.sysfsSympos;
}

const funcName = (f: LoadedFuncRef) => `${f.patch.name}'s ${f.objname}:${f.func.name},${f.func.sysfsSympos}`;

/** Every check of the new patch against the loaded ones. */
export function checkLoadedPatches(
  targets: LivepatchTargets,
  verdicts: readonly TargetVerdict[],
  input: LoadedPatchesInput,
): LoadedPatchFindings {
  const out: LoadedPatchFindings = {
    flags: [],
    targetFlags: new Map(),
    refusals: [],
    notes: [],
    stacked: new Set(),
  };
  const funcs = loadedFuncs(input);
  const patchName = targets.moduleName ?? "<patch>";
  transitionCheck(input.loaded, out);
  if (input.loaded.length === 0) out.notes.push("no livepatch is loaded: nothing to stack on or replace");
  const covered = new Set<LoadedFuncRef>();
  for (const t of targets.targets) {
    if (t.role !== "function") continue;
    const v = verdicts.find((x) => x.target === t);
    const same = funcs.filter((f) => sameFunction(input, t, v, f));
    for (const f of same) covered.add(f);
    if (same.length === 0) continue;
    const flags: Flag[] = [];
    out.stacked.add(t);
    flags.push(stackFlag(same, input.replace === true));
    const dup = symposFlag(t, same, input.replace === true, patchName);
    if (dup !== null) {
      flags.push(dup.flag);
      if (dup.refusal !== null) out.refusals.push({ message: dup.refusal, at: t.source, kind: "duplicate" });
    }
    out.targetFlags.set(t, flags);
  }
  if (input.replace === true) revertCheck(funcs, covered, input.allowRevert, patchName, out);
  else if (input.replace === null && funcs.length > 0) {
    out.notes.push(
      "klp_patch.replace of this module is not known statically (no static klp_patch): what an atomic replace would revert is not checked",
    );
  }
  return out;
}

function transitionCheck(loaded: readonly LoadedPatch[], out: LoadedPatchFindings): void {
  for (const p of loaded) {
    if (p.transition !== true) continue;
    // kernel/livepatch/core.c __klp_enable_patch(): klp_transition_patch set → -EBUSY, no message
    const message = `(no message: klp_enable_patch() returns -EBUSY while '${p.name}' is in transition)`;
    out.flags.push(
      raise(
        "TRANSITION_IN_PROGRESS",
        `${p.path}/transition is 1: '${p.name}' is still ${p.enabled === false ? "unpatching" : "patching"} (a task has not switched yet); no patch can be enabled until it completes: ${message}`,
      ),
    );
    out.refusals.push({ message, at: p.path, kind: "busy" });
  }
}

function stackFlag(same: readonly LoadedFuncRef[], replace: boolean): Flag {
  const names = same.map(funcName).join(", ");
  const top = same[same.length - 1]!;
  return raiseAs(
    "STACKED",
    "info",
    replace
      ? `already patched by ${names}: this patch replaces them (klp_patch.replace), its function runs instead once its transition completes`
      : `already patched by ${names}: this patch's function goes on top of the function's stack and is the one that runs (over ${top.patch.name}'s, which runs again if this patch is disabled)`,
  );
}

/**
 * klp_find_func() (kernel/livepatch/core.c) matches a loaded function by old_name and old_sympos.
 * It compared old_sympos exactly until upstream commit 139560e8b973 ("livepatch: Match old_sympos 0
 * and 1 in klp_find_func()", taken by stable kernels: Debian's 6.12.118 source has it); before it, 0
 * and 1 are different functions there, and an atomic replace adds a nop for the loaded one whose
 * sysfs entry is `name,1` again: klp_init_func() fails with -EEXIST. Which a kernel has is not in
 * its release string, so this is a warning that states both outcomes, never a predicted refusal.
 */
export const FIND_FUNC_FIX =
  'kernels with upstream commit 139560e8b973 ("livepatch: Match old_sympos 0 and 1 in klp_find_func()", in stable kernels such as Debian\'s 6.12.118) treat 0 and 1 as one function; older ones compare old_sympos exactly';

function symposFlag(
  t: LivepatchTarget,
  same: readonly LoadedFuncRef[],
  replace: boolean,
  patchName: string,
): { flag: Flag; refusal: string | null } | null {
  for (const f of same) {
    const entry = `${t.oldName},${t.oldSympos === 0 ? 1 : t.oldSympos}`;
    const message = `sysfs: cannot create duplicate filename '/kernel/livepatch/${patchName}/${t.objname}/${entry}'`;
    if (f.exactSympos !== null && f.exactSympos !== t.oldSympos) {
      const text = `old_sympos ${t.oldSympos} names the function ${funcName(f)} patches with old_sympos ${f.exactSympos}: ${FIND_FUNC_FIX}`;
      const outcome = replace
        ? `; on an older kernel the atomic replace adds a nop for ${f.patch.name}'s, named ${entry} too, and fails with "${message}": use old_sympos ${f.exactSympos}`
        : `; this patch stacks by address and loads, but on an older kernel a later cumulative patch cannot match both`;
      return { flag: raiseAs("SYMPOS_DIFFERS_LOADED", "warning", text + outcome), refusal: null };
    }
    if (f.exactSympos === null && replace && f.func.sysfsSympos === 1 && t.oldSympos <= 1) {
      return {
        flag: raiseAs(
          "SYMPOS_DIFFERS_LOADED",
          "warning",
          `${funcName(f)}: sysfs names old_sympos 0 and 1 both ',1', and ${f.patch.name}'s .ko was not found to tell which it used; ${FIND_FUNC_FIX} — there, if it is not ${t.oldSympos}, the atomic replace adds a nop named ${entry} too and fails with "${message}"`,
        ),
        refusal: null,
      };
    }
  }
  return null;
}

function revertCheck(
  funcs: readonly LoadedFuncRef[],
  covered: ReadonlySet<LoadedFuncRef>,
  allowRevert: boolean,
  patchName: string,
  out: LoadedPatchFindings,
): void {
  const replaced = [...new Set(funcs.map((f) => f.patch.name))];
  if (replaced.length > 0) {
    out.notes.push(
      `${patchName} sets klp_patch.replace: loading it disables and replaces ${replaced.join(", ")}`,
    );
  }
  const reverted = funcs.filter((f) => !covered.has(f));
  if (reverted.length === 0) return;
  // kernel/livepatch/core.c klp_add_nops(): a nop function for each loaded one the new patch lacks
  const list = reverted.map(funcName).join(", ");
  const text = `${patchName} replaces every loaded patch (klp_patch.replace = true) but does not patch ${list}: the kernel adds nop functions for them, so those fixes are reverted to the original code on load`;
  out.flags.push(
    allowRevert
      ? raiseAs("REPLACE_REVERTS", "info", `${text} (--allow-revert)`)
      : raise("REPLACE_REVERTS", `${text}; give --allow-revert if that is intended`),
  );
}
