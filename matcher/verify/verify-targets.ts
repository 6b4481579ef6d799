// Verification of a livepatch's targets against a kernel's symbols before loading it: what the
// livepatch core (kernel/livepatch/core.c) and ftrace would do with each (objname, old_name,
// old_sympos), and the first message the kernel would print for the patch as a whole.
import type { Flag } from "../../lib/flags.js";
import { type KernelTable, VMLINUX } from "../../lib/kernel-table.js";
import type { ExpectedTarget, LivepatchTargets } from "../../lib/livepatch/index.js";
import { raise, raiseAs } from "../../lib/report/flag-codes.js";
import type { VerifyResult } from "../../lib/report/verify-types.js";
import type { RuleChoice } from "../../lib/rules.js";
import type { ModuleFileFacts } from "./module-file.js";
import { duplicateFlags, objectProblem } from "./object-checks.js";
import { predict } from "./predict.js";
import { type Context, verifyTarget } from "./target.js";
import type { VmlinuxCallSites } from "./vmlinux-call-sites.js";

export interface VerifyOptions {
  readonly table: KernelTable;
  readonly choice: RuleChoice;
  /** Facts of target modules' .ko files (--module-file). */
  readonly modules?: readonly ModuleFileFacts[];
  /** Targets a match report expects (--expect). */
  readonly expected?: readonly ExpectedTarget[];
  /** ftrace call sites of the kernel's vmlinux (--vmlinux). */
  readonly vmlinuxCalls?: VmlinuxCallSites | null;
}

/** Checks every target as the kernel would, and predicts the patch's fate. */
export function verifyTargets(targets: LivepatchTargets, opts: VerifyOptions): VerifyResult {
  const modules = new Map<string, ModuleFileFacts>();
  for (const m of opts.modules ?? []) modules.set(m.objname, m);
  const flags: Flag[] = [...targets.flags];
  const notes: string[] = [...targets.notes, ...opts.table.notes];
  const moduleMatchesLoaded = new Map<string, boolean>();
  for (const m of modules.values()) {
    const loaded = opts.table.objects.get(m.objname);
    if (loaded === undefined) continue;
    const same = loaded.count === m.core.length && m.core.every((e, i) => loaded.nameAt(i) === e.name);
    moduleMatchesLoaded.set(m.objname, same);
    if (!same) {
      flags.push(
        raise(
          "MODULE_FILE_MISMATCH",
          `${m.path}: its symbols (${m.core.length} kept after init) differ from the loaded ${m.objname} in ${opts.table.source.path} (${loaded.count}): not the module that is loaded; its call sites are not used`,
        ),
      );
    }
  }
  targets.objects.forEach((_, o) => {
    const problem = objectProblem(targets, o);
    if (problem !== null) flags.push(problem.flag);
  });
  // module symbols always compare exactly: the assumed rule matters only for vmlinux targets
  if (opts.choice.assumed && targets.targets.some((t) => t.objname === VMLINUX)) {
    flags.push(raise("LTO_RULE_ASSUMED", opts.choice.why));
  }
  if (opts.table.addressesHidden) {
    flags.push(
      raiseAs(
        "HIDDEN_ADDRESSES",
        "info",
        `${opts.table.source.path} hides addresses (kptr_restrict): positions are checked, addresses and text ranges are not`,
      ),
    );
  }
  const ctx: Context = {
    table: opts.table,
    choice: opts.choice,
    modules,
    moduleMatchesLoaded,
    expected: opts.expected ?? null,
    vmlinuxCalls: opts.vmlinuxCalls ?? null,
  };
  const duplicates = duplicateFlags(targets.targets, targets.moduleName);
  const verdicts = targets.targets.map((t) => {
    const v = verifyTarget(ctx, t);
    const dup = duplicates.get(t);
    return dup === undefined
      ? v
      : { ...v, flags: [...v.flags, dup.flag], kernelMessage: v.kernelMessage ?? dup.message };
  });
  if (opts.expected !== undefined) {
    for (const e of opts.expected) {
      if (
        !targets.targets.some((t) => t.role === e.role && t.objname === e.objname && t.oldName === e.oldName)
      ) {
        flags.push(
          raise(
            "EXPECT_UNCOVERED",
            `${e.source}: ${e.role} ${e.objname}:${e.oldName},${e.oldSympos} is expected but no target names it`,
          ),
        );
      }
    }
  }
  const patch = predict(verdicts, targets, opts.table, duplicates);
  for (const o of patch.deferred) notes.push(`${o} is not loaded: its targets are resolved when it loads`);
  return { rule: opts.choice, verdicts, patch, flags, notes };
}
