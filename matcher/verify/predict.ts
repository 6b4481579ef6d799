// The kernel's load order, to predict the patch's fate: insmod (vmlinux .klp.rela), then
// klp_enable_patch per object (sysfs entries, .klp.rela, lookups), then ftrace registration; the
// first message it would print, and what happens when a deferred module loads.
import type { KernelTable } from "../../lib/kernel-table.js";
import type { LivepatchTarget, LivepatchTargets } from "../../lib/livepatch/index.js";
import type { PatchPrediction, TargetVerdict } from "../../lib/report/verify-types.js";
import { objectProblem } from "./object-checks.js";
import { SIZE_LOOKUP } from "./refusal.js";

export function predict(
  verdicts: readonly TargetVerdict[],
  targets: LivepatchTargets,
  table: KernelTable,
  duplicates: ReadonlyMap<LivepatchTarget, { message: string }>,
): PatchPrediction {
  const deferred = targets.objects.filter((o) => !table.objects.has(o));
  const whenLoaded = deferred.flatMap((objname) => {
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
  const refused = (kernelMessage: string, at: string, stage: PatchPrediction["stage"]): PatchPrediction => ({
    result: "refused",
    kernelMessage,
    at,
    stage,
    deferred,
    whenLoaded,
  });
  const failureOf = (v: TargetVerdict): string | null =>
    v.outcome === "ambiguous" || v.outcome === "position-not-found" || v.outcome === "not-found"
      ? v.kernelMessage
      : null;
  const used = verdicts.filter((v) => v.target.used);
  // 1. insmod: vmlinux .klp.rela sections (kernel/module/main.c apply_relocations)
  for (const m of targets.kernelMessages) if (m.stage === "load") return refused(m.message, "module", "load");
  for (const v of used) {
    if (v.target.stage !== "load") continue;
    const message = v.target.kernelMessage ?? failureOf(v);
    if (message !== null) return refused(message, v.target.source, "load");
  }
  // 2. klp_enable_patch → klp_init_patch: per object, its functions' sysfs entries, then (when loaded)
  // its .klp.rela sections and each function's lookup and size
  for (const m of targets.kernelMessages)
    if (m.stage === "enable") return refused(m.message, "module", "resolve");
  const objectCount = Math.max(targets.objects.length, ...used.map((v) => v.target.objectIndex + 1));
  for (let o = 0; o < objectCount; o++) {
    const inObject = used.filter((v) => v.target.objectIndex === o);
    const problem = objectProblem(targets, o);
    if (problem !== null) return refused(problem.message, `objs[${o}]`, "resolve");
    for (const v of inObject) {
      if (v.target.role !== "function") continue;
      const dup = duplicates.get(v.target);
      if (dup !== undefined) return refused(dup.message, v.target.source, "resolve");
      if (
        v.target.flags.some(
          (f) => f.code === "NAME_TOO_LONG" || f.code === "NO_NEW_FUNC" || f.code === "BAD_OLD_NAME",
        )
      ) {
        return refused("(no message: klp_enable_patch() returns -EINVAL)", v.target.source, "resolve");
      }
    }
    const objname = targets.objects[o] ?? inObject[0]?.target.objname;
    if (objname === undefined || !table.objects.has(objname)) continue;
    for (const v of inObject) {
      if (v.target.role !== "reference" || v.target.stage !== "enable") continue;
      const message = v.target.kernelMessage ?? failureOf(v);
      if (message !== null) return refused(message, v.target.source, "resolve");
    }
    for (const v of inObject) {
      if (v.target.role !== "function") continue;
      const message = failureOf(v);
      if (message !== null) return refused(message, v.target.source, "resolve");
      if (v.kernelMessage?.startsWith(SIZE_LOOKUP))
        return refused(v.kernelMessage, v.target.source, "resolve");
    }
  }
  // 3. __klp_enable_patch → klp_patch_object: ftrace registration, object by object
  for (let o = 0; o < objectCount; o++) {
    for (const v of used) {
      if (v.target.objectIndex !== o || v.target.role !== "function" || v.outcome !== "resolved") continue;
      if (v.kernelMessage !== null) return refused(v.kernelMessage, v.target.source, "ftrace");
    }
  }
  return { result: "accepted", kernelMessage: null, at: null, stage: null, deferred, whenLoaded };
}
