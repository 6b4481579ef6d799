// The diff step on two linked relocatables (vmlinux.o, a module's <mod>.o) of the same
// configuration: each translation unit against its twin, the way the diff step compares two
// per-file objects. The section screen (section-screen.ts) first tells the sections that hold no
// change; only units with a piece elsewhere are compared piece by piece (same bytes, relocations
// reaching the same targets, .llvm.<hash> renames looked through), and only those that differ get
// their model built.
import { STB_LOCAL, STT_NOTYPE, STT_SECTION } from "../elf/constants.js";
import type { ElfFile, ElfRelocation, ElfSymbol } from "../elf/types.js";
import { InputError } from "../lib/input-error.js";
import type { FunctionChange, ObjectDiff } from "../lib/report/diff-types.js";
import { llvmHash, stripLlvmSuffix } from "../lib/symbol-name.js";
import { diffObjects } from "./diff.js";
import { type Screen, screenSections } from "./section-screen.js";
import {
  functionSections,
  isMergedSection,
  type LinkedUnits,
  type Piece,
  partitionLinked,
  type TranslationUnit,
  unitHashes,
} from "./translation-units.js";
import { tableSlices, unitObject } from "./unit-object.js";

export interface LinkedSide {
  readonly file: ElfFile;
  /** The per-file objects in link order, paths from the build's top. */
  readonly members?: readonly string[] | null;
  readonly globalHomes?: ReadonlyMap<string, string>;
}

/** One unit whose diff was computed: its path and both sides as objects of their own. */
export interface UnitDiff {
  readonly path: string;
  readonly member: string | null;
  readonly diff: ObjectDiff;
  readonly orig: ElfFile;
  readonly patched: ElfFile;
}

export interface LinkedDiff {
  readonly units: readonly UnitDiff[];
  /** How many units both objects hold, and how many were equal by bytes and relocations. */
  readonly total: number;
  readonly skipped: number;
}

/** A linked object every one of whose functions shares one section cannot be split by function. */
export function checkFunctionSections(file: ElfFile): void {
  const { functions, ownSections } = functionSections(file);
  if (functions && !ownSections) {
    throw new InputError(
      file.path,
      'no function sections (.text.<function>): rebuild both trees with KCFLAGS="-ffunction-sections -fdata-sections", as livepatch builds do',
    );
  }
}

/** Units paired in link order; their FILE names must agree (tools/objtool/klp-diff.c correlates FILE symbols so). */
function pairUnits(o: LinkedUnits, p: LinkedUnits): void {
  const a = o.units;
  const b = p.units;
  const n = Math.min(a.length, b.length) - 1;
  for (let i = 0; i < n; i++) {
    if (a[i]!.file !== b[i]!.file) {
      throw new InputError(
        p.file.path,
        `translation unit #${i + 1} is ${b[i]!.file} where ${o.file.path} has ${a[i]!.file}: not the same configuration built twice (build both trees from one .config)`,
      );
    }
  }
  if (a.length !== b.length) {
    throw new InputError(
      p.file.path,
      `${b.length - 1} translation units where ${o.file.path} has ${a.length - 1}: not the same configuration built twice (build both trees from one .config)`,
    );
  }
}

/**
 * The units the screen cannot call equal: those with a piece in a section it left unclean (only
 * those pieces need comparing), and those whose pieces are not the same places of twin sections
 * (a piece placed in another unit: all of theirs are compared).
 */
function unitsToCompare(o: LinkedUnits, p: LinkedUnits, screen: Screen): Map<number, "dirty" | "all"> {
  const out = new Map<number, "dirty" | "all">();
  const count = new Int32Array(o.units.length);
  const sum = new Int32Array(o.units.length);
  const add = (side: LinkedUnits, dirty: Uint8Array, twin: Int32Array | null, sign: number) => {
    const { pieces, pieceUnit } = side.columns;
    for (let k = 0; k < pieces.count; k++) {
      const u = pieceUnit[k]!;
      const section = pieces.section[k]!;
      if (dirty[section]) out.set(u, "dirty");
      count[u]! += sign;
      // a hash of the places (a twin section's index, an offset): equal sums mean the same places
      const place = twin === null ? section : twin[section]!;
      sum[u] = (sum[u]! + sign * ((Math.imul(place, 65599) + pieces.start[k]!) | 0)) | 0;
    }
  };
  add(o, screen.origDirty, screen.twin, 1);
  add(p, screen.patchedDirty, null, -1);
  for (let u = 0; u < o.units.length; u++) if (count[u] !== 0 || sum[u] !== 0) out.set(u, "all");
  return new Map([...out].sort((x, y) => x[0] - y[0]));
}

/** Whether unit u is the same on both sides: all its pieces, or those the screen left unclean. */
function unitSame(
  o: LinkedUnits,
  p: LinkedUnits,
  u: number,
  which: "dirty" | "all",
  screen: Screen,
): boolean {
  if (which === "all") return unitsEqual(o, o.units[u]!, p, p.units[u]!);
  const dirtyPieces = (side: LinkedUnits, dirty: Uint8Array): Piece[] => {
    const out: Piece[] = [];
    const ids = side.pieceIds(u);
    for (let i = 0; i < ids.length; i++)
      if (dirty[side.columns.pieces.section[ids[i]!]!]) out.push(side.piece(ids[i]!));
    return out;
  };
  return piecesEqual(o, dirtyPieces(o, screen.origDirty), p, dirtyPieces(p, screen.patchedDirty));
}

export interface LinkedDiffOptions {
  /** Compare every unit piece by piece, without the section screen (what the screen must agree with). */
  readonly screen?: boolean;
}

export function diffLinkedObjects(
  orig: LinkedSide,
  patched: LinkedSide,
  opts: LinkedDiffOptions = {},
): LinkedDiff {
  for (const f of [orig.file, patched.file]) checkFunctionSections(f);
  const partition = (side: LinkedSide, vote: boolean): LinkedUnits =>
    partitionLinked(side.file, {
      members: side.members ?? null,
      ...(side.globalHomes ? { globalHomes: side.globalHomes } : {}),
      unplacedPath: side.file.path,
      vote,
    });
  // placing globals by the places their code reaches changes which unit a change is reported in:
  // only when the globals left unplaced without it differ
  let o = partition(orig, false);
  let p = partition(patched, false);
  pairUnits(o, p);
  const screen = screenSections(o, p);
  const toCompare = (): Map<number, "dirty" | "all"> =>
    opts.screen === false ? new Map(o.units.map((u) => [u.index, "all"])) : unitsToCompare(o, p, screen);
  let compare = toCompare();
  const unplaced = compare.get(o.unplaced.index);
  if (unplaced !== undefined && !unitSame(o, p, o.unplaced.index, unplaced, screen)) {
    o = partition(orig, true);
    p = partition(patched, true);
    compare = toCompare();
  }
  const differ = [...compare].filter(([u, which]) => !unitSame(o, p, u, which, screen)).map(([u]) => u);
  const oSlices = tableSlices(o, new Set(differ));
  const pSlices = tableSlices(p, new Set(differ));
  const units: UnitDiff[] = differ.map((i) => {
    const ou = o.units[i]!;
    const pu = p.units[i]!;
    const origView = unitObject(o, ou, oSlices, ou.path);
    const patchedView = unitObject(p, pu, pSlices, pu.path);
    return {
      path: ou.path,
      member: ou.member,
      diff: diffObjects(origView, patchedView),
      orig: origView,
      patched: patchedView,
    };
  });
  const twins = hashTwins(o, p);
  return {
    units: twins.size === 0 ? units : units.map((u) => ({ ...u, diff: withOrigHashes(u.diff, twins) })),
    total: o.units.length,
    skipped: o.units.length - units.length,
  };
}

/** Patched hash → orig hash of the paired units (what klp-diff.c's suffix map records for find_twin_suffixed). */
function hashTwins(o: LinkedUnits, p: LinkedUnits): Map<string, string> {
  const twins = new Map<string, string>();
  const a = unitHashes(o);
  const b = unitHashes(p);
  for (let i = 0; i < a.length; i++) {
    if (a[i] != null && b[i] != null && a[i] !== b[i]) twins.set(b[i]!, a[i]!);
  }
  return twins;
}

/**
 * A reference to another unit's promoted static carries that unit's patched hash: its orig name is
 * the same name with the orig hash (the kernel has only that one).
 */
function withOrigHashes(diff: ObjectDiff, twins: ReadonlyMap<string, string>): ObjectDiff {
  const fix = (f: FunctionChange): FunctionChange => ({
    ...f,
    references: f.references.map((r) => {
      const h = r.defined ? null : llvmHash(r.name);
      const orig = h === null ? undefined : twins.get(h);
      return orig === undefined ? r : { ...r, origName: `${stripLlvmSuffix(r.name)}.llvm.${orig}` };
    }),
  });
  return { ...diff, changed: diff.changed.map(fix), new: diff.new.map(fix) };
}

const pieceKey = (p: Piece): string =>
  `${stripLlvmSuffix(p.anchors[0]?.name ?? "")}\0${stripLlvmSuffix(p.section.name)}`;

function sortedPieces(pieces: readonly Piece[]): Piece[] {
  const keyed = pieces.map((p) => ({ p, k: pieceKey(p) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.p);
}

/** Whether two units hold the same pieces: names (hash looked through), sizes, bytes and relocations. */
function unitsEqual(o: LinkedUnits, ou: TranslationUnit, p: LinkedUnits, pu: TranslationUnit): boolean {
  return piecesEqual(o, ou.pieces, p, pu.pieces);
}

/** Whether two lists of pieces are the same, paired by name. */
function piecesEqual(o: LinkedUnits, ou: readonly Piece[], p: LinkedUnits, pu: readonly Piece[]): boolean {
  if (ou.length !== pu.length) return false;
  const a = sortedPieces(ou);
  const b = sortedPieces(pu);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (pieceKey(x) !== pieceKey(y) || x.end - x.start !== y.end - y.start) return false;
    if (x.anchors.length !== y.anchors.length) return false;
    for (let j = 0; j < x.anchors.length; j++) {
      const s = x.anchors[j]!;
      const t = y.anchors[j]!;
      if (s.size !== t.size || (s.name !== t.name && stripLlvmSuffix(s.name) !== stripLlvmSuffix(t.name)))
        return false;
      if (s.value - x.start !== t.value - y.start || s.type !== t.type || s.bind !== t.bind) return false;
    }
    if (!bytesEqual(x, y) || !relocationsEqual(o, x, p, y)) return false;
  }
  return true;
}

function bytesEqual(x: Piece, y: Piece): boolean {
  const a = x.section.data;
  const b = y.section.data;
  if (a === null || b === null) return a === b;
  return (
    Buffer.compare(a.subarray(Number(x.start), Number(x.end)), b.subarray(Number(y.start), Number(y.end))) ===
    0
  );
}

function relocationsEqual(o: LinkedUnits, x: Piece, p: LinkedUnits, y: Piece): boolean {
  const a = o.relocationsIn(x);
  const b = p.relocationsIn(y);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const r = a[i]!;
    const q = b[i]!;
    if (r.type !== q.type || r.offset - x.start !== q.offset - y.start) return false;
    const s = o.symbol(r.symbolIndex);
    const t = p.symbol(q.symbolIndex);
    if (!s || !t) return s === t;
    // the common case: the same named symbol, the same addend
    const sp = isPlace(s);
    const tp = isPlace(t);
    if (s.name === t.name && s.name !== "" && r.addend === q.addend && !sp && !tp) continue;
    if (sp && tp) {
      const same = samePlace(o, r, x, s, p, q, y, t);
      if (same === false) return false;
      if (same) continue;
    }
    if (targetKey(o, r, x, s) !== targetKey(p, q, y, t)) return false;
  }
  return true;
}

const isPlace = (s: ElfSymbol): boolean =>
  s.type === STT_SECTION || (s.type === STT_NOTYPE && s.bind === STB_LOCAL);

/** Whether two places land at the same offset of paired units' same-named pieces; null: not both in pieces. */
function samePlace(
  o: LinkedUnits,
  r: ElfRelocation,
  x: Piece,
  s: ElfSymbol,
  p: LinkedUnits,
  q: ElfRelocation,
  y: Piece,
  t: ElfSymbol,
): boolean | null {
  if (s.sectionIndex === null || t.sectionIndex === null) return null;
  const a = o.pieceAt(s.sectionIndex, s.value + o.landing(r, x.section));
  const b = p.pieceAt(t.sectionIndex, t.value + p.landing(q, y.section));
  if (a === undefined || b === undefined) return null;
  const aa = a.anchors[0]!;
  const ba = b.anchors[0]!;
  if (a.unit !== b.unit) return false;
  if (aa.name !== ba.name && stripLlvmSuffix(aa.name) !== stripLlvmSuffix(ba.name)) return false;
  return s.value + (r.addend ?? 0n) - aa.value === t.value + (q.addend ?? 0n) - ba.value;
}

/** What a relocation reaches, named the same way in both objects when it is the same target. */
function targetKey(linked: LinkedUnits, r: ElfRelocation, from: Piece, s: ElfSymbol): string {
  const addend = r.addend ?? 0n;
  if (!isPlace(s) || s.sectionIndex === null) {
    const hash = llvmHash(s.name);
    // a promoted static: the unit that defines it, not its hash (which a change of that unit renews)
    const home =
      hash !== null && s.sectionIndex !== null ? linked.pieceAt(s.sectionIndex, s.value)?.unit : undefined;
    return `${stripLlvmSuffix(s.name)}@${home ?? ""}+${addend}`;
  }
  const section = linked.section(s.sectionIndex);
  const landing = s.value + linked.landing(r, from.section);
  const bias = landing - s.value - addend;
  if (isMergedSection(section)) return `${section.name}:${contentAt(section.data, landing)}:${bias}`;
  const piece = linked.pieceAt(s.sectionIndex, landing);
  if (!piece) return `${section.name}+${s.value + addend}`;
  const anchor = piece.anchors[0]!;
  return `${stripLlvmSuffix(anchor.name)}@${piece.unit}+${s.value + addend - anchor.value}`;
}

/** The string (or up to 16 bytes of constant) at a place of a merged section. */
function contentAt(data: Uint8Array | null, at: bigint): string {
  if (data === null || at < 0n || at >= BigInt(data.length)) return `@${at}`;
  const start = Number(at);
  let end = start;
  while (end < data.length && data[end] !== 0 && end - start < 4096) end++;
  if (end === start) end = Math.min(data.length, start + 16);
  return Buffer.from(data.subarray(start, end)).toString("latin1");
}
