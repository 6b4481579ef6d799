// Relocations as both sides of a diff can compare them: a target given as a section symbol plus an
// addend (`.text.foo+0x10`, `.rodata.str1.1+0x20`) is rewritten to the symbol it lands in, or to
// the string or constant it reads, or through a pointer slot (ppc64 `.toc`) to what that points to.
import {
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_MERGE,
  SHF_STRINGS,
  STB_LOCAL,
  STT_NOTYPE,
  STT_SECTION,
} from "../elf/constants.js";
import type { ElfFile, ElfRelocation, ElfRelocationSection, ElfSection, ElfSymbol } from "../elf/types.js";
import { type DiffArch, isMappingSymbol, isPointerSlotSection, landingBias } from "./arch/index.js";
import { type Unit, type UnitIndex, unitAt } from "./units.js";

export type RelocTarget =
  | { readonly kind: "symbol"; readonly symbol: ElfSymbol }
  /** Into a mergeable string section: compared by the string's text. */
  | { readonly kind: "string"; readonly text: string }
  /** Into a mergeable constant section (`.rodata.cst16`): compared by the constant's bytes. */
  | { readonly kind: "constant"; readonly hex: string }
  /** Into a section with nothing named there: compared by section name and offset. */
  | { readonly kind: "section"; readonly section: ElfSection }
  /** Into an anonymous pointer slot (ppc64 `.toc`): compared by what the slot points to. */
  | { readonly kind: "indirect"; readonly section: ElfSection; readonly via: Reloc };

export interface Reloc {
  /** Offset in the section the relocation applies to. */
  readonly offset: bigint;
  readonly type: number;
  readonly typeName: string;
  readonly target: RelocTarget;
  /** Relative to the rewritten target (0 for string/constant targets: those compare by content). */
  readonly addend: bigint;
}

/** An object's relocations, read and normalized once per section, then cached. */
export interface Relocations {
  /** The entries of every relocation section applying to a section, as the file holds them. */
  raw(section: ElfSection): readonly ElfRelocation[];
  /** Relocations applying to a section, normalized, sorted by offset. */
  of(section: ElfSection): readonly Reloc[];
  /** The relocations inside a unit's own bytes [start, end). */
  ofUnit(unit: Unit): readonly Reloc[];
}

interface Context {
  readonly arch: DiffArch;
  readonly symbols: readonly ElfSymbol[];
  readonly sections: readonly ElfSection[];
  readonly index: UnitIndex;
  readonly relocationSectionsByTarget: ReadonlyMap<number, readonly ElfRelocationSection[]>;
  readonly cache: Map<number, readonly Reloc[]>;
  /** Slot tables (.toc) resolved one level deep, for indirect targets. */
  readonly slotCache: Map<number, readonly Reloc[]>;
  readonly stringSections: Map<number, boolean>;
  readonly unitCache: Map<Unit, readonly Reloc[]>;
}

export function readRelocations(file: ElfFile, index: UnitIndex, arch: DiffArch): Relocations {
  const ctx: Context = {
    arch,
    symbols: file.symbols(),
    sections: file.sections,
    index,
    relocationSectionsByTarget: relocationSectionsByTarget(file),
    cache: new Map(),
    slotCache: new Map(),
    stringSections: new Map(),
    unitCache: new Map(),
  };
  return {
    raw: (section) => rawRelocations(ctx, section),
    of: (section) => normalizedRelocations(ctx, section, 0),
    ofUnit: (unit) => unitRelocations(ctx, unit),
  };
}

/** file.relocationsFor scans every relocation section per call; index them once by target. */
function relocationSectionsByTarget(file: ElfFile): Map<number, ElfRelocationSection[]> {
  const byTarget = new Map<number, ElfRelocationSection[]>();
  for (const rs of file.relocationSections()) {
    if (!rs.target) continue;
    const list = byTarget.get(rs.target.index);
    if (list) list.push(rs);
    else byTarget.set(rs.target.index, [rs]);
  }
  return byTarget;
}

function rawRelocations(ctx: Context, section: ElfSection): readonly ElfRelocation[] {
  const list = ctx.relocationSectionsByTarget.get(section.index);
  if (!list) return [];
  return list.length === 1 ? list[0]!.entries() : list.flatMap((rs) => rs.entries());
}

function normalizedRelocations(ctx: Context, section: ElfSection, depth: number): readonly Reloc[] {
  const cache = depth === 0 ? ctx.cache : ctx.slotCache;
  const cached = cache.get(section.index);
  if (cached) return cached;
  const raw = rawRelocations(ctx, section);
  const out: Reloc[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = normalize(ctx, section, raw[i]!, depth);
  out.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  cache.set(section.index, out);
  return out;
}

/** One relocation of `section` with its target rewritten (see the header). */
function normalize(ctx: Context, section: ElfSection, r: ElfRelocation, depth: number): Reloc {
  const symbol = ctx.symbols[r.symbolIndex];
  const addend = r.addend ?? 0n;
  let target: RelocTarget;
  let newAddend = addend;
  if (!symbol) {
    target = { kind: "section", section: ctx.sections[0]! };
  } else if (
    symbol.sectionIndex !== null &&
    (isPlaceSymbol(symbol) || isStringSection(ctx, symbol.sectionIndex))
  ) {
    const place = ctx.sections[symbol.sectionIndex]!;
    const rawOffset = symbol.value + addend;
    const landing = rawOffset + landingBias(ctx.arch, r.typeName, section.data, Number(r.offset));
    const resolved = resolvePlace(ctx, place, rawOffset, landing, depth);
    target = resolved.target;
    newAddend = resolved.addend;
  } else {
    const unit = ctx.index.bySymbol.get(symbol.index);
    target = { kind: "symbol", symbol: unit?.aliasOf ? unit.aliasOf.symbol : symbol };
  }
  return { offset: r.offset, type: r.type, typeName: r.typeName, target, addend: newAddend };
}

/** A symbol that only marks a place (section symbols, assembler-local labels, mapping symbols). */
function isPlaceSymbol(symbol: ElfSymbol): boolean {
  if (symbol.type === STT_SECTION) return true;
  if (symbol.type !== STT_NOTYPE || symbol.bind !== STB_LOCAL) return false;
  const n = symbol.name;
  return n === "" || n.startsWith(".L") || isMappingSymbol(n) || n.startsWith("L0");
}

function isStringSection(ctx: Context, index: number): boolean {
  let known = ctx.stringSections.get(index);
  if (known === undefined) {
    const s = ctx.sections[index];
    known = s !== undefined && (s.flags & (SHF_STRINGS | SHF_MERGE)) !== 0n && (s.flags & SHF_ALLOC) !== 0n;
    ctx.stringSections.set(index, known);
  }
  return known;
}

/** What lies at `landing` in `section`: a string, a constant, a unit, a pointer slot, or nothing named. */
function resolvePlace(
  ctx: Context,
  section: ElfSection,
  raw: bigint,
  landing: bigint,
  depth: number,
): { target: RelocTarget; addend: bigint } {
  if ((section.flags & SHF_STRINGS) !== 0n)
    return { target: { kind: "string", text: readString(section, landing) }, addend: 0n };
  if ((section.flags & SHF_MERGE) !== 0n)
    return { target: { kind: "constant", hex: readConstant(section, landing) }, addend: 0n };
  const unit = unitAt(ctx.index, section, landing, false);
  if (unit) return { target: { kind: "symbol", symbol: unit.symbol }, addend: raw - unit.start };
  if (depth === 0 && !ctx.index.bySection.has(section.index) && (section.flags & SHF_EXECINSTR) === 0n) {
    const slot = relocationAt(ctx, section, landing);
    if (slot) return { target: { kind: "indirect", section, via: slot }, addend: 0n };
    // ppc64 .toc slots without a relocation hold a constant: compare its 8 bytes (kpatch rela_equal).
    if (isPointerSlotSection(section.name))
      return { target: { kind: "constant", hex: readBytes(section, landing, 8) }, addend: 0n };
  }
  return { target: { kind: "section", section }, addend: raw };
}

function relocationAt(ctx: Context, section: ElfSection, offset: bigint): Reloc | undefined {
  const list = normalizedRelocations(ctx, section, 1);
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid]!;
    if (r.offset === offset) return r;
    if (r.offset < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

function readString(section: ElfSection, offset: bigint): string {
  const data = section.data;
  if (!data || offset < 0n || offset >= BigInt(data.length))
    return `<${section.name}+0x${offset.toString(16)}>`;
  let end = Number(offset);
  while (end < data.length && data[end] !== 0) end++;
  let text = "";
  for (let i = Number(offset); i < end; i++) text += String.fromCharCode(data[i]!);
  return text;
}

function readConstant(section: ElfSection, offset: bigint): string {
  return readBytes(section, offset, section.entsize > 0n ? Number(section.entsize) : 8);
}

function readBytes(section: ElfSection, offset: bigint, size: number): string {
  const data = section.data;
  if (!data || offset < 0n) return `<${section.name}+0x${offset.toString(16)}>`;
  let hex = "";
  for (let i = Number(offset); i < Math.min(data.length, Number(offset) + size); i++)
    hex += data[i]!.toString(16).padStart(2, "0");
  return hex;
}

function unitRelocations(ctx: Context, unit: Unit): readonly Reloc[] {
  let cached = ctx.unitCache.get(unit);
  if (!cached) {
    cached = sliceRelocations(ctx, unit);
    ctx.unitCache.set(unit, cached);
  }
  return cached;
}

function sliceRelocations(ctx: Context, unit: Unit): readonly Reloc[] {
  const list = normalizedRelocations(ctx, unit.section, 0);
  if (list.length === 0) return list;
  // A bundled unit alone in its section takes the whole list.
  if (
    unit.start === 0n &&
    unit.end >= unit.section.size &&
    (ctx.index.bySection.get(unit.section.index)?.length ?? 0) === 1
  )
    return list;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.offset < unit.start) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < list.length && list[end]!.offset < unit.end) end++;
  return list.slice(lo, end);
}
