// One function's diff in detail, for `klpmatch diff --explain NAME`: which twin it has, how they
// were correlated, the relocation differences and the decisions about it.
import type { ElfFile } from "../elf/types.js";
import type { ExplainedStatus, FunctionExplanation, PartExplanation } from "../lib/report/diff-types.js";
import { correlationKey } from "../lib/symbol-name.js";
import { compareUnits, describeRelocation, type Sides } from "./compare.js";
import { diffSides, modelPair } from "./diff.js";
import type { Unit } from "./object-model.js";

/** null when no function of either object has that name (exactly, or once numbers and hashes are dropped). */
export function explainFunction(orig: ElfFile, patched: ElfFile, name: string): FunctionExplanation | null {
  const sides = modelPair(orig, patched);
  const diff = diffSides(sides);
  const { orig: o, patched: p, correlation } = sides;
  const find = (units: readonly Unit[]): Unit | undefined =>
    units.find((u) => u.kind === "function" && u.name === name) ??
    units.find((u) => u.kind === "function" && correlationKey(u.name) === correlationKey(name));
  let ou = find(o.units);
  let pu = ou ? correlation.twinOfOrig.get(ou) : undefined;
  if (!ou) {
    pu = find(p.units);
    ou = pu ? correlation.twinOfPatched.get(pu) : undefined;
  }
  if (!ou && !pu) return null;

  const d = ou && pu ? compareUnits(sides, ou, pu) : null;
  const reasons = diff.reasons[ou?.name ?? ""] ?? diff.reasons[pu?.name ?? ""] ?? d?.reasons ?? [];
  let status: ExplainedStatus;
  if (ou && pu) {
    if (diff.lineOnly.includes(ou.name)) status = "line-only";
    else status = d || reasons.length > 0 ? "changed" : "unchanged";
  } else status = ou ? "deleted" : "new";
  return {
    status,
    origName: ou?.name ?? null,
    patchedName: pu?.name ?? null,
    origSection: ou?.section.name ?? null,
    patchedSection: pu?.section.name ?? null,
    correlation: ou ? (correlation.how.get(ou) ?? null) : null,
    reasons:
      status === "line-only" ? ["only __LINE__ immediates passed to WARN/printk helpers differ"] : reasons,
    removedRelocations: d?.removedRelocations ?? [],
    addedRelocations: d?.addedRelocations ?? [],
    origRelocations: ou ? o.relocationsOf(ou).map((r) => describeRelocation(sides, r, ou.start, "orig")) : [],
    patchedRelocations: pu
      ? p.relocationsOf(pu).map((r) => describeRelocation(sides, r, pu.start, "patched"))
      : [],
    parts: explainParts(sides, ou, pu),
    diff,
  };
}

function explainParts(sides: Sides, ou: Unit | undefined, pu: Unit | undefined): PartExplanation[] {
  const parts: PartExplanation[] = [];
  const seen = new Set<Unit>();
  for (const oc of ou?.children ?? []) {
    const pc = sides.correlation.twinOfOrig.get(oc);
    if (pc) seen.add(pc);
    const d = pc ? compareUnits(sides, oc, pc) : null;
    parts.push({
      origName: oc.name,
      patchedName: pc?.name ?? null,
      reasons: pc ? (d?.reasons ?? ["unchanged"]) : ["removed"],
      removedRelocations: d?.removedRelocations ?? [],
      addedRelocations: d?.addedRelocations ?? [],
    });
  }
  for (const pc of pu?.children ?? []) {
    if (seen.has(pc)) continue;
    parts.push({
      origName: null,
      patchedName: pc.name,
      reasons: ["added"],
      removedRelocations: [],
      addedRelocations: [],
    });
  }
  return parts;
}
