// The kernel's load order, to predict the patch's fate: insmod (vmlinux .klp.rela), then
// klp_enable_patch per object (sysfs entries, .klp.rela, lookups), then ftrace registration; the
// first message it would print, and what happens when a deferred module loads.
import type { KernelTable } from "../../lib/kernel-table.js";
import type { LivepatchTarget, LivepatchTargets } from "../../lib/livepatch/index.js";
import type { PatchPrediction, TargetVerdict } from "../../lib/report/verify-types.js";
import { objectProblem } from "./object-checks.js";

/** Where the kernel first refuses the patch, and with what message. */
interface Refusal {
  readonly kernelMessage: string;
  readonly at: string;
  readonly stage: PatchPrediction["stage"];
}

export function predict(
  verdicts: readonly TargetVerdict[],
  targets: LivepatchTargets,
  table: KernelTable,
  duplicates: ReadonlyMap<LivepatchTarget, { message: string }>,
): PatchPrediction {
  const deferred = targets.objects.filter((o) => !table.objects.has(o));
  const whenLoaded = deferredOutcomes(verdicts, deferred);
  const used = verdicts.filter((v) => v.target.used);
  const objectCount = Math.max(targets.objects.length, ...used.map((v) => v.target.objectIndex + 1));
  const refusal =
    loadRefusal(targets, used) ??
    enableRefusal(targets, table, used, duplicates, objectCount) ??
    ftraceRefusal(used, objectCount);
  if (refusal !== null) {
    const { kernelMessage, at, stage } = refusal;
    return { result: "refused", kernelMessage, at, stage, deferred, whenLoaded };
  }
  return { result: "accepted", kernelMessage: null, at: null, stage: null, deferred, whenLoaded };
}

/** What each deferred object's loading would print first (null: it loads cleanly). */
function deferredOutcomes(
  verdicts: readonly TargetVerdict[],
  deferred: readonly string[],
): PatchPrediction["whenLoaded"] {
  return deferred.flatMap((objname) => {
    const mine = verdicts.filter((v) => v.target.used && v.onLoad !== null && v.target.objname === objname);
    if (mine.length === 0) return [];
    // klp_module_coming → klp_init_object_loaded: .klp.rela references, then each function's lookup;
    // then klp_patch_object: ftrace registration
    const lookup = [
      ...mine.filter((v) => v.target.role === "reference"),
      ...mine.filter((v) => v.target.role === "function"),
    ].find((v) => v.onLoad!.outcome !== "resolved");
    const ftrace = mine.find(
      (v) =>
        v.target.role === "function" && v.onLoad!.outcome === "resolved" && v.onLoad!.kernelMessage !== null,
    );
    const first = lookup ?? ftrace;
    return [
      { objname, kernelMessage: first?.onLoad?.kernelMessage ?? null, at: first?.target.source ?? null },
    ];
  });
}

function failureOf(v: TargetVerdict): string | null {
  return v.outcome === "ambiguous" || v.outcome === "position-not-found" || v.outcome === "not-found"
    ? v.kernelMessage
    : null;
}

/** 1. insmod: vmlinux .klp.rela sections (kernel/module/main.c apply_relocations). */
function loadRefusal(targets: LivepatchTargets, used: readonly TargetVerdict[]): Refusal | null {
  for (const m of targets.kernelMessages)
    if (m.stage === "load") return { kernelMessage: m.message, at: "module", stage: "load" };
  for (const v of used) {
    if (v.target.stage !== "load") continue;
    const message = v.target.kernelMessage ?? failureOf(v);
    if (message !== null) return { kernelMessage: message, at: v.target.source, stage: "load" };
  }
  return null;
}

/**
 * 2. klp_enable_patch → klp_init_patch: per object, its functions' sysfs entries, then (when
 * loaded) its .klp.rela sections and each function's lookup and size.
 */
function enableRefusal(
  targets: LivepatchTargets,
  table: KernelTable,
  used: readonly TargetVerdict[],
  duplicates: ReadonlyMap<LivepatchTarget, { message: string }>,
  objectCount: number,
): Refusal | null {
  const refused = (kernelMessage: string, at: string): Refusal => ({ kernelMessage, at, stage: "resolve" });
  for (const m of targets.kernelMessages) if (m.stage === "enable") return refused(m.message, "module");
  for (let o = 0; o < objectCount; o++) {
    const inObject = used.filter((v) => v.target.objectIndex === o);
    const problem = objectProblem(targets, o);
    if (problem !== null) return refused(problem.message, `objs[${o}]`);
    for (const v of inObject) {
      if (v.target.role !== "function") continue;
      const dup = duplicates.get(v.target);
      if (dup !== undefined) return refused(dup.message, v.target.source);
      if (
        v.target.flags.some(
          (f) => f.code === "NAME_TOO_LONG" || f.code === "NO_NEW_FUNC" || f.code === "BAD_OLD_NAME",
        )
      ) {
        return refused("(no message: klp_enable_patch() returns -EINVAL)", v.target.source);
      }
    }
    const objname = targets.objects[o] ?? inObject[0]?.target.objname;
    if (objname === undefined || !table.objects.has(objname)) continue;
    for (const v of inObject) {
      if (v.target.role !== "reference" || v.target.stage !== "enable") continue;
      const message = v.target.kernelMessage ?? failureOf(v);
      if (message !== null) return refused(message, v.target.source);
    }
    for (const v of inObject) {
      if (v.target.role !== "function") continue;
      const message = failureOf(v);
      if (message !== null) return refused(message, v.target.source);
      // the size lookup of an absolute symbol fails in klp_init_object_loaded(), before ftrace
      if (v.kernelMessage !== null && v.flags.some((f) => f.code === "SIZE_LOOKUP_FAILED"))
        return refused(v.kernelMessage, v.target.source);
    }
  }
  return null;
}

/** 3. __klp_enable_patch → klp_patch_object: ftrace registration, object by object. */
function ftraceRefusal(used: readonly TargetVerdict[], objectCount: number): Refusal | null {
  for (let o = 0; o < objectCount; o++) {
    for (const v of used) {
      if (v.target.objectIndex !== o || v.target.role !== "function" || v.outcome !== "resolved") continue;
      if (v.kernelMessage !== null)
        return { kernelMessage: v.kernelMessage, at: v.target.source, stage: "ftrace" };
    }
  }
  return null;
}
