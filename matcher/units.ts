// The functions and data objects of an object, each with the bytes it owns (its bundle: prefix
// padding, kCFI hash, entry nops), its same-place aliases, its stubs and its .cold/.part children.
import { STT_FUNC, STT_GNU_IFUNC, STT_OBJECT, STT_TLS } from "../elf/constants.js";
import type { ElfFile, ElfSection, ElfSymbol } from "../elf/types.js";
import { type SectionRole, sectionRole } from "../lib/section-roles.js";
import { coldParent, isStubSymbol, stubTarget } from "../lib/symbol-name.js";

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

/** An object's units, found three ways. */
export interface UnitIndex {
  /** Every function and data object, in symbol-table order. */
  readonly units: readonly Unit[];
  readonly bySymbol: ReadonlyMap<number, Unit>;
  /** Units of each section (by section index) sorted by start. */
  readonly bySection: ReadonlyMap<number, readonly Unit[]>;
}

/** Every unit of the object with its owned bytes, aliases, stubs and split parts settled. */
export function placeUnits(file: ElfFile): UnitIndex {
  const { units: found, stubs } = collectUnits(file);
  const bySection = groupBySection(found);
  const replaced = new Map<Unit, Unit>();
  for (const [sectionIndex, list] of bySection) settleSection(file.sections[sectionIndex]!, list, replaced);
  const units = found.map((u) => replaced.get(u) ?? u);
  const bySymbol = new Map<number, Unit>();
  for (const unit of units) bySymbol.set(unit.symbol.index, unit);
  for (const list of bySection.values()) markAliases(list);
  const functionsByName = firstFunctionByName(units);
  attachStubs(functionsByName, stubs);
  attachSplitParts(units, functionsByName);
  return { units, bySymbol, bySection };
}

/** Functions and data objects in symbol-table order, and the `__pfx_`/`__cfi_` stubs set aside. */
function collectUnits(file: ElfFile): { units: Unit[]; stubs: ElfSymbol[] } {
  const units: Unit[] = [];
  const stubs: ElfSymbol[] = [];
  for (const symbol of file.symbols()) {
    if (isStubSymbol(symbol.name) && symbol.sectionIndex !== null) {
      stubs.push(symbol);
      continue;
    }
    const kind = unitKind(symbol);
    if (kind === null) continue;
    const section = file.sections[symbol.sectionIndex ?? 0];
    if (!section || section.index === 0) continue;
    units.push({
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
    });
  }
  return { units, stubs };
}

function unitKind(symbol: ElfSymbol): UnitKind | null {
  if (symbol.sectionIndex === null) return null;
  if (symbol.type === STT_FUNC || symbol.type === STT_GNU_IFUNC) return "function";
  if (symbol.type === STT_OBJECT || symbol.type === STT_TLS) return "object";
  return null;
}

function groupBySection(units: readonly Unit[]): Map<number, Unit[]> {
  const bySection = new Map<number, Unit[]>();
  for (const unit of units) {
    const list = bySection.get(unit.section.index);
    if (list) list.push(unit);
    else bySection.set(unit.section.index, [unit]);
  }
  return bySection;
}

/**
 * Orders a section's units; gives size-0 functions the bytes up to the next symbol and each unit
 * the gap before it (padding, stubs, entry nops). Units that change are replaced in `list` and
 * recorded in `replaced`.
 */
function settleSection(section: ElfSection, list: Unit[], replaced: Map<Unit, Unit>): void {
  list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.symbol.index - b.symbol.index));
  let previousEnd = 0n;
  for (let i = 0; i < list.length; i++) {
    let unit = list[i]!;
    if (unit.end === unit.start && unit.kind === "function")
      unit = { ...unit, end: nextStart(section, list, i) };
    const ownedFrom = previousEnd < unit.start ? previousEnd : unit.start;
    if (ownedFrom !== unit.start || unit !== list[i]) unit = { ...unit, ownedFrom };
    if (unit !== list[i]) replaced.set(list[i]!, unit);
    list[i] = unit;
    if (unit.end > previousEnd) previousEnd = unit.end;
  }
}

/** Where the next unit after `list[i]` starts, or the section's end. */
function nextStart(section: ElfSection, list: readonly Unit[], i: number): bigint {
  const start = list[i]!.start;
  for (let j = i + 1; j < list.length; j++) if (list[j]!.start > start) return list[j]!.start;
  return section.size;
}

/** Symbols at the same place with the same size and kind: keep the one a reader would name. */
function markAliases(list: readonly Unit[]): void {
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

function firstFunctionByName(units: readonly Unit[]): Map<string, Unit> {
  const functionsByName = new Map<string, Unit>();
  for (const unit of units)
    if (unit.kind === "function" && !functionsByName.has(unit.name)) functionsByName.set(unit.name, unit);
  return functionsByName;
}

/** Stubs join the function they precede. */
function attachStubs(functionsByName: ReadonlyMap<string, Unit>, stubs: readonly ElfSymbol[]): void {
  for (const stub of stubs) {
    const target = functionsByName.get(stubTarget(stub.name) ?? "");
    if (target && target.section.index === stub.sectionIndex) target.stubs.push(stub);
  }
}

/** gcc's split parts (.cold, .part.N) are children of the function named before the suffix. */
function attachSplitParts(units: readonly Unit[], functionsByName: ReadonlyMap<string, Unit>): void {
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
}

/** The function a split part belongs to: `foo.cold` → `foo`, `foo.part.0` → `foo`, `foo.part.0.cold` → `foo.part.0`. */
export function splitParentName(name: string): string | null {
  const cold = coldParent(name);
  if (cold !== null) return cold;
  const at = name.indexOf(".part.");
  return at > 0 ? name.slice(0, at) : null;
}

/**
 * The unit covering `offset` of `section` (its own bytes, or with `owned` the bytes it owns before
 * them), a function before a data object; aliases give way to the unit they stand for.
 */
export function unitAt(
  index: UnitIndex,
  section: ElfSection,
  offset: bigint,
  owned: boolean,
): Unit | undefined {
  const list = index.bySection.get(section.index);
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
    if (kind === "function" && coldParent(name) === rest) return true;
  }
  return false;
}
