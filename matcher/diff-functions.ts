// Which functions a patch changed: each correlated pair compared (section moves, symbol info,
// __LINE__-only changes excused), then split parts folded into the functions they belong to, and
// the functions with no twin found new or deleted.
import { correlationKey, llvmHash } from "../lib/symbol-name.js";
import { compareUnits, type Sides } from "./compare.js";
import { addReason, type Changes, type Findings, isIgnored, markChanged } from "./diff-findings.js";
import { isLineOnlyChange } from "./line-only.js";
import type { ObjectModel, Unit } from "./object-model.js";

/** Step 1. Functions: compare each correlated pair, split parts included. */
export function compareFunctions(sides: Sides, f: Findings): Changes {
  const changedFunctions: Changes = new Map();
  for (const [ou, pu] of sides.correlation.twinOfOrig) {
    if (ou.kind !== "function" || isIgnored(sides.orig, ou) || isIgnored(sides.patched, pu)) continue;
    const why: string[] = [];
    const moved = sectionMove(ou, pu);
    if (moved === "fatal") {
      f.unsupported.push(`symbol changed sections: ${ou.name} (${ou.section.name} → ${pu.section.name})`);
      addReason(f, ou.name, `moved from ${ou.section.name} to ${pu.section.name}`);
    } else if (moved) why.push(moved);
    const infoChange = symbolInfoChange(ou, pu);
    if (infoChange) {
      f.unsupported.push(`symbol info mismatch: ${ou.name} (${infoChange})`);
      addReason(f, ou.name, infoChange);
    }
    const d = compareUnits(sides, ou, pu);
    if (d?.bytesOnly && why.length === 0 && lineOnlyChange(sides, ou, pu, d.byteRanges)) {
      f.lineOnly.push(ou.name);
      continue;
    }
    if (d) why.push(...d.reasons);
    if (why.length > 0) changedFunctions.set(ou, why);
  }
  return changedFunctions;
}

/** Moving between .text/.text.hot/.text.unlikely is a change; any other section move is not patchable. */
function sectionMove(ou: Unit, pu: Unit): string | "fatal" | null {
  const a = ou.section.name;
  const b = pu.section.name;
  if (correlationKey(a) === correlationKey(b)) return null;
  const family = (u: Unit): string => {
    const n = u.section.name;
    if (!u.bundled) return `shared:${correlationKey(n)}`;
    return "text";
  };
  if (family(ou) !== family(pu)) return "fatal";
  const sub = (n: string): string =>
    n.startsWith(".text.unlikely.") ? "unlikely" : n.startsWith(".text.hot.") ? "hot" : "normal";
  return sub(a) !== sub(b) ? `moved from ${a} to ${pu.section.name}` : null;
}

/** kpatch refuses a correlated symbol whose type or binding changed ("symbol info mismatch"). */
function symbolInfoChange(ou: Unit, pu: Unit): string | null {
  // A ThinLTO rebuild may promote a local differently: the .llvm. suffix says so, not a patch.
  if (llvmHash(ou.name) !== null || llvmHash(pu.name) !== null) return null;
  if (ou.symbol.type !== pu.symbol.type) return `type ${ou.symbol.typeName} → ${pu.symbol.typeName}`;
  if (ou.symbol.bind !== pu.symbol.bind) return `binding ${ou.symbol.bindName} → ${pu.symbol.bindName}`;
  return null;
}

function lineOnlyChange(
  sides: Sides,
  ou: Unit,
  pu: Unit,
  ranges: readonly (readonly [number, number])[],
): boolean {
  const ob = sides.orig.bytesOf(ou);
  const pb = sides.patched.bytesOf(pu);
  if (!ob || !pb) return false;
  return isLineOnlyChange({
    arch: sides.orig.arch,
    endianness: sides.orig.file.header.endianness,
    orig: ob,
    patched: pb,
    relocations: sides.orig.relocationsOf(ou).map((r) => ({
      offset: Number(r.offset - ou.start),
      typeName: r.typeName,
      target: r.target,
    })),
    ranges,
  });
}

/** The function a split part belongs to, at most 8 levels up. */
function topOf(u: Unit): Unit {
  let r = u;
  for (let i = 0; r.parent && i < 8; i++) r = r.parent;
  return r;
}

/**
 * Step 2. Split parts: a changed part without its own ftrace entry (.cold) changes the function it
 * belongs to; a part with its own entry (.part.N usually has one) is patched on its own. Parts
 * added or removed change their function; functions without a twin are new or deleted.
 */
export function foldSplitParts(
  sides: Sides,
  changedFunctions: Changes,
): { changedRoots: Changes; newRoots: Unit[]; deleted: Unit[] } {
  const changedRoots: Changes = new Map();
  const partsWithEntry = foldChangedParts(
    sides.orig,
    sides.correlation.twinOfOrig,
    changedFunctions,
    changedRoots,
  );
  const newRoots = newFunctionRoots(sides, changedRoots);
  const deleted = deletedFunctionRoots(sides, changedRoots);
  placePartsWithEntry(partsWithEntry, changedRoots);
  return { changedRoots, newRoots, deleted };
}

/** Marks each changed function's root; returns the changed parts with their own ftrace entry. */
function foldChangedParts(
  o: ObjectModel,
  twinOfOrig: ReadonlyMap<Unit, Unit>,
  changedFunctions: Changes,
  changedRoots: Changes,
): [Unit, string[]][] {
  const partsWithEntry: [Unit, string[]][] = [];
  for (const [ou, why] of changedFunctions) {
    if (!ou.parent) {
      for (const r of why) markChanged(changedRoots, ou, r);
    } else if (o.hasPatchableEntry(ou)) {
      partsWithEntry.push([ou, why]);
    } else {
      let parent: Unit | null = ou.parent;
      while (parent && (!twinOfOrig.has(parent) || (parent.parent && !o.hasPatchableEntry(parent))))
        parent = parent.parent;
      // No correlated function above it (its parent is gone from the patched object): on its own.
      if (parent) markChanged(changedRoots, parent, `child ${ou.name} changed (${why.join("; ")})`);
      else for (const r of why) markChanged(changedRoots, ou, r);
    }
  }
  return partsWithEntry;
}

/** Patched functions without a twin: new roots, or added parts of a correlated function. */
function newFunctionRoots(sides: Sides, changedRoots: Changes): Unit[] {
  const { patched: p, correlation } = sides;
  const newRoots: Unit[] = [];
  for (const pu of p.units) {
    if (pu.kind !== "function" || pu.aliasOf || correlation.twinOfPatched.has(pu) || isIgnored(p, pu))
      continue;
    if (!pu.parent || !correlation.twinOfPatched.has(topOf(pu))) {
      if (topOf(pu) === pu) newRoots.push(pu);
      continue;
    }
    const parent = correlation.twinOfPatched.get(topOf(pu))!;
    markChanged(changedRoots, parent, `child ${pu.name} added`);
  }
  return newRoots;
}

/** Orig functions without a twin: deleted roots, or removed parts of a correlated function. */
function deletedFunctionRoots(sides: Sides, changedRoots: Changes): Unit[] {
  const { orig: o, correlation } = sides;
  const deleted: Unit[] = [];
  for (const ou of o.units) {
    if (ou.kind !== "function" || ou.aliasOf || correlation.twinOfOrig.has(ou) || isIgnored(o, ou)) continue;
    const top = topOf(ou);
    if (top === ou) deleted.push(ou);
    else if (correlation.twinOfOrig.has(top)) markChanged(changedRoots, top, `child ${ou.name} removed`);
  }
  return deleted;
}

/**
 * A changed part with its own entry goes with its function when that changed too (the patched
 * function calls the patched part); alone, it is the only place the change can be patched —
 * kpatch copies it but lists nothing then, which would silently drop the change.
 */
function placePartsWithEntry(partsWithEntry: readonly [Unit, string[]][], changedRoots: Changes): void {
  for (const [ou, why] of partsWithEntry) {
    const top = topOf(ou);
    if (changedRoots.has(top)) markChanged(changedRoots, top, `child ${ou.name} changed (${why.join("; ")})`);
    else {
      for (const r of why) markChanged(changedRoots, ou, r);
      markChanged(
        changedRoots,
        ou,
        `split part of ${top.name} with its own ftrace entry, changed alone: patched on its own (kpatch would list nothing)`,
      );
    }
  }
}
