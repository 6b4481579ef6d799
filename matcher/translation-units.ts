// A linked relocatable (vmlinux.o, a module's <mod>.o) split back into its translation units.
// ld -r and ld.lld -r both merge input sections of the same name into one output section (three
// files' static `helper` share one .text.helper), so a unit is a list of pieces: the byte ranges
// of output sections that its symbols cover. Locals belong to the STT_FILE symbol they follow (both
// linkers write each input file's locals after its FILE symbol, all globals after every local);
// globals have no FILE (tools/objtool/klp-diff.c: "globals don't have file associations") and are
// placed by the evidence below.
import { SHF_ALLOC, SHF_MERGE, STB_LOCAL, STT_FILE, STT_FUNC, STT_SECTION } from "../elf/constants.js";
import type { ElfFile, ElfRelocation, ElfRelocationSection, ElfSection, ElfSymbol } from "../elf/types.js";
import { llvmHash } from "../lib/symbol-name.js";
import { diffArchOf, landingBias } from "./arch/index.js";

/** A byte range of an output section that one unit's symbols cover. */
export interface Piece {
  readonly section: ElfSection;
  readonly start: bigint;
  end: bigint;
  /** The symbols that start in it (a function, its __pfx_ stub, aliases), in address order. */
  readonly anchors: ElfSymbol[];
  /** Index of the unit it belongs to; -1 while unknown. */
  unit: number;
}

export interface TranslationUnit {
  readonly index: number;
  /** The STT_FILE name (gcc and clang write the source's base name: `core.c`). */
  readonly file: string;
  /** The unit's path: the per-file object it was linked from with the source's suffix, else `file`. */
  path: string;
  /** The per-file object (from the link order), null when not known. */
  member: string | null;
  readonly fileSymbol: ElfSymbol | null;
  /** Its symbols: the locals of its FILE run and the globals placed in it. */
  readonly symbols: ElfSymbol[];
  readonly pieces: Piece[];
}

export interface LinkedUnits {
  readonly file: ElfFile;
  /** The units in link order; the last one, `unplaced`, holds what no evidence placed. */
  readonly units: readonly TranslationUnit[];
  readonly unplaced: TranslationUnit;
  /** Each section's pieces by start; sections with no symbol of their own have none. */
  readonly piecesOf: ReadonlyMap<number, readonly Piece[]>;
  /** The piece covering a place of a section, if any. */
  pieceAt(section: number, offset: bigint): Piece | undefined;
  /** A relocation's landing place relative to its target symbol's section (addend + arch bias). */
  landing(r: ElfRelocation, from: ElfSection): bigint;
  /** Relocations applying to a section, decoded once, by offset. */
  relocationsOf(section: number): readonly ElfRelocation[];
}

export interface PartitionOptions {
  /** The per-file objects in link order (vmlinux.a's members, a .mod's list), paths from the top. */
  readonly members?: readonly string[] | null;
  /** Global name → the per-file object that defines it (read from ELF per-file objects, gcc builds). */
  readonly globalHomes?: ReadonlyMap<string, string>;
  /** The path of the unplaced pseudo-unit (the linked object's own path). */
  readonly unplacedPath: string;
  /** Place the globals nothing else places by the units their relocations reach (default true). */
  readonly vote?: boolean;
}

function isAnchor(s: ElfSymbol): boolean {
  if (s.sectionIndex === null || s.sectionIndex === 0 || s.type === STT_SECTION || s.type === STT_FILE)
    return false;
  return s.name !== "" && !s.name.startsWith(".L") && !s.name.startsWith("$");
}

const isStub = (name: string): boolean => name.startsWith("__pfx_") || name.startsWith("__cfi_");

/** Splits each section at the symbols that start a new range; a stub's range runs on into its function. */
function cutPieces(file: ElfFile, symbols: readonly ElfSymbol[]): Map<number, Piece[]> {
  const bySection = new Map<number, ElfSymbol[]>();
  for (const s of symbols) {
    if (!isAnchor(s)) continue;
    const list = bySection.get(s.sectionIndex!);
    if (list) list.push(s);
    else bySection.set(s.sectionIndex!, [s]);
  }
  const out = new Map<number, Piece[]>();
  for (const [index, list] of bySection) {
    const section = file.sections[index]!;
    if ((section.flags & SHF_ALLOC) === 0n) continue;
    list.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.index - b.index));
    const pieces: Piece[] = [];
    let current: Piece | null = null;
    let extent = 0n;
    let stubOpen = false;
    for (const s of list) {
      if (current === null || (s.value >= extent && !stubOpen && s.value > current.start)) {
        if (current !== null) current.end = s.value;
        current = { section, start: s.value, end: section.size, anchors: [], unit: -1 };
        pieces.push(current);
        extent = s.value;
      }
      current.anchors.push(s);
      if (s.value + s.size > extent) extent = s.value + s.size;
      stubOpen = isStub(s.name);
    }
    out.set(index, pieces);
  }
  return out;
}

/** The FILE runs: a unit per STT_FILE, its locals, and which output sections' symbols sit in its run. */
function fileRuns(symbols: readonly ElfSymbol[]): {
  units: TranslationUnit[];
  unitOfLocal: Map<number, number>;
  sectionCreator: Map<number, number>;
} {
  const units: TranslationUnit[] = [];
  const unitOfLocal = new Map<number, number>();
  // ld.lld writes an output section's STT_SECTION symbol in the run of the file that first adds to it
  const sectionCreator = new Map<number, number>();
  let run = -1;
  for (const s of symbols) {
    if (s.index === 0 || s.bind !== STB_LOCAL) continue;
    if (s.type === STT_FILE) {
      run = units.length;
      units.push({
        index: run,
        file: s.name,
        path: s.name,
        member: null,
        fileSymbol: s,
        symbols: [],
        pieces: [],
      });
    } else if (run >= 0 && s.type === STT_SECTION) {
      if (s.sectionIndex !== null && !sectionCreator.has(s.sectionIndex))
        sectionCreator.set(s.sectionIndex, run);
    } else if (run >= 0) {
      unitOfLocal.set(s.index, run);
      units[run]!.symbols.push(s);
    }
  }
  return { units, unitOfLocal, sectionCreator };
}

const stem = (p: string): string => {
  const base = p.slice(p.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
};

/**
 * Gives each unit its per-file object, among the members whose stem its FILE name has: the k-th such
 * unit the k-th such member when both count the same (the link order holds among them, though kbuild
 * moves some objects ahead: scripts/Makefile.vmlinux_a), else the untaken member nearest its place.
 */
function resolvePaths(units: readonly TranslationUnit[], members: readonly string[]): void {
  const membersOf = new Map<string, number[]>();
  members.forEach((m, i) => {
    const list = membersOf.get(stem(m));
    if (list) list.push(i);
    else membersOf.set(stem(m), [i]);
  });
  const unitsOf = new Map<string, TranslationUnit[]>();
  for (const u of units) {
    const list = unitsOf.get(stem(u.file));
    if (list) list.push(u);
    else unitsOf.set(stem(u.file), [u]);
  }
  const scale = members.length / Math.max(1, units.length);
  for (const [key, list] of unitsOf) {
    const candidates = [...(membersOf.get(key) ?? [])];
    for (let k = 0; k < list.length && candidates.length > 0; k++) {
      const u = list[k]!;
      let pick = 0;
      if (candidates.length !== list.length - k) {
        const want = u.index * scale;
        for (let c = 1; c < candidates.length; c++) {
          if (Math.abs(candidates[c]! - want) < Math.abs(candidates[pick]! - want)) pick = c;
        }
      }
      const m = members[candidates.splice(pick, 1)[0]!]!;
      u.member = m;
      const suffix = u.file.lastIndexOf(".") > 0 ? u.file.slice(u.file.lastIndexOf(".")) : ".c";
      u.path = `${m.replace(/\.o$/, "")}${suffix}`;
    }
  }
}

/** Splits a linked relocatable into its translation units. */
export function partitionLinked(file: ElfFile, opts: PartitionOptions): LinkedUnits {
  const symbols = file.symbols();
  const { units, unitOfLocal, sectionCreator } = fileRuns(symbols);
  if (opts.members) resolvePaths(units, opts.members);
  const unplaced: TranslationUnit = {
    index: units.length,
    file: opts.unplacedPath,
    path: opts.unplacedPath,
    member: null,
    fileSymbol: null,
    symbols: [],
    pieces: [],
  };
  const piecesOf = cutPieces(file, symbols);
  const arch = diffArchOf(file.header.machine);
  const relocCache = new Map<number, readonly ElfRelocation[]>();
  // file.relocationsFor scans every relocation section per call: index them by target once
  const bySection = new Map<number, ElfRelocationSection[]>();
  for (const rs of file.relocationSections()) {
    if (rs.target === null) continue;
    const list = bySection.get(rs.target.index);
    if (list) list.push(rs);
    else bySection.set(rs.target.index, [rs]);
  }
  const linked: LinkedUnits = {
    file,
    units: [...units, unplaced],
    unplaced,
    piecesOf,
    pieceAt: (section, offset) => findPiece(piecesOf.get(section), offset),
    landing: (r, from) => (r.addend ?? 0n) + landingBias(arch, r.typeName, from.data, Number(r.offset)),
    relocationsOf(section) {
      let list = relocCache.get(section);
      if (list === undefined) {
        const sections = bySection.get(section) ?? [];
        const raw = sections.length === 1 ? sections[0]!.entries() : sections.flatMap((rs) => rs.entries());
        let sorted = true;
        for (let i = 1; i < raw.length && sorted; i++) sorted = raw[i - 1]!.offset <= raw[i]!.offset;
        list = sorted
          ? raw
          : [...raw].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
        relocCache.set(section, list);
      }
      return list;
    },
  };
  placePieces(linked, units, unitOfLocal, sectionCreator, opts.globalHomes, opts.vote ?? true);
  for (const list of piecesOf.values()) {
    for (const p of list) {
      const u = p.unit >= 0 ? units[p.unit]! : unplaced;
      u.pieces.push(p);
      for (const a of p.anchors) if (a.bind !== STB_LOCAL) u.symbols.push(a);
    }
  }
  return linked;
}

function findPiece(list: readonly Piece[] | undefined, offset: bigint): Piece | undefined {
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = list[mid]!;
    if (offset < p.start) hi = mid - 1;
    else if (offset >= p.end) lo = mid + 1;
    else return p;
  }
  return undefined;
}

/**
 * Places every piece: by a local anchor's FILE run; a global's by, in turn, the run holding its
 * section's symbol (ld.lld, for the section's first piece), the per-file object that defines it,
 * the unit of another name with the same .llvm.<hash> (ThinLTO gives all promoted names of a module
 * one hash), and the unit of the locals its relocations reach.
 */
function placePieces(
  linked: LinkedUnits,
  units: readonly TranslationUnit[],
  unitOfLocal: ReadonlyMap<number, number>,
  sectionCreator: ReadonlyMap<number, number>,
  globalHomes: ReadonlyMap<string, string> | undefined,
  vote: boolean,
): void {
  const unitOfMember = new Map<string, number>();
  for (const u of units) if (u.member !== null) unitOfMember.set(u.member, u.index);
  const unitOfHash = new Map<string, number>();
  const open: Piece[] = [];
  const noteHashes = (p: Piece): void => {
    for (const a of p.anchors) {
      const h = llvmHash(a.name);
      if (h !== null && !unitOfHash.has(h)) unitOfHash.set(h, p.unit);
    }
  };
  for (const [index, list] of linked.piecesOf) {
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      const local = p.anchors.find((a) => unitOfLocal.has(a.index));
      if (local !== undefined) p.unit = unitOfLocal.get(local.index)!;
      else if (i === 0 && sectionCreator.has(index)) p.unit = sectionCreator.get(index)!;
      else {
        const home =
          globalHomes && p.anchors.map((a) => globalHomes.get(a.name)).find((m) => m !== undefined);
        const u = home !== undefined ? unitOfMember.get(home) : undefined;
        if (u !== undefined) p.unit = u;
      }
      if (p.unit >= 0) noteHashes(p);
      else open.push(p);
    }
  }
  // placing a piece can place others (its hash, the pieces that reach it): again while that happens
  let pending = open;
  for (let round = 0; round < 4 && pending.length > 0; round++) {
    const still: Piece[] = [];
    for (const p of pending) {
      const byHash = p.anchors.map((a) => llvmHash(a.name)).find((h) => h !== null && unitOfHash.has(h));
      p.unit =
        byHash != null ? unitOfHash.get(byHash)! : vote ? voteByReferences(linked, p, unitOfLocal) : -1;
      if (p.unit >= 0) noteHashes(p);
      else still.push(p);
    }
    if (still.length === pending.length) break;
    pending = still;
  }
  placeBetween(linked);
}

/**
 * ld -r lays each input section out whole, so the pieces of a merged output section that lie
 * between two pieces of one unit are that unit's too (globals of `.init.text`, `.text.unlikely`).
 */
function placeBetween(linked: LinkedUnits): void {
  for (const list of linked.piecesOf.values()) {
    let last = -1;
    for (let i = 0; i < list.length; i++) {
      const u = list[i]!.unit;
      if (u < 0) continue;
      if (last >= 0 && i - last > 1 && list[last]!.unit === u) {
        for (let j = last + 1; j < i; j++) list[j]!.unit = u;
      }
      last = i;
    }
  }
}

/** The unit whose locals (or placed pieces) a piece's relocations reach most; -1 when none or a tie. */
function voteByReferences(linked: LinkedUnits, p: Piece, unitOfLocal: ReadonlyMap<number, number>): number {
  const symbols = linked.file.symbols();
  const votes = new Map<number, number>();
  for (const r of pieceRelocations(linked, p)) {
    const s = symbols[r.symbolIndex];
    if (!s) continue;
    let u = unitOfLocal.get(s.index);
    if (u === undefined && s.type === STT_SECTION && s.sectionIndex !== null) {
      const target = linked.pieceAt(s.sectionIndex, s.value + linked.landing(r, p.section));
      if (target && target !== p && target.unit >= 0) u = target.unit;
    }
    if (u !== undefined) votes.set(u, (votes.get(u) ?? 0) + 1);
  }
  let best = -1;
  let bestCount = 0;
  let tie = false;
  for (const [u, n] of votes) {
    if (n > bestCount) {
      best = u;
      bestCount = n;
      tie = false;
    } else if (n === bestCount) tie = true;
  }
  return tie ? -1 : best;
}

/** Whether a section is shared whole by every unit that reaches it (merged strings and constants). */
export function isMergedSection(section: ElfSection): boolean {
  return (section.flags & SHF_MERGE) !== 0n && (section.flags & SHF_ALLOC) !== 0n;
}

/** Sections gcc and clang use without -ffunction-sections too (and the kernel's own `.text..*`). */
const PLAIN_TEXT = new Set([
  ".text.unlikely",
  ".text.hot",
  ".text.startup",
  ".text.exit",
  ".text.unknown",
  ".text.split",
]);

/** Whether the object was built with -ffunction-sections: some function sits in a `.text.<name>` of its own. */
export function hasFunctionSections(file: ElfFile): boolean {
  for (const s of file.symbols()) {
    if (s.type !== STT_FUNC || s.sectionIndex === null) continue;
    const name = file.sections[s.sectionIndex]?.name ?? "";
    if (name.startsWith(".text.") && !name.startsWith(".text..") && !PLAIN_TEXT.has(name)) return true;
  }
  return false;
}

/** The relocations applying inside a piece, by offset. */
export function pieceRelocations(linked: LinkedUnits, p: Piece): readonly ElfRelocation[] {
  const list = linked.relocationsOf(p.section.index);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.offset < p.start) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < list.length && list[end]!.offset < p.end) end++;
  return lo === 0 && end === list.length ? list : list.slice(lo, end);
}
