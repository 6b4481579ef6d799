// The pieces of a linked relocatable's sections, as columns: ld -r merges same-named input sections
// into one output section, and the symbols that start in it cut it back into the byte ranges each
// input file gave (a function, its __pfx_ stub, its aliases). With the relocations indexed by the
// section they apply to, in offset order. Numbers, not objects: a vmlinux.o has 40,000 pieces.

import {
  type RelocationTables,
  relocationTables,
  type SectionColumns,
  type SymbolColumns,
  sectionColumns,
} from "../elf/columns.js";
import { SHF_ALLOC, STT_FILE, STT_SECTION } from "../elf/constants.js";
import type { ElfFile } from "../elf/types.js";

export interface PieceTable {
  readonly count: number;
  readonly section: Int32Array;
  readonly start: Int32Array | Float64Array;
  readonly end: Int32Array | Float64Array;
  /** Piece k's anchors are anchors[anchorFrom[k] .. anchorFrom[k + 1]), in address order. */
  readonly anchorFrom: Int32Array;
  readonly anchors: Int32Array;
  /** The first piece of each section and how many it has (0: none). */
  readonly firstOf: Int32Array;
  readonly countOf: Int32Array;
}

/** Whether a symbol starts a range of its own: named, in a section, not a local label or mapping symbol. */
export function isAnchor(cols: SymbolColumns, i: number): boolean {
  if (i === 0 || cols.section[i]! <= 0) return false;
  const type = cols.info[i]! & 0xf;
  if (type === STT_SECTION || type === STT_FILE) return false;
  const at = cols.nameStart[i]!;
  if (at < 0) return false;
  const b = cols.bytes;
  const c = b[at]!;
  return c !== 0 && c !== 0x24 /* $ */ && !(c === 0x2e /* . */ && b[at + 1] === 0x4c); /* L */
}

/** Whether the name starts with `__pfx_` or `__cfi_` (a stub whose range runs on into its function). */
export function isStubName(cols: SymbolColumns, i: number): boolean {
  const at = cols.nameStart[i]!;
  if (at < 0) return false;
  const b = cols.bytes;
  if (b[at] !== 0x5f || b[at + 1] !== 0x5f || b[at + 5] !== 0x5f) return false;
  // "pfx" or "cfi" between
  if (b[at + 3] !== 0x66) return false;
  return (b[at + 2] === 0x70 && b[at + 4] === 0x78) || (b[at + 2] === 0x63 && b[at + 4] === 0x69);
}

/**
 * The indexes i of `keys` with keys[i] ≥ 0 (and take[i], when given), grouped by key (0..groups-1)
 * in index order: group k is list[from[k] .. from[k + 1]). A counting sort, with no scratch array.
 */
export function groupBy(
  keys: Int32Array,
  groups: number,
  take: Uint8Array | null = null,
): { from: Int32Array; list: Int32Array } {
  const from = new Int32Array(groups + 1);
  let total = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k < 0 || (take !== null && take[i] === 0)) continue;
    from[k + 1]!++;
    total++;
  }
  for (let k = 0; k < groups; k++) from[k + 1]! += from[k]!;
  const list = new Int32Array(total);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k >= 0 && (take === null || take[i] !== 0)) list[from[k]!++] = i;
  }
  // each from[k] ran on to the start of group k + 1: back one place
  for (let k = groups; k > 0; k--) from[k] = from[k - 1]!;
  from[0] = 0;
  return { from, list };
}

/** Cuts every allocated section at the symbols that start a new range (see isAnchor, isStubName). */
export function cutPieceTable(cols: SymbolColumns, secs: SectionColumns): PieceTable {
  const shnum = secs.count;
  const countOf = new Int32Array(shnum);
  // anchors by section (symbol order kept), then by address within each
  const allocated = new Uint8Array(shnum);
  for (let s = 0; s < shnum; s++) allocated[s] = (secs.flags(s) & Number(SHF_ALLOC)) !== 0 ? 1 : 0;
  const take = new Uint8Array(cols.count);
  for (let i = 0; i < cols.count; i++) take[i] = isAnchor(cols, i) && allocated[cols.section[i]!] ? 1 : 0;
  const { from, list: anchors } = groupBy(cols.section, shnum, take);
  const total = anchors.length;
  const value = cols.value;
  const byAddress = (a: number, b: number): number => value[a]! - value[b]! || a - b;
  for (let s = 0; s < shnum; s++) {
    if (from[s + 1]! - from[s]! > 1) anchors.subarray(from[s]!, from[s + 1]!).sort(byAddress);
  }
  const section = new Int32Array(total);
  // offsets in sections: small integers but in objects of over 2 GB
  const wide = secs.count > 0 && maxSectionSize(secs) > 0x7fffffff;
  const start = wide ? new Float64Array(total) : new Int32Array(total);
  const end = wide ? new Float64Array(total) : new Int32Array(total);
  const anchorFrom = new Int32Array(total + 1);
  const firstOf = new Int32Array(shnum).fill(-1);
  let n = 0;
  for (let s = 0; s < shnum; s++) {
    let extent = 0;
    let stubOpen = false;
    let current = -1;
    for (let k = from[s]!; k < from[s + 1]!; k++) {
      const i = anchors[k]!;
      const v = value[i]!;
      if (current < 0 || (v >= extent && !stubOpen && v > start[current]!)) {
        if (current >= 0) end[current] = v;
        current = n++;
        section[current] = s;
        start[current] = v;
        end[current] = secs.size(s);
        anchorFrom[current] = k;
        if (firstOf[s]! < 0) firstOf[s] = current;
        countOf[s]!++;
        extent = v;
      }
      if (v + cols.size[i]! > extent) extent = v + cols.size[i]!;
      stubOpen = isStubName(cols, i);
    }
  }
  anchorFrom[n] = total;
  return {
    count: n,
    section: section.subarray(0, n),
    start: start.subarray(0, n),
    end: end.subarray(0, n),
    anchorFrom: anchorFrom.subarray(0, n + 1),
    anchors,
    firstOf,
    countOf,
  };
}

function maxSectionSize(secs: SectionColumns): number {
  let max = 0;
  for (let s = 0; s < secs.count; s++) max = Math.max(max, secs.size(s));
  return max;
}

/** The piece covering a place of a section, -1 when none does. */
export function pieceIndexAt(t: PieceTable, sectionIndex: number, offset: number): number {
  if (sectionIndex < 0 || sectionIndex >= t.firstOf.length) return -1;
  let lo = t.firstOf[sectionIndex]!;
  if (lo < 0) return -1;
  let hi = lo + t.countOf[sectionIndex]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < t.start[mid]!) hi = mid - 1;
    else if (offset >= t.end[mid]!) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The relocations applying to one section, in offset order: entry k is entry(k) of table(k). */
export interface SectionRelocations {
  readonly count: number;
  offset(k: number): number;
  table(k: number): number;
  entry(k: number): number;
}

const NONE: SectionRelocations = { count: 0, offset: () => 0, table: () => -1, entry: () => 0 };

/** One relocation table already in offset order (what both linkers write). */
class InOrder implements SectionRelocations {
  readonly count: number;
  constructor(
    readonly tables: RelocationTables,
    readonly one: number,
  ) {
    this.count = tables.entries(one);
  }
  offset(k: number): number {
    return this.tables.offset(this.one, k);
  }
  table(): number {
    return this.one;
  }
  entry(k: number): number {
    return k;
  }
}

/** The relocation sections of a file indexed by the section they apply to. */
export class RelocationIndex {
  readonly tables: RelocationTables;
  /** Section → its first relocation table (-1: none); further ones chain through next(). */
  readonly #first: Int32Array;
  readonly #next: Int32Array;
  readonly #made = new Map<number, SectionRelocations>();

  constructor(file: ElfFile) {
    const t = relocationTables(file);
    this.tables = t;
    const shnum = sectionColumns(file).count;
    this.#first = new Int32Array(shnum).fill(-1);
    this.#next = new Int32Array(t.count).fill(-1);
    // from the last table back, each put first: the chains come out in table order
    for (let k = t.count - 1; k >= 0; k--) {
      const target = t.target[k]!;
      if (target === 0) continue;
      this.#next[k] = this.#first[target]!;
      this.#first[target] = k;
    }
  }

  /** The first table applying to a section, -1 for none; next(t) the one after t. */
  first(section: number): number {
    return this.#first[section] ?? -1;
  }

  next(t: number): number {
    return this.#next[t]!;
  }

  /** A section's relocations in offset order, made once. */
  of(section: number): SectionRelocations {
    let list = this.#made.get(section);
    if (list === undefined) {
      list = this.#make(section);
      this.#made.set(section, list);
    }
    return list;
  }

  #make(section: number): SectionRelocations {
    const first = this.first(section);
    if (first < 0) return NONE;
    const t = this.tables;
    if (this.#next[first] === -1) {
      let sorted = true;
      for (let i = 1; sorted && i < t.entries(first); i++)
        sorted = t.offset(first, i - 1) <= t.offset(first, i);
      if (sorted) return new InOrder(t, first);
    }
    // several tables, or one out of order: one list by offset (a stable sort keeps each table's order)
    const refs: { t: number; e: number; o: number }[] = [];
    for (let k = first; k >= 0; k = this.#next[k]!) {
      for (let e = 0; e < t.entries(k); e++) refs.push({ t: k, e, o: t.offset(k, e) });
    }
    refs.sort((a, b) => a.o - b.o);
    return {
      count: refs.length,
      offset: (k) => refs[k]!.o,
      table: (k) => refs[k]!.t,
      entry: (k) => refs[k]!.e,
    };
  }

  /** The entries of a section's relocations whose offset lies in [start, end): [from, to). */
  range(section: number, start: number, end: number): { list: SectionRelocations; from: number; to: number } {
    const list = this.of(section);
    let lo = 0;
    let hi = list.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list.offset(mid) < start) lo = mid + 1;
      else hi = mid;
    }
    let to = lo;
    while (to < list.count && list.offset(to) < end) to++;
    return { list, from: lo, to };
  }
}

const MARK = [0x2e, 0x6c, 0x6c, 0x76, 0x6d, 0x2e]; // ".llvm."

/** Whether a symbol's name holds `.llvm.`, looked for in the bytes (most names don't). */
export function hasLlvmMark(cols: SymbolColumns, i: number): boolean {
  let at = cols.nameStart[i]!;
  if (at < 0) return false;
  const b = cols.bytes;
  for (; b[at] !== 0; at++) {
    if (b[at] !== 0x2e) continue;
    let k = 1;
    while (k < 6 && b[at + k] === MARK[k]) k++;
    if (k === 6) return true;
  }
  return false;
}
