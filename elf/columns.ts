// A file's symbol table and relocations as columns read straight from its bytes, for readers that
// walk every entry of a large object (a vmlinux.o has 50,000 symbols and 300,000 relocations) but
// need records for few: numbers instead of objects, names decoded on demand. Values are numbers,
// exact below 2^53 (offsets in a relocatable object); the records symbol(i) and relocation(i) make
// are the exact ones symbols() and entries() give.
import { SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, SHT_REL, SHT_RELA, SHT_SYMTAB } from "./constants.js";
import { layoutOf, sectionLookupOf } from "./file.js";
import { decodeString, i64Number, type Layout, stringError, u64Number } from "./layout.js";
import { relocationTypeName } from "./relocation-types.js";
import { missingSymbolError, relocationShape } from "./relocations.js";
import { type SectionLookup, SectionTable } from "./section-header.js";
import { decodeSymbol, extendedSectionIndex, type SymbolTableShape, symbolTableShape } from "./symbols.js";
import type { ElfFile, ElfRelocation, ElfSymbol } from "./types.js";

export interface SymbolColumns {
  readonly count: number;
  /** st_info, st_other. */
  readonly info: Uint8Array;
  readonly other: Uint8Array;
  /** The section a symbol is defined in (extended indexes resolved), -1 when none (undefined, ABS, COMMON, …). */
  readonly section: Int32Array;
  /** Int32Array when every value fits one (reads stay small integers), else Float64Array. */
  readonly value: Int32Array | Float64Array;
  readonly size: Int32Array | Float64Array;
  /** Where each name starts in the file (its NUL ends it); -1 for no name. */
  readonly nameStart: Int32Array;
  /** The file's bytes, for comparing names where they lie. */
  readonly bytes: Uint8Array;
  name(i: number): string;
  /** The symbol record symbols()[i] is, made on first use. */
  symbol(i: number): ElfSymbol;
}

const COLUMNS = new WeakMap<ElfFile, SymbolColumns | null>();

/** The columns of the file's SHT_SYMTAB, null when it has none. */
export function symbolColumns(file: ElfFile): SymbolColumns | null {
  let c = COLUMNS.get(file);
  if (c === undefined) {
    c = readColumns(file);
    COLUMNS.set(file, c);
  }
  return c;
}

function readColumns(file: ElfFile): SymbolColumns | null {
  const l = layoutOf(file);
  const sections = sectionLookupOf(file);
  const tableIndex = sections.symbolSections.find((i) => sections.type(i) === SHT_SYMTAB);
  if (tableIndex === undefined) return null;
  const shape = symbolTableShape(l, sections, sections.section(tableIndex));
  const { count, start, entrySize, names } = shape;
  const view = l.view;
  const le = l.littleEndian;
  const bytes = l.bytes;
  const info = new Uint8Array(count);
  const other = new Uint8Array(count);
  const section = new Int32Array(count);
  let value: Int32Array | Float64Array = new Int32Array(count);
  let size: Int32Array | Float64Array = new Int32Array(count);
  const nameStart = new Int32Array(count);
  const shnum = sections.count;
  const tableEndsInNul = names.size > 0 && bytes[names.start + names.size - 1] === 0;
  // field offsets in an entry (gABI "Symbol Table"): ELF64 puts st_info before st_value
  const at = l.is64
    ? { info: 4, other: 5, shndx: 6, value: 8, size: 16 }
    : { info: 12, other: 13, shndx: 14, value: 4, size: 8 };
  const word = l.is64 ? (o: number) => u64Number(view, o, le) : (o: number) => view.getUint32(o, le);
  for (let i = 0; i < count; i++) {
    const o = start + i * entrySize;
    nameStart[i] = checkedNameStart(l, shape, i, view.getUint32(o, le), tableEndsInNul);
    info[i] = bytes[o + at.info]!;
    other[i] = bytes[o + at.other]!;
    const v = word(o + at.value);
    const z = word(o + at.size);
    if ((v > 0x7fffffff || z > 0x7fffffff) && value instanceof Int32Array) {
      value = Float64Array.from(value);
      size = Float64Array.from(size);
    }
    value[i] = v;
    size[i] = z;
    const shndx = view.getUint16(o + at.shndx, le);
    if (shndx === SHN_XINDEX) section[i] = extendedSectionIndex(l, sections, shape, i);
    else section[i] = shndx === SHN_UNDEF || shndx >= SHN_LORESERVE || shndx >= shnum ? -1 : shndx;
  }
  const nameCache = new Map<number, string>();
  const records = new Map<number, ElfSymbol>();
  const header = file.header;
  return {
    count,
    info,
    other,
    section,
    value,
    size,
    nameStart,
    bytes,
    name(i) {
      let n = nameCache.get(i);
      if (n === undefined) {
        n = nameAt(l, nameStart[i]!);
        nameCache.set(i, n);
      }
      return n;
    },
    symbol(i) {
      let s = records.get(i);
      if (s === undefined) {
        s = decodeSymbol(l, header, sections, shape, i, this.name(i));
        records.set(i, s);
      }
      return s;
    },
  };
}

/** Where symbol i's name starts, -1 for none; throws where symbols() would (outside or unterminated). */
function checkedNameStart(
  l: Layout,
  shape: SymbolTableShape,
  i: number,
  nameOffset: number,
  tableEndsInNul: boolean,
): number {
  if (nameOffset === 0) return -1;
  const names = shape.names;
  const nul = tableEndsInNul ? 0 : l.bytes.indexOf(0, names.start + nameOffset);
  if (nameOffset >= names.size || nul < 0 || (!tableEndsInNul && nul >= names.start + names.size))
    throw stringError(l, names, nameOffset, `symbol ${i} of '${shape.table.name}'`);
  return names.start + nameOffset;
}

function nameAt(l: Layout, start: number): string {
  return start < 0 ? "" : decodeString(l, start, l.bytes.indexOf(0, start));
}

/** Whether symbol i of a and symbol j of b have the same name, compared where the names lie. */
export function sameName(a: SymbolColumns, i: number, b: SymbolColumns, j: number): boolean {
  let x = a.nameStart[i]!;
  let y = b.nameStart[j]!;
  if (x < 0 || y < 0) return x < 0 && y < 0 ? true : (x < 0 ? b.bytes[y] : a.bytes[x]) === 0;
  const p = a.bytes;
  const q = b.bytes;
  for (;;) {
    const c = p[x++]!;
    if (c !== q[y++]) return false;
    if (c === 0) return true;
  }
}

/** The REL and RELA sections of a file, checked as the reader checks them, as columns. */
export interface RelocationTables {
  readonly count: number;
  /** Table t's relocation section index, and the section it applies to (sh_info). */
  readonly index: Int32Array;
  readonly target: Int32Array;
  /** How many entries table t has. */
  entries(t: number): number;
  offset(t: number, i: number): number;
  type(t: number, i: number): number;
  /** The symbol index, checked against the symbol table's length. */
  symbol(t: number, i: number): number;
  /** The addend (0 for REL). */
  addend(t: number, i: number): number;
  /** The record entries()[i] is (made for this call). */
  relocation(t: number, i: number): ElfRelocation;
}

const TABLES = new WeakMap<ElfFile, RelocationTables>();

/** The file's relocation sections, checked. */
export function relocationTables(file: ElfFile): RelocationTables {
  let t = TABLES.get(file);
  if (t === undefined) {
    t = readTables(file);
    TABLES.set(file, t);
  }
  return t;
}

interface TableShapes {
  readonly index: Int32Array;
  readonly target: Int32Array;
  readonly symbols: Int32Array;
  readonly start: Float64Array;
  readonly size: Uint8Array;
  readonly count: Int32Array;
}

/** The REL and RELA sections' shapes, each checked as readRelocationSections checks it. */
function tableShapes(file: ElfFile): TableShapes {
  const lookup = sectionLookupOf(file);
  const l = layoutOf(file);
  const list = lookup.relocationSections;
  let n = 0;
  for (const index of list) if (lookup.type(index) === SHT_REL || lookup.type(index) === SHT_RELA) n++;
  const shapes: TableShapes = {
    index: new Int32Array(n),
    target: new Int32Array(n),
    symbols: new Int32Array(n),
    start: new Float64Array(n),
    size: new Uint8Array(n),
    count: new Int32Array(n),
  };
  const symbolCounts = new Map<number, number>();
  let k = 0;
  for (const index of list) {
    const shape = relocationShape(l, lookup, index, symbolCounts);
    if (shape === null) continue;
    shapes.index[k] = index;
    shapes.target[k] = lookup.info(index);
    shapes.symbols[k] = shape.symbols;
    shapes.start[k] = lookup.dataStart(index);
    shapes.size[k] = shape.entrySize;
    shapes.count[k] = shape.count;
    k++;
  }
  return shapes;
}

function readTables(file: ElfFile): RelocationTables {
  const lookup = sectionLookupOf(file);
  const l = layoutOf(file);
  const { index, target, symbols, start, size, count } = tableShapes(file);
  const n = index.length;
  const { view, littleEndian: le, is64 } = l;
  const machine = file.header.machine;
  const at = (t: number, i: number): number => start[t]! + i * size[t]!;
  const tables: RelocationTables = {
    count: n,
    index,
    target,
    entries: (t) => count[t]!,
    offset(t, i) {
      const o = at(t, i);
      if (!is64) return view.getUint32(o, le);
      return u64Number(view, o, le);
    },
    type(t, i) {
      const o = at(t, i);
      return is64 ? view.getUint32(o + (le ? 8 : 12), le) : view.getUint32(o + 4, le) & 0xff;
    },
    symbol(t, i) {
      const o = at(t, i);
      const s = is64 ? view.getUint32(o + (le ? 12 : 8), le) : view.getUint32(o + 4, le) >>> 8;
      if (s >= symbols[t]! && s !== 0) {
        const section = lookup.section(index[t]!);
        throw missingSymbolError(l, section, i, s, lookup.section(section.link), symbols[t]!);
      }
      return s;
    },
    addend(t, i) {
      if (size[t] === 16 || size[t] === 8) return 0;
      const o = at(t, i);
      if (!is64) return view.getInt32(o + 8, le);
      return i64Number(view, o + 16, le);
    },
    relocation(t, i) {
      const o = at(t, i);
      const type = tables.type(t, i);
      const rela = size[t] === 24 || size[t] === 12;
      return {
        offset: is64 ? view.getBigUint64(o, le) : BigInt(view.getUint32(o, le)),
        type,
        typeName: relocationTypeName(machine, type) ?? `unrecognized: ${type.toString(16)}`,
        symbolIndex: tables.symbol(t, i),
        addend: !rela ? null : is64 ? view.getBigInt64(o + 16, le) : BigInt(view.getInt32(o + 8, le)),
      };
    },
  };
  return tables;
}

/**
 * A file's section headers, each field read from the header table when asked for (no copy), with
 * the names where they lie; for files readElf read.
 */
export interface SectionColumns extends SectionLookup {
  /** Where the name starts in `nameBytes` (its NUL ends it), -1 for none. */
  nameStart(i: number): number;
  readonly nameBytes: Uint8Array;
  /** The file's bytes. */
  readonly bytes: Buffer;
  /** The section's name, decoded once. */
  name(i: number): string;
}

const SECTION_COLUMNS = new WeakMap<ElfFile, SectionColumns>();

export function sectionColumns(file: ElfFile): SectionColumns {
  let c = SECTION_COLUMNS.get(file);
  if (c === undefined) {
    const table = sectionLookupOf(file);
    if (!(table instanceof SectionTable)) {
      throw new Error(`${file.path}: section columns are read from files readElf read`);
    }
    c = headerColumns(layoutOf(file), table);
    SECTION_COLUMNS.set(file, c);
  }
  return c;
}

function headerColumns(l: Layout, table: SectionTable): SectionColumns {
  const names = new Map<number, string>();
  return {
    count: table.count,
    symbolSections: table.symbolSections,
    relocationSections: table.relocationSections,
    section: (i) => table.section(i),
    type: (i) => table.type(i),
    link: (i) => table.link(i),
    info: (i) => table.info(i),
    flags: (i) => table.flags(i),
    size: (i) => table.size(i),
    entsize: (i) => table.entsize(i),
    dataStart: (i) => table.dataStart(i),
    nameStart: (i) => table.nameStart(i),
    nameBytes: l.bytes,
    bytes: l.buffer,
    name(i) {
      let n = names.get(i);
      if (n === undefined) {
        const start = table.nameStart(i);
        n = start < 0 ? "" : decodeString(l, start, table.nameEnd(i));
        names.set(i, n);
      }
      return n;
    },
  };
}
