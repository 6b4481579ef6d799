// Which data a patch changed, and whether a livepatch may carry it: writable data in the running
// kernel cannot be replaced; read-only data is carried with the patched code that uses it.

import type { Carried } from "./carry.js";
import { compareUnits, type Sides } from "./compare.js";
import { isUncorrelatedStatic } from "./correlate.js";
import { addReason, type Changes, type Findings, isIgnored } from "./diff-findings.js";
import { isWritable } from "./object-model.js";
import { changedAnonymousSections, isAlwaysCarried } from "./sections.js";

/** Step 4. Data objects: correlated objects whose contents changed, with their reasons. */
export function compareDataObjects(sides: Sides, f: Findings): Changes {
  const changedObjects: Changes = new Map();
  for (const [ou, pu] of sides.correlation.twinOfOrig) {
    if (ou.kind !== "object" || isIgnored(sides.orig, ou) || isIgnored(sides.patched, pu)) continue;
    // kpatch refuses a correlated object whose size changed ("object size mismatch"): code in the
    // running kernel still uses the old layout.
    if (ou.symbol.size !== pu.symbol.size) {
      f.unsupported.push(`object size mismatch: ${ou.name} (${ou.symbol.size} → ${pu.symbol.size} bytes)`);
      addReason(f, ou.name, `size ${ou.symbol.size} → ${pu.symbol.size}`);
    }
    if (ou.role !== "data" && ou.role !== "rodata" && ou.role !== "init") continue;
    const d = compareUnits(sides, ou, pu);
    if (d) changedObjects.set(ou, [...d.reasons]);
  }
  return changedObjects;
}

/** Changed data objects: writable data is refused, read-only data is carried with the code using it. */
export function judgeChangedData(
  sides: Sides,
  changedObjects: Changes,
  carried: Carried,
  f: Findings,
): { name: string; reasons: string[] }[] {
  const changedData: { name: string; reasons: string[] }[] = [];
  for (const [ou, why] of changedObjects) {
    const pu = sides.correlation.twinOfOrig.get(ou)!;
    const section = ou.section.name;
    if (ou.role === "init") {
      f.unsupported.push(`changed init section ${section}: ${ou.name}`);
    } else if (ou.role === "data" || isWritable(ou.section)) {
      if (isOnceFlagSection(section)) continue;
      f.unsupported.push(`data section ${section} changed: ${ou.name} (${why.join("; ")})`);
    } else if (section === ".rodata" || carried.units.has(pu)) {
      why.push("read-only: carried with the patched code that uses it");
    } else {
      f.unsupported.push(
        `changed section ${section} not selected for inclusion: no changed function uses ${ou.name}`,
      );
    }
    changedData.push({ name: ou.name, reasons: why });
    for (const r of why) addReason(f, ou.name, `data: ${r}`);
  }
  return changedData;
}

/** Step 6. Sections with nothing named in them (anonymous data, strings, kernel tables). */
export function judgeAnonymousSections(sides: Sides, carried: Carried, f: Findings): void {
  for (const change of changedAnonymousSections(sides)) {
    const name = change.section.name;
    if (isAlwaysCarried(change.patched)) continue;
    const carriedUnitInside = sides.patched.unitsIn(change.patched).some((u) => carried.units.has(u));
    if (carried.sections.has(change.patched) || carriedUnitInside) {
      if (/^\.(data|bss)/.test(name) && !isOnceFlagSection(name)) {
        f.unsupported.push(
          `data section ${name} selected for inclusion: it changed (${change.reasons.join("; ")})`,
        );
      }
      continue;
    }
    f.unsupported.push(`changed section ${name} not selected for inclusion (${change.reasons.join("; ")})`);
  }
}

/** kpatch allows changes in .data.once / .data.unlikely: they hold only WARN_ONCE-style flags. */
function isOnceFlagSection(name: string): boolean {
  return name === ".data.once" || name === ".data.unlikely";
}

/** New data objects the module carries. */
export function newDataObjects(sides: Sides, carried: Carried): string[] {
  const { patched: p, correlation } = sides;
  return p.units
    .filter(
      (u) =>
        u.kind === "object" &&
        carried.units.has(u) &&
        !correlation.twinOfPatched.has(u) &&
        !isUncorrelatedStatic(u),
    )
    .map((u) => u.name);
}
