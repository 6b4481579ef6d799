// A linked relocatable (vmlinux.o, a module's <mod>.o) split back into its translation units.
// ld -r and ld.lld -r both merge input sections of the same name into one output section (three
// files' static `helper` share one .text.helper), so a unit is a list of pieces: the byte ranges
// of output sections that its symbols cover (linked-pieces.ts). Locals belong to the STT_FILE symbol
// they follow (both linkers write each input file's locals after its FILE symbol, all globals after
// every local); globals have no FILE (tools/objtool/klp-diff.c: "globals don't have file
// associations") and are placed by the evidence below. The split is kept as columns; the pieces and
// symbols of a unit become objects when they are asked for (a diff asks for the few that changed).

import { type SectionColumns, type SymbolColumns, sectionColumns, symbolColumns } from "../elf/columns.js";
import { SHF_ALLOC, SHF_MERGE, STB_LOCAL, STT_FUNC, STT_SECTION } from "../elf/constants.js";
import { sectionLookupOf } from "../elf/file.js";
import { relocationTypeName } from "../elf/relocation-types.js";
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "../elf/types.js";
import { llvmHash } from "../lib/symbol-name.js";
import { type DiffArch, diffArchOf, landingBias } from "./arch/index.js";
import { fileRuns, type Run, resolvePaths } from "./file-runs.js";
import {
  cutPieceTable,
  groupBy,
  hasLlvmMark,
  type PieceTable,
  pieceIndexAt,
  RelocationIndex,
} from "./linked-pieces.js";
import { placePieces } from "./piece-placement.js";

/** A byte range of an output section that one unit's symbols cover. */
export interface Piece {
  /** Its index in the piece table. */
  readonly id: number;
  readonly section: ElfSection;
  readonly start: bigint;
  readonly end: bigint;
  /** The symbols that start in it (a function, its __pfx_ stub, aliases), in address order. */
  readonly anchors: readonly ElfSymbol[];
  /** Index of the unit it belongs to (the unplaced unit's when no evidence placed it). */
  readonly unit: number;
}

export interface TranslationUnit {
  readonly index: number;
  /** The STT_FILE name (gcc and clang write the source's base name: `core.c`). */
  readonly file: string;
  /** The unit's path: the per-file object it was linked from with the source's suffix, else `file`. */
  readonly path: string;
  /** The per-file object (from the link order), null when not known. */
  readonly member: string | null;
  readonly fileSymbol: ElfSymbol | null;
  /** Its symbols: the locals of its FILE run and the globals placed in it. */
  readonly symbols: readonly ElfSymbol[];
  /** Its pieces, by section and offset. */
  readonly pieces: readonly Piece[];
}

/** The split as numbers: what placing and screening read. */
export interface LinkedColumns {
  readonly symbols: SymbolColumns;
  readonly sections: SectionColumns;
  readonly pieces: PieceTable;
  /** The unit of each piece; the unplaced unit's index for pieces no evidence placed. */
  readonly pieceUnit: Int32Array;
  /** The FILE run each local symbol (section symbols too) sits in, -1 for none. */
  readonly run: Int32Array;
  readonly relocations: RelocationIndex;
}

export interface LinkedUnits {
  readonly file: ElfFile;
  readonly columns: LinkedColumns;
  /** The units in link order; the last one, `unplaced`, holds what no evidence placed. */
  readonly units: readonly TranslationUnit[];
  readonly unplaced: TranslationUnit;
  /** A section's pieces by start (none for a section with no symbol of its own). */
  piecesIn(section: number): readonly Piece[];
  /** The piece covering a place of a section, if any. */
  pieceAt(section: number, offset: bigint): Piece | undefined;
  /** Piece k of the table as an object. */
  piece(k: number): Piece;
  /** The table indexes of a unit's pieces. */
  pieceIds(unit: number): Int32Array;
  symbol(i: number): ElfSymbol;
  section(i: number): ElfSection;
  /** A relocation's landing place relative to its target symbol's section (addend + arch bias). */
  landing(r: ElfRelocation, from: ElfSection): bigint;
  /** landing() for a relocation read as numbers. */
  landingOf(typeNumber: number, addend: number, from: number, offset: number): number;
  /** The relocations applying inside a piece, by offset, decoded once. */
  relocationsIn(p: Piece): readonly ElfRelocation[];
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

/** Splits a linked relocatable into its translation units. */
export function partitionLinked(file: ElfFile, opts: PartitionOptions): LinkedUnits {
  const cols = symbolColumns(file);
  const secs = sectionColumns(file);
  if (cols === null) return emptyPartition(file, secs, opts.unplacedPath);
  const { runs, run, sectionRun } = fileRuns(cols, secs.count);
  if (opts.members) resolvePaths(runs, opts.members);
  const pieces = cutPieceTable(cols, secs);
  const relocations = new RelocationIndex(file);
  const arch = diffArchOf(file.header.machine);
  const landingOf = landingFunction(file, secs, arch);
  const pieceUnit = placePieces({
    cols,
    pieces,
    run,
    sectionRun,
    runs,
    relocations,
    landingOf,
    globalHomes: opts.globalHomes,
    vote: opts.vote ?? true,
  });
  return materialized(file, { symbols: cols, sections: secs, pieces, pieceUnit, run, relocations }, runs, {
    unplacedPath: opts.unplacedPath,
    landingOf,
  });
}

function landingFunction(file: ElfFile, secs: SectionColumns, arch: DiffArch) {
  const names = new Map<number, string>();
  const machine = file.header.machine;
  return (type: number, addend: number, from: number, offset: number): number => {
    let name = names.get(type);
    if (name === undefined) {
      name = relocationTypeName(machine, type) ?? `unrecognized: ${type.toString(16)}`;
      names.set(type, name);
    }
    return addend + Number(landingBias(arch, name, secs.section(from).data, offset));
  };
}

function emptyPartition(file: ElfFile, secs: SectionColumns, unplacedPath: string): LinkedUnits {
  const none: SymbolColumns = {
    count: 0,
    info: new Uint8Array(0),
    other: new Uint8Array(0),
    section: new Int32Array(0),
    value: new Float64Array(0),
    size: new Float64Array(0),
    nameStart: new Int32Array(0),
    bytes: file.bytes,
    name: () => "",
    symbol: () => undefined!,
  };
  const pieces = cutPieceTable(none, secs);
  const relocations = new RelocationIndex(file);
  return materialized(
    file,
    {
      symbols: none,
      sections: secs,
      pieces,
      pieceUnit: new Int32Array(0),
      run: new Int32Array(0),
      relocations,
    },
    [],
    { unplacedPath, landingOf: (_t, addend) => addend },
  );
}

/** Piece k of the table as an object, made once. */
function pieceMaker(file: ElfFile, columns: LinkedColumns): (k: number) => Piece {
  const { symbols: cols, pieces: table, pieceUnit } = columns;
  const made = new Map<number, Piece>();
  return (k) => {
    let p = made.get(k);
    if (p === undefined) {
      const anchors: ElfSymbol[] = [];
      for (let a = table.anchorFrom[k]!; a < table.anchorFrom[k + 1]!; a++)
        anchors.push(cols.symbol(table.anchors[a]!));
      p = {
        id: k,
        section: sectionOf(file, table.section[k]!),
        start: BigInt(table.start[k]!),
        end: BigInt(table.end[k]!),
        anchors,
        unit: pieceUnit[k]!,
      };
      made.set(k, p);
    }
    return p;
  };
}

/** A unit whose pieces and symbols are made when first asked for (r null: the unplaced unit). */
function lazyUnit(
  index: number,
  r: Run | null,
  cols: SymbolColumns,
  pieceIds: (u: number) => Int32Array,
  piece: (k: number) => Piece,
  unplacedPath: string,
): TranslationUnit {
  let pieces: Piece[] | undefined;
  let symbols: ElfSymbol[] | undefined;
  return {
    index,
    file: r?.file ?? unplacedPath,
    path: r?.path ?? unplacedPath,
    member: r?.member ?? null,
    fileSymbol: r ? cols.symbol(r.fileSymbol) : null,
    get pieces() {
      pieces ??= Array.from(pieceIds(index), piece);
      return pieces;
    },
    get symbols() {
      if (symbols === undefined) {
        symbols = [];
        if (r) {
          for (let i = r.fileSymbol + 1; i < r.end; i++)
            if ((cols.info[i]! & 0xf) !== STT_SECTION) symbols.push(cols.symbol(i));
        }
        for (const p of this.pieces) for (const a of p.anchors) if (a.bind !== STB_LOCAL) symbols.push(a);
      }
      return symbols;
    },
  };
}

/** The split with its pieces, units and symbols made as objects on first use. */
function materialized(
  file: ElfFile,
  columns: LinkedColumns,
  runs: readonly Run[],
  opts: { unplacedPath: string; landingOf: LinkedUnits["landingOf"] },
): LinkedUnits {
  const { symbols: cols, pieces: table, pieceUnit, relocations } = columns;
  const piece = pieceMaker(file, columns);
  // the pieces of each unit, listed once when a unit's pieces are first asked for
  let byUnit: { from: Int32Array; list: Int32Array } | null = null;
  const pieceIds = (u: number): Int32Array => {
    byUnit ??= groupBy(pieceUnit, runs.length + 1);
    return byUnit.list.subarray(byUnit.from[u]!, byUnit.from[u + 1]!);
  };
  const units = [...runs, null].map((r, i) => lazyUnit(i, r, cols, pieceIds, piece, opts.unplacedPath));
  const decoded = new Map<number, readonly ElfRelocation[]>();
  return {
    file,
    columns,
    units,
    unplaced: units[units.length - 1]!,
    piecesIn(section) {
      const first = table.firstOf[section] ?? -1;
      if (first < 0) return [];
      return Array.from({ length: table.countOf[section]! }, (_, k) => piece(first + k));
    },
    pieceAt(section, offset) {
      const k = pieceIndexAt(table, section, Number(offset));
      return k < 0 ? undefined : piece(k);
    },
    piece,
    pieceIds,
    symbol: (i) => cols.symbol(i),
    section: (i) => sectionOf(file, i),
    landing: (r, from) =>
      BigInt(opts.landingOf(r.type, Number(r.addend ?? 0n), from.index, Number(r.offset))),
    landingOf: opts.landingOf,
    relocationsIn(p) {
      let list = decoded.get(p.id);
      if (list === undefined) {
        const range = relocations.range(table.section[p.id]!, table.start[p.id]!, table.end[p.id]!);
        const { list: sorted, from, to } = range;
        list = Array.from({ length: to - from }, (_, k) =>
          relocations.tables.relocation(sorted.table(from + k), sorted.entry(from + k)),
        );
        decoded.set(p.id, list);
      }
      return list;
    },
  };
}

function sectionOf(file: ElfFile, i: number): ElfSection {
  return sectionLookupOf(file).section(i);
}

/** Whether a section is shared whole by every unit that reaches it (merged strings and constants). */
export function isMergedSection(section: ElfSection): boolean {
  return isMergedFlags(Number(section.flags));
}

/** isMergedSection by the section's flags as a number. */
export function isMergedFlags(flags: number): boolean {
  return (flags & Number(SHF_MERGE)) !== 0 && (flags & Number(SHF_ALLOC)) !== 0;
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

/** Whether the object has functions, and whether some function sits in a `.text.<name>` of its own (-ffunction-sections). */
export function functionSections(file: ElfFile): { functions: boolean; ownSections: boolean } {
  const cols = symbolColumns(file);
  if (cols === null) return { functions: false, ownSections: false };
  const secs = sectionColumns(file);
  let functions = false;
  for (let i = 0; i < cols.count; i++) {
    const s = cols.section[i]!;
    if ((cols.info[i]! & 0xf) !== STT_FUNC || s < 0) continue;
    functions = true;
    const name = secs.name(s);
    if (name.startsWith(".text.") && !name.startsWith(".text..") && !PLAIN_TEXT.has(name))
      return { functions, ownSections: true };
  }
  return { functions, ownSections: false };
}

/** The .llvm.<hash> of each unit's promoted names (ThinLTO gives a module's one), null for none or several. */
export function unitHashes(linked: LinkedUnits): (string | null)[] {
  const { symbols: cols, pieces, pieceUnit } = linked.columns;
  const out: (string | null | undefined)[] = new Array(linked.units.length).fill(undefined);
  for (let k = 0; k < pieces.count; k++) {
    const u = pieceUnit[k]!;
    for (let a = pieces.anchorFrom[k]!; a < pieces.anchorFrom[k + 1]!; a++) {
      const i = pieces.anchors[a]!;
      if (!hasLlvmMark(cols, i)) continue;
      const h = llvmHash(cols.name(i));
      if (h === null) continue;
      const had = out[u];
      out[u] = had === undefined || had === h ? h : null;
    }
  }
  return out.map((h) => h ?? null);
}
