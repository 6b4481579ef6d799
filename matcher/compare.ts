// Comparing one correlated function or data object: size, relocations (offset, type, correlated
// target or string contents, addend), then the bytes outside relocation fields.
import { hex } from "../elf/layout.js";
import type { ElfSymbol } from "../elf/types.js";
import { correlationKey } from "../lib/symbol-name.js";
import { isInertCodeSection } from "./arch/index.js";
import type { Correlation } from "./correlate.js";
import type { ObjectModel, Reloc, RelocTarget, Unit } from "./object-model.js";

export interface UnitDifference {
  /** Human-readable causes: "size 14 → 18", "relocations: +2 -1", "bytes at 0x1a..0x24". */
  readonly reasons: readonly string[];
  /** Same size and relocations: only bytes differ (what the __LINE__ filter may excuse). */
  readonly bytesOnly: boolean;
  /** Differing byte ranges, relative to the unit's start, [from, to). */
  readonly byteRanges: readonly (readonly [number, number])[];
  /** Relocations only in orig / only in patched, described ("R_X86_64_PLT32 kfree-4 at +0x1a"). */
  readonly removedRelocations: readonly string[];
  readonly addedRelocations: readonly string[];
}

export interface Sides {
  readonly orig: ObjectModel;
  readonly patched: ObjectModel;
  readonly correlation: Correlation;
}

/** null when the two are the same. */
export function compareUnits(sides: Sides, o: Unit, p: Unit): UnitDifference | null {
  const reasons: string[] = [];
  const oSize = o.end - o.start;
  const pSize = p.end - p.start;
  const sizeDiffers = oSize !== pSize;
  if (sizeDiffers) reasons.push(`size ${oSize} → ${pSize}`);

  const oRel = sides.orig.relocationsOf(o);
  const pRel = sides.patched.relocationsOf(p);
  let relocsDiffer = oRel.length !== pRel.length;
  if (!relocsDiffer) {
    for (let i = 0; i < oRel.length; i++) {
      if (!relocationsEqual(sides, oRel[i]!, o.start, pRel[i]!, p.start)) {
        relocsDiffer = true;
        break;
      }
    }
  }
  let removedRelocations: string[] = [];
  let addedRelocations: string[] = [];
  if (relocsDiffer) {
    const d = relocationDifference(sides, oRel, o.start, pRel, p.start);
    removedRelocations = d.removed;
    addedRelocations = d.added;
    if (d.added.length === 0 && d.removed.length === 0) reasons.push("relocations moved");
    else reasons.push(`relocations: +${d.added.length} -${d.removed.length}`);
  }

  let byteRanges: [number, number][] = [];
  if (!sizeDiffers) {
    const ob = sides.orig.bytesOf(o);
    const pb = sides.patched.bytesOf(p);
    if (ob && pb) {
      // Bytes under relocation fields are compared as they are: RELA objects (the only ones the
      // diff step takes, see checkPair) keep addends out of them.
      byteRanges = differingRanges(ob, pb);
      if (byteRanges.length > 0) reasons.push(`bytes at ${describeRanges(byteRanges)}`);
    }
  }

  const stubReason = compareStubs(o, p);
  if (stubReason) reasons.push(stubReason);

  if (reasons.length === 0) return null;
  return {
    reasons,
    bytesOnly: !sizeDiffers && !relocsDiffer && stubReason === null,
    byteRanges,
    removedRelocations,
    addedRelocations,
  };
}

/** kCFI: `__cfi_foo` holds the hash of foo's type; a changed hash is a changed prototype. */
function compareStubs(o: Unit, p: Unit): string | null {
  for (const os of o.stubs) {
    const ps = p.stubs.find((s) => s.name.slice(0, 6) === os.name.slice(0, 6));
    if (!ps) continue;
    const ob = stubBytes(o, os);
    const pb = stubBytes(p, ps);
    if (ob && pb && (ob.length !== pb.length || differingRanges(ob, pb).length > 0))
      return `prefix ${os.name} changed`;
  }
  return null;
}

function stubBytes(unit: Unit, stub: ElfSymbol): Uint8Array | null {
  const data = unit.section.data;
  if (!data) return null;
  const end = stub.size > 0n ? stub.value + stub.size : unit.start;
  return data.subarray(Number(stub.value), Number(end));
}

export function relocationsEqual(sides: Sides, a: Reloc, aBase: bigint, b: Reloc, bBase: bigint): boolean {
  if (a.offset - aBase !== b.offset - bBase || a.type !== b.type) return false;
  // References into code a module never runs (x86 .altinstr_aux) are equal whatever their offset.
  if (isInert(a.target) && isInert(b.target)) return true;
  return a.addend === b.addend && targetsEqual(sides, a.target, b.target);
}

function isInert(t: RelocTarget): boolean {
  return t.kind === "section" && isInertCodeSection(t.section.name);
}

function targetsEqual(sides: Sides, a: RelocTarget, b: RelocTarget): boolean {
  switch (a.kind) {
    case "symbol": {
      if (b.kind !== "symbol") return false;
      const ou = sides.orig.unitOfSymbol(a.symbol.index);
      const pu = sides.patched.unitOfSymbol(b.symbol.index);
      const twin = ou ? sides.correlation.twinOfOrig.get(ou.aliasOf ?? ou) : undefined;
      if (twin) return pu !== undefined && (pu.aliasOf ?? pu) === twin;
      if (pu && sides.correlation.twinOfPatched.has(pu.aliasOf ?? pu)) return false;
      return correlationKey(a.symbol.name) === correlationKey(b.symbol.name);
    }
    case "string":
      return b.kind === "string" && a.text === b.text;
    case "constant":
      return b.kind === "constant" && a.hex === b.hex;
    case "section":
      return b.kind === "section" && correlationKey(a.section.name) === correlationKey(b.section.name);
    case "indirect":
      return (
        b.kind === "indirect" &&
        correlationKey(a.section.name) === correlationKey(b.section.name) &&
        a.via.type === b.via.type &&
        a.via.addend === b.via.addend &&
        targetsEqual(sides, a.via.target, b.via.target)
      );
  }
}

/** A target as both sides can name it: orig symbols by their patched twin's name. */
function describeTarget(sides: Sides | null, t: RelocTarget, side: "orig" | "patched"): string {
  switch (t.kind) {
    case "symbol": {
      if (sides && side === "orig") {
        const u = sides.orig.unitOfSymbol(t.symbol.index);
        const twin = u ? sides.correlation.twinOfOrig.get(u.aliasOf ?? u) : undefined;
        if (twin) return twin.name;
      }
      return t.symbol.name;
    }
    case "string":
      return JSON.stringify(t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text);
    case "constant":
      return `const 0x${t.hex}`;
    case "section":
      return t.section.name;
    case "indirect":
      return `${t.section.name}→${describeTarget(sides, t.via.target, side)}`;
  }
}

export function describeRelocation(
  sides: Sides | null,
  r: Reloc,
  base: bigint,
  side: "orig" | "patched",
): string {
  const add = r.addend === 0n ? "" : r.addend > 0n ? `+${hex(r.addend)}` : hex(r.addend);
  return `${r.typeName} ${describeTarget(sides, r.target, side)}${add} at +${hex(r.offset - base)}`;
}

/** Relocations only on one side, compared without their offsets (shifted code is not a new relocation). */
function relocationDifference(
  sides: Sides,
  oRel: readonly Reloc[],
  oBase: bigint,
  pRel: readonly Reloc[],
  pBase: bigint,
): { added: string[]; removed: string[] } {
  const key = (r: Reloc, side: "orig" | "patched"): string =>
    `${r.typeName} ${describeTarget(sides, r.target, side)} ${r.addend}`;
  const counts = new Map<string, number>();
  for (const r of oRel) {
    const k = key(r, "orig");
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const added: string[] = [];
  for (const r of pRel) {
    const k = key(r, "patched");
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else added.push(describeRelocation(sides, r, pBase, "patched"));
  }
  const removed: string[] = [];
  const remaining = new Map(counts);
  for (const r of oRel) {
    const k = key(r, "orig");
    const n = remaining.get(k) ?? 0;
    if (n > 0) {
      remaining.set(k, n - 1);
      removed.push(describeRelocation(sides, r, oBase, "orig"));
    }
  }
  return { added, removed };
}

/** Runs of differing bytes [from, to) (a length difference is one more run). */
function differingRanges(a: Uint8Array, b: Uint8Array): [number, number][] {
  const ranges: [number, number][] = [];
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n) {
    if (a[i] === b[i]) {
      i++;
      continue;
    }
    const from = i;
    while (i < n && a[i] !== b[i]) i++;
    ranges.push([from, i]);
  }
  if (a.length !== b.length) ranges.push([n, Math.max(a.length, b.length)]);
  return ranges;
}

function describeRanges(ranges: readonly (readonly [number, number])[]): string {
  // Runs a few bytes apart read as one change (an instruction's operands).
  const merged: [number, number][] = [];
  for (const [from, to] of ranges) {
    const last = merged[merged.length - 1];
    if (last && from - last[1] < 4) last[1] = to;
    else merged.push([from, to]);
  }
  const shown = merged.slice(0, 3).map(([f, t]) => `${hex(f)}..${hex(t)}`);
  if (merged.length > 3) shown.push(`${merged.length - 3} more`);
  return shown.join(", ");
}
