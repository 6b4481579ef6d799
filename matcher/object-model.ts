// The object model the diff step compares: every function and data object with the bytes it owns
// (its bundle: prefix padding, kCFI hash, entry nops), its .cold/.part children, and relocations
// whose section-symbol targets are rewritten to the symbol, string or constant they land in.
import {
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_MERGE,
  SHF_STRINGS,
  SHF_WRITE,
  STT_FUNC,
  STT_GNU_IFUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  STT_TLS,
} from "../elf/constants.js";
import type { ElfFile, ElfRelocation, ElfRelocationSection, ElfSection, ElfSymbol } from "../elf/types.js";
import { ENTRY_TABLES, type SectionRole, sectionRole } from "../lib/section-roles.js";
import { isStubSymbol, stubTarget } from "../lib/symbol-name.js";
import { type DiffArch, diffArchOf, landingBias, PROFILING_CALLS } from "./diff-arch.js";

export type UnitKind = "function" | "object";

export interface Unit {
  readonly symbol: ElfSymbol;
  readonly name: string;
  readonly kind: UnitKind;
  readonly section: ElfSection;
  readonly role: SectionRole;
  /** Offset of the symbol in its section. */
  readonly start: bigint;
  /** End of the symbol's bytes (start + size; for a size-0 function, the next symbol or section end). */
  readonly end: bigint;
  /**
   * Start of the bytes it owns before `start`: `__pfx_`/`__cfi_` stubs and the entry nops of
   * -fpatchable-function-entry sit there (arm64, LoongArch put the function 8 bytes into its section).
   */
  readonly ownedFrom: bigint;
  /** `__pfx_foo` / `__cfi_foo` stubs placed before the function. */
  readonly stubs: ElfSymbol[];
  /**
   * The symbol has its own section (-ffunction-sections/-fdata-sections naming: `.text.foo`,
   * `.text.unlikely.foo`, `foo.cold` in `.text.unlikely.foo`, `.data.foo`, …). A changed function
   * in a shared section (`.text`, `.sched.text`, `.init.text`) cannot be carried on its own.
   */
  readonly bundled: boolean;
  /** Another symbol at the same place with the same size that stands for this one, when this is an alias. */
  aliasOf: Unit | null;
  /** `foo` for `foo.cold` / `foo.part.N` (gcc splits), when `foo` is in the object. */
  parent: Unit | null;
  readonly children: Unit[];
}

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

export interface ObjectModel {
  readonly file: ElfFile;
  readonly arch: DiffArch;
  /** Every function and data object, in symbol-table order. */
  readonly units: readonly Unit[];
  unitOfSymbol(symbolIndex: number): Unit | undefined;
  /** Units of one section sorted by start. */
  unitsIn(section: ElfSection): readonly Unit[];
  /** Relocations applying to a section, normalized, sorted by offset. Cached. */
  relocations(section: ElfSection): readonly Reloc[];
  /** The relocations inside a unit's own bytes [start, end). */
  relocationsOf(unit: Unit): readonly Reloc[];
  /** The unit's bytes [start, end); null for NOBITS. */
  bytesOf(unit: Unit): Uint8Array | null;
  /** Functions with an ftrace entry: a call to __fentry__/_mcount or an entry-table record. */
  hasPatchableEntry(unit: Unit): boolean;
  /** Functions and sections the source marked with KPATCH_IGNORE_FUNCTION / KPATCH_IGNORE_SECTION. */
  readonly ignoredFunctions: ReadonlySet<string>;
  readonly ignoredSections: ReadonlySet<string>;
}

export function isWritable(section: ElfSection): boolean {
  return (section.flags & SHF_WRITE) !== 0n;
}

function unitKind(symbol: ElfSymbol): UnitKind | null {
  if (symbol.sectionIndex === null) return null;
  if (symbol.type === STT_FUNC || symbol.type === STT_GNU_IFUNC) return "function";
  if (symbol.type === STT_OBJECT || symbol.type === STT_TLS) return "object";
  return null;
}

/** A symbol that only marks a place (section symbols, assembler-local labels, mapping symbols). */
function isPlaceSymbol(symbol: ElfSymbol): boolean {
  if (symbol.type === STT_SECTION) return true;
  if (symbol.type !== STT_NOTYPE || symbol.bind !== 0) return false;
  const n = symbol.name;
  return n === "" || n.startsWith(".L") || n.startsWith("$") || n.startsWith("L0");
}

/** The function a split part belongs to: `foo.cold` → `foo`, `foo.part.0` → `foo`, `foo.part.0.cold` → `foo.part.0`. */
export function splitParentName(name: string): string | null {
  let at = name.indexOf(".cold");
  if (at < 0) at = name.indexOf(".part.");
  return at > 0 ? name.slice(0, at) : null;
}

export function modelObject(file: ElfFile): ObjectModel {
  const arch = diffArchOf(file.header.machineName);
  const symbols = file.symbols();
  const sections = file.sections;
  const units: Unit[] = [];
  const bySymbol = new Map<number, Unit>();
  const bySection = new Map<number, Unit[]>();
  const stubs: ElfSymbol[] = [];

  for (const symbol of symbols) {
    if (isStubSymbol(symbol.name) && symbol.sectionIndex !== null) {
      stubs.push(symbol);
      continue;
    }
    const kind = unitKind(symbol);
    if (kind === null) continue;
    const section = sections[symbol.sectionIndex ?? 0];
    if (!section || section.index === 0) continue;
    const unit: Unit = {
      symbol,
      name: symbol.name,
      kind,
      section,
      role: sectionRole(section),
      start: symbol.value,
      end: symbol.value + symbol.size,
      ownedFrom: symbol.value,
      bundled: isBundled(symbol.name, kind, section.name),
      stubs: [],
      aliasOf: null,
      parent: null,
      children: [],
    };
    units.push(unit);
    bySymbol.set(symbol.index, unit);
    const list = bySection.get(section.index);
    if (list) list.push(unit);
    else bySection.set(section.index, [unit]);
  }

  // Order each section's units; give size-0 functions the bytes up to the next symbol, give each
  // unit the gap before it (padding, stubs, entry nops) and mark same-place same-size aliases.
  const finalUnits = new Map<Unit, Unit>();
  for (const [sectionIndex, list] of bySection) {
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.symbol.index - b.symbol.index));
    const section = sections[sectionIndex]!;
    let previousEnd = 0n;
    for (let i = 0; i < list.length; i++) {
      let unit = list[i]!;
      if (unit.end === unit.start && unit.kind === "function") {
        let next = section.size;
        for (let j = i + 1; j < list.length; j++) {
          if (list[j]!.start > unit.start) {
            next = list[j]!.start;
            break;
          }
        }
        unit = { ...unit, end: next };
      }
      const ownedFrom = previousEnd < unit.start ? previousEnd : unit.start;
      if (ownedFrom !== unit.start || unit !== list[i]) unit = { ...unit, ownedFrom };
      if (unit !== list[i]) finalUnits.set(list[i]!, unit);
      list[i] = unit;
      if (unit.end > previousEnd) previousEnd = unit.end;
    }
  }
  if (finalUnits.size > 0) {
    for (let i = 0; i < units.length; i++) {
      const replaced = finalUnits.get(units[i]!);
      if (replaced) {
        units[i] = replaced;
        bySymbol.set(replaced.symbol.index, replaced);
      }
    }
  }
  for (const list of bySection.values()) markAliases(list);

  // Stubs join the function they precede.
  const functionsByName = new Map<string, Unit>();
  for (const unit of units)
    if (unit.kind === "function" && !functionsByName.has(unit.name)) functionsByName.set(unit.name, unit);
  for (const stub of stubs) {
    const target = functionsByName.get(stubTarget(stub.name) ?? "");
    if (target && target.section.index === stub.sectionIndex) target.stubs.push(stub);
  }

  // gcc's split parts (.cold, .part.N) are children of the function named before the suffix.
  for (const unit of units) {
    if (unit.kind !== "function") continue;
    const parentName = splitParentName(unit.name);
    if (parentName === null) continue;
    const parent = functionsByName.get(parentName);
    if (parent && parent !== unit) {
      unit.parent = parent;
      parent.children.push(unit);
    }
  }

  // file.relocationsFor scans every relocation section per call; index them once by target.
  const relocationSectionsByTarget = new Map<number, ElfRelocationSection[]>();
  for (const rs of file.relocationSections()) {
    if (!rs.target) continue;
    const list = relocationSectionsByTarget.get(rs.target.index);
    if (list) list.push(rs);
    else relocationSectionsByTarget.set(rs.target.index, [rs]);
  }
  function rawRelocationsFor(section: ElfSection): readonly ElfRelocation[] {
    const list = relocationSectionsByTarget.get(section.index);
    if (!list) return [];
    return list.length === 1 ? list[0]!.entries() : list.flatMap((rs) => rs.entries());
  }

  const relocCache = new Map<number, readonly Reloc[]>();
  /** Slot tables (.toc) resolved one level deep, for indirect targets. */
  const slotCache = new Map<number, readonly Reloc[]>();
  const stringSections = new Map<number, boolean>();

  function unitAt(section: ElfSection, offset: bigint, owned: boolean): Unit | undefined {
    const list = bySection.get(section.index);
    if (!list) return undefined;
    // Binary search for the last unit starting at or before offset; then walk back over overlaps.
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = list[mid]!;
      const from = owned ? u.ownedFrom : u.start;
      if (from <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    let best: Unit | undefined;
    for (let i = found; i >= 0 && i >= found - 8; i--) {
      const u = list[i]!;
      const from = owned ? u.ownedFrom : u.start;
      if (from <= offset && offset < u.end) {
        const canonical = u.aliasOf ?? u;
        if (!best || (best.kind !== "function" && canonical.kind === "function")) best = canonical;
      }
    }
    return best;
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

  function resolvePlace(
    section: ElfSection,
    raw: bigint,
    landing: bigint,
    depth: number,
  ): { target: RelocTarget; addend: bigint } {
    if ((section.flags & SHF_STRINGS) !== 0n)
      return { target: { kind: "string", text: readString(section, landing) }, addend: 0n };
    if ((section.flags & SHF_MERGE) !== 0n)
      return { target: { kind: "constant", hex: readConstant(section, landing) }, addend: 0n };
    const unit = unitAt(section, landing, false);
    if (unit) return { target: { kind: "symbol", symbol: unit.symbol }, addend: raw - unit.start };
    if (depth === 0 && !bySection.has(section.index) && (section.flags & SHF_EXECINSTR) === 0n) {
      const slot = relocationAt(section, landing);
      if (slot) return { target: { kind: "indirect", section, via: slot }, addend: 0n };
      // ppc64 .toc slots without a relocation hold a constant: compare its 8 bytes (kpatch rela_equal).
      if (section.name === ".toc")
        return { target: { kind: "constant", hex: readBytes(section, landing, 8) }, addend: 0n };
    }
    return { target: { kind: "section", section }, addend: raw };
  }

  function relocationAt(section: ElfSection, offset: bigint): Reloc | undefined {
    const list = normalizedRelocations(section, 1);
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

  function normalizedRelocations(section: ElfSection, depth: number): readonly Reloc[] {
    const cache = depth === 0 ? relocCache : slotCache;
    const cached = cache.get(section.index);
    if (cached) return cached;
    const raw = rawRelocationsFor(section);
    const out: Reloc[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i]!;
      const symbol = symbols[r.symbolIndex];
      const addend = r.addend ?? 0n;
      let target: RelocTarget;
      let newAddend = addend;
      if (!symbol) {
        target = { kind: "section", section: sections[0]! };
      } else if (
        symbol.sectionIndex !== null &&
        (isPlaceSymbol(symbol) || isStringSection(symbol.sectionIndex))
      ) {
        const place = sections[symbol.sectionIndex]!;
        const rawOffset = symbol.value + addend;
        const resolved = resolvePlace(
          place,
          rawOffset,
          rawOffset + landingBias(arch, r.typeName, section.data, Number(r.offset)),
          depth,
        );
        target = resolved.target;
        newAddend = resolved.addend;
      } else {
        const unit = bySymbol.get(symbol.index);
        target = { kind: "symbol", symbol: unit?.aliasOf ? unit.aliasOf.symbol : symbol };
      }
      out[i] = { offset: r.offset, type: r.type, typeName: r.typeName, target, addend: newAddend };
    }
    out.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
    cache.set(section.index, out);
    return out;
  }

  function isStringSection(index: number): boolean {
    let known = stringSections.get(index);
    if (known === undefined) {
      const s = sections[index];
      known = s !== undefined && (s.flags & (SHF_STRINGS | SHF_MERGE)) !== 0n && (s.flags & SHF_ALLOC) !== 0n;
      stringSections.set(index, known);
    }
    return known;
  }

  const unitRelocations = new Map<Unit, readonly Reloc[]>();
  function relocationsOf(unit: Unit): readonly Reloc[] {
    let cached = unitRelocations.get(unit);
    if (!cached) {
      cached = sliceRelocations(unit);
      unitRelocations.set(unit, cached);
    }
    return cached;
  }

  function sliceRelocations(unit: Unit): readonly Reloc[] {
    const list = normalizedRelocations(unit.section, 0);
    if (list.length === 0) return list;
    // A bundled unit alone in its section takes the whole list.
    if (
      unit.start === 0n &&
      unit.end >= unit.section.size &&
      (bySection.get(unit.section.index)?.length ?? 0) === 1
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

  // Entry tables (__mcount_loc, __patchable_function_entries) point at each traceable function's
  // entry, or at the nops before it; record which units they land in.
  let withEntry: Set<Unit> | null = null;
  function entryUnits(): Set<Unit> {
    if (withEntry) return withEntry;
    withEntry = new Set();
    for (const section of sections) {
      if (!ENTRY_TABLES.has(section.name)) continue;
      for (const r of rawRelocationsFor(section)) {
        const symbol = symbols[r.symbolIndex];
        if (!symbol || symbol.sectionIndex === null) continue;
        const place = sections[symbol.sectionIndex]!;
        const unit = unitAt(place, symbol.value + (r.addend ?? 0n), true);
        if (unit) withEntry.add(unit);
      }
    }
    return withEntry;
  }

  function hasPatchableEntry(unit: Unit): boolean {
    if (entryUnits().has(unit)) return true;
    for (const r of relocationsOf(unit)) {
      if (r.target.kind === "symbol" && PROFILING_CALLS.has(r.target.symbol.name)) return true;
    }
    return false;
  }

  const ignoredFunctions = new Set<string>();
  const ignoredSections = new Set<string>();
  for (const section of sections) {
    if (section.name === ".kpatch.ignore.functions") {
      for (const r of normalizedRelocations(section, 0))
        if (r.target.kind === "symbol") ignoredFunctions.add(r.target.symbol.name);
    } else if (section.name === ".kpatch.ignore.sections") {
      for (const r of normalizedRelocations(section, 0))
        if (r.target.kind === "string") ignoredSections.add(r.target.text);
    }
  }

  return {
    file,
    arch,
    units,
    unitOfSymbol: (index) => bySymbol.get(index),
    unitsIn: (section) => bySection.get(section.index) ?? [],
    relocations: (section) => normalizedRelocations(section, 0),
    relocationsOf,
    bytesOf: (unit) =>
      unit.section.data ? unit.section.data.subarray(Number(unit.start), Number(unit.end)) : null,
    hasPatchableEntry,
    ignoredFunctions,
    ignoredSections,
  };
}

const FUNCTION_SECTION_PREFIXES = [
  ".text.",
  ".text.unlikely.",
  ".text.hot.",
  ".text.startup.",
  ".text.exit.",
];
const OBJECT_SECTION_PREFIXES = [
  ".data.",
  ".data.rel.",
  ".data.rel.ro.",
  ".data.rel.local.",
  ".data.rel.ro.local.",
  ".rodata.",
  ".bss.",
  ".tbss.",
  ".tdata.",
  ".sdata.",
  ".sbss.",
];

/** kpatch's bundling rule (create-diff-object is_bundleable), with the other gcc/clang section prefixes. */
export function isBundled(name: string, kind: UnitKind, sectionName: string): boolean {
  const prefixes = kind === "function" ? FUNCTION_SECTION_PREFIXES : OBJECT_SECTION_PREFIXES;
  for (const prefix of prefixes) {
    if (!sectionName.startsWith(prefix)) continue;
    const rest = sectionName.slice(prefix.length);
    if (rest === name) return true;
    // gcc puts foo.cold (foo.part.0.cold) in .text.unlikely.foo (.text.unlikely.foo.part.0).
    if (kind === "function" && name.startsWith(`${rest}.cold`)) return true;
  }
  return false;
}

/** Symbols at the same place with the same size and kind: keep the one a reader would name. */
function markAliases(list: Unit[]): void {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!;
    const b = list[i]!;
    if (a.start !== b.start || a.end !== b.end || a.kind !== b.kind || a.end === a.start) continue;
    const primaryA = a.aliasOf ?? a;
    const preferB = b.bundled && !primaryA.bundled;
    if (preferB) {
      primaryA.aliasOf = b;
      for (let j = 0; j < i; j++) if (list[j]!.aliasOf === primaryA) list[j]!.aliasOf = b;
    } else b.aliasOf = primaryA;
  }
}
