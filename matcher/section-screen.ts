// The screen before the diff of two linked relocatables: each allocated output section against its
// twin (same name, .llvm.<hash> looked through, same place among its namesakes), read as numbers
// straight from both files. A section is clean when its size, flags and bytes are the same, its
// symbols are the same (names, values, sizes, kinds, FILE runs) and so are its relocations: the
// same place, type and addend, reaching the same-named symbol, or the same place of a twin section
// that is itself unchanged (or the same string or constant of a merged section). What is clean can
// hold no change the unit-by-unit diff would see; the rest (a few sections for a patch) is diffed.
// Anything not sure (a renamed promoted static, a reach into a changed section) is left unclean.

import { type SectionColumns, sameName } from "../elf/columns.js";
import { SHF_ALLOC, STB_LOCAL, STT_NOTYPE, STT_SECTION } from "../elf/constants.js";
import { stripLlvmSuffix } from "../lib/symbol-name.js";
import { groupBy } from "./linked-pieces.js";
import { isMergedFlags, type LinkedUnits } from "./translation-units.js";

export interface Screen {
  /** Per section of each side: 1 when it is not known to be unchanged. */
  readonly origDirty: Uint8Array;
  readonly patchedDirty: Uint8Array;
  /** The twin in the patched object of each orig section, -1 for none. */
  readonly twin: Int32Array;
}

const ALLOC = Number(SHF_ALLOC);

/** Whether two sections' names are the same up to `.llvm.` (or whole, when exact), compared as bytes. */
function sameSectionName(
  o: SectionColumns,
  i: number,
  p: SectionColumns,
  j: number,
  exact: boolean,
): boolean {
  let x = o.nameStart(i);
  let y = p.nameStart(j);
  if (x < 0 || y < 0) return x === y;
  const a = o.nameBytes;
  const b = p.nameBytes;
  for (;;) {
    const c = a[x]!;
    if (c !== b[y]) return false;
    if (c === 0) return true;
    // `.llvm.` ends the compared name (both names have it here)
    if (
      !exact &&
      c === 0x2e &&
      a[x + 1] === 0x6c &&
      a[x + 2] === 0x6c &&
      a[x + 3] === 0x76 &&
      a[x + 4] === 0x6d &&
      a[x + 5] === 0x2e
    ) {
      return (
        b[y + 1] === 0x6c && b[y + 2] === 0x6c && b[y + 3] === 0x76 && b[y + 4] === 0x6d && b[y + 5] === 0x2e
      );
    }
    x++;
    y++;
  }
}

/**
 * Twins by name (hash looked through) and rank among namesakes; allocated sections only. Two builds
 * of one configuration mostly have the same sections in the same order: taken as they come while
 * that holds, by name only when it does not.
 */
function pairSections(o: SectionColumns, p: SectionColumns): Int32Array {
  const twin = new Int32Array(o.count).fill(-1);
  let inOrder = o.count === p.count;
  for (let i = 1; i < o.count && inOrder; i++) {
    inOrder = o.flags(i) === p.flags(i) && sameSectionName(o, i, p, i, false);
    if ((o.flags(i) & ALLOC) !== 0) twin[i] = i;
  }
  if (inOrder) return twin;
  twin.fill(-1);
  const byKey = new Map<string, number[]>();
  for (let j = p.count - 1; j > 0; j--) {
    if ((p.flags(j) & ALLOC) === 0) continue;
    const key = stripLlvmSuffix(p.name(j));
    const list = byKey.get(key);
    if (list) list.push(j);
    else byKey.set(key, [j]);
  }
  for (let i = 1; i < o.count; i++) {
    if ((o.flags(i) & ALLOC) === 0) continue;
    const j = byKey.get(stripLlvmSuffix(o.name(i)))?.pop();
    if (j !== undefined) twin[i] = j;
  }
  return twin;
}

/** Whether section i of a and section j of b hold the same bytes (their sizes are equal). */
function bytesEqual(a: SectionColumns, i: number, b: SectionColumns, j: number): boolean {
  const x = a.dataStart(i);
  const y = b.dataStart(j);
  if (x < 0 || y < 0) return x < 0 && y < 0;
  return a.bytes.compare(b.bytes, y, y + b.size(j), x, x + a.size(i)) === 0;
}

export function screenSections(o: LinkedUnits, p: LinkedUnits): Screen {
  const oc = o.columns;
  const pc = p.columns;
  const twin = pairSections(oc.sections, pc.sections);
  const origDirty = new Uint8Array(oc.sections.count);
  const patchedDirty = new Uint8Array(pc.sections.count).fill(1);
  // each section's symbols, in symbol-table order (symbol 0 has no section)
  const oSyms = groupBy(oc.symbols.section, oc.sections.count);
  const pSyms = groupBy(pc.symbols.section, pc.sections.count);
  // the layout: size, flags, bytes, name and symbols
  for (let i = 1; i < oc.sections.count; i++) {
    const j = twin[i]!;
    if (j < 0) {
      origDirty[i] = 1;
      continue;
    }
    patchedDirty[j] = 0;
    const same =
      oc.sections.size(i) === pc.sections.size(j) &&
      oc.sections.flags(i) === pc.sections.flags(j) &&
      oc.sections.type(i) === pc.sections.type(j) &&
      sameSectionName(oc.sections, i, pc.sections, j, true) &&
      bytesEqual(oc.sections, i, pc.sections, j) &&
      symbolsEqual(o, oSyms, i, p, pSyms, j);
    if (!same) {
      origDirty[i] = 1;
      patchedDirty[j] = 1;
    }
  }
  const layoutDirty = origDirty.slice();
  // the relocations, reaching places of sections whose layout is the same
  for (let i = 1; i < oc.sections.count; i++) {
    const j = twin[i]!;
    if (j < 0 || origDirty[i]) continue;
    if (!relocationsEqual(o, i, p, j, twin, layoutDirty)) {
      origDirty[i] = 1;
      patchedDirty[j] = 1;
    }
  }
  return { origDirty, patchedDirty, twin };
}

function symbolsEqual(
  o: LinkedUnits,
  oSyms: { from: Int32Array; list: Int32Array },
  i: number,
  p: LinkedUnits,
  pSyms: { from: Int32Array; list: Int32Array },
  j: number,
): boolean {
  const n = oSyms.from[i + 1]! - oSyms.from[i]!;
  if (n !== pSyms.from[j + 1]! - pSyms.from[j]!) return false;
  const a = o.columns.symbols;
  const b = p.columns.symbols;
  for (let k = 0; k < n; k++) {
    const x = oSyms.list[oSyms.from[i]! + k]!;
    const y = pSyms.list[pSyms.from[j]! + k]!;
    if (a.info[x] !== b.info[y] || a.other[x] !== b.other[y]) return false;
    if (a.value[x] !== b.value[y] || a.size[x] !== b.size[y]) return false;
    if (o.columns.run[x] !== p.columns.run[y] || !sameName(a, x, b, y)) return false;
  }
  return true;
}

/** Whether two sections' relocations are the same, table by table in file order (a reordering is a difference). */
function relocationsEqual(
  o: LinkedUnits,
  i: number,
  p: LinkedUnits,
  j: number,
  twin: Int32Array,
  layoutDirty: Uint8Array,
): boolean {
  const a = o.columns.relocations;
  const b = p.columns.relocations;
  let ta = a.first(i);
  let tb = b.first(j);
  for (; ta >= 0 && tb >= 0; ta = a.next(ta), tb = b.next(tb)) {
    const n = a.tables.entries(ta);
    if (n !== b.tables.entries(tb)) return false;
    for (let k = 0; k < n; k++) {
      if (!sameRelocation(o, ta, k, i, p, tb, k, j, twin, layoutDirty)) return false;
    }
  }
  return ta < 0 && tb < 0;
}

/**
 * Whether entry e of table t (applying to section `from`) of each side is at the same place with the
 * same type and addend, reaching the same thing.
 */
function sameRelocation(
  o: LinkedUnits,
  xt: number,
  xe: number,
  xFrom: number,
  p: LinkedUnits,
  yt: number,
  ye: number,
  yFrom: number,
  twin: Int32Array,
  layoutDirty: Uint8Array,
): boolean {
  const a = o.columns.relocations.tables;
  const b = p.columns.relocations.tables;
  if (a.offset(xt, xe) !== b.offset(yt, ye) || a.type(xt, xe) !== b.type(yt, ye)) return false;
  if (a.addend(xt, xe) !== b.addend(yt, ye)) return false;
  const sx = a.symbol(xt, xe);
  const sy = b.symbol(yt, ye);
  const sa = o.columns.symbols;
  const sb = p.columns.symbols;
  if (sa.info[sx] !== sb.info[sy]) return false;
  const type = sa.info[sx]! & 0xf;
  const place = type === STT_SECTION || (type === STT_NOTYPE && sa.info[sx]! >> 4 === STB_LOCAL);
  const secA = sa.section[sx]!;
  const secB = sb.section[sy]!;
  if (!place || secA < 0) {
    // a named symbol: the diff compares it by name (a renamed promoted static is not sure here)
    return sameName(sa, sx, sb, sy) && o.columns.run[sx] === p.columns.run[sy] && secA < 0 === secB < 0;
  }
  if (secB < 0 || twin[secA] !== secB || sa.value[sx] !== sb.value[sy]) return false;
  if (!layoutDirty[secA]) return true;
  // a changed merged section: the same string or constant at the place reached
  if (!isMergedFlags(o.columns.sections.flags(secA))) return false;
  const at = sa.value[sx]! + o.landingOf(a.type(xt, xe), a.addend(xt, xe), xFrom, a.offset(xt, xe));
  const bt = sb.value[sy]! + p.landingOf(b.type(yt, ye), b.addend(yt, ye), yFrom, b.offset(yt, ye));
  return sameContent(o.columns.sections.section(secA).data, at, p.columns.sections.section(secB).data, bt);
}

/** The string (up to 4096 bytes, or 16 bytes of constant when it starts with NUL) at two places. */
function sameContent(a: Uint8Array | null, at: number, b: Uint8Array | null, bt: number): boolean {
  if (a === null || b === null || at < 0 || bt < 0 || at >= a.length || bt >= b.length) return false;
  const length = (d: Uint8Array, s: number): number => {
    let e = s;
    while (e < d.length && d[e] !== 0 && e - s < 4096) e++;
    return e === s ? Math.min(d.length, s + 16) - s : e - s;
  };
  const n = length(a, at);
  if (n !== length(b, bt)) return false;
  for (let k = 0; k < n; k++) if (a[at + k] !== b[bt + k]) return false;
  return true;
}
