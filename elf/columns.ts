// A file's symbol table and relocations as columns read straight from its bytes, for readers that
// walk every entry of a large object (a vmlinux.o has 50,000 symbols and 300,000 relocations) but
// need records for few: numbers instead of objects, names decoded on demand. Values are numbers,
// exact below 2^53 (offsets in a relocatable object); the records symbol(i) and relocation(i) make
// are the exact ones symbols() and entries() give.
import {
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
} from "./constants.js";
import { layoutOf, sectionLookupOf } from "./file.js";
import { decodeString, type Layout, stringError } from "./layout.js";
import { relocationTypeName } from "./relocation-types.js";
import { missingSymbolError } from "./relocations.js";
import { hasData, type SectionLookup, SectionTable } from "./section-header.js";
import { decodeSymbol, extendedSectionIndex, symbolCount, symbolTableShape } from "./symbols.js";
import type { ElfFile, ElfRelocation, ElfSymbol } from "./types.js";

export interface SymbolColumns {
  readonly count: number;
  /** st_info, st_other. */
  readonly info: Uint8Array;
  readonly other: Uint8Array;
  /** The section a symbol is defined in (extended indexes resolved), -1 when none (undefined, ABS, COMMON, …). */
  readonly section: Int32Array;
  readonly value: Float64Array;
  readonly size: Float64Array;
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
  const value = new Float64Array(count);
  const size = new Float64Array(count);
  const nameStart = new Int32Array(count);
  const shnum = sections.count;
  const tableEndsInNul = names.size > 0 && bytes[names.start + names.size - 1] === 0;
  for (let i = 0; i < count; i++) {
    const o = start + i * entrySize;
    const nameOffset = view.getUint32(o, le);
    let shndx: number;
    if (l.is64) {
      info[i] = bytes[o + 4]!;
      other[i] = bytes[o + 5]!;
      shndx = view.getUint16(o + 6, le);
      value[i] = view.getUint32(o + (le ? 12 : 8), le) * 0x100000000 + view.getUint32(o + (le ? 8 : 12), le);
      size[i] = view.getUint32(o + (le ? 20 : 16), le) * 0x100000000 + view.getUint32(o + (le ? 16 : 20), le);
    } else {
      value[i] = view.getUint32(o + 4, le);
      size[i] = view.getUint32(o + 8, le);
      info[i] = bytes[o + 12]!;
      other[i] = bytes[o + 13]!;
      shndx = view.getUint16(o + 14, le);
    }
    if (shndx === SHN_XINDEX) {
      section[i] = extendedSectionIndex(l, sections, shape, i);
    } else section[i] = shndx === SHN_UNDEF || shndx >= SHN_LORESERVE || shndx >= shnum ? -1 : shndx;
    if (nameOffset === 0) nameStart[i] = -1;
    else {
      // the checks symbols() makes: inside the table, and terminated before its end
      const nul = tableEndsInNul ? 0 : bytes.indexOf(0, names.start + nameOffset);
      if (nameOffset >= names.size || nul < 0 || (!tableEndsInNul && nul >= names.start + names.size))
        throw stringError(l, names, nameOffset, `symbol ${i} of '${shape.table.name}'`);
      nameStart[i] = names.start + nameOffset;
    }
  }
  const nameCache: (string | undefined)[] = new Array(count);
  const records: (ElfSymbol | undefined)[] = new Array(count);
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
      let n = nameCache[i];
      if (n === undefined) {
        n = nameAt(l, nameStart[i]!);
        nameCache[i] = n;
      }
      return n;
    },
    symbol(i) {
      let s = records[i];
      if (s === undefined) {
        s = decodeSymbol(l, header, sections, shape, i, this.name(i));
        records[i] = s;
      }
      return s;
    },
  };
}

function nameAt(l: Layout, start: number): string {
  if (start < 0) return "";
  const end = l.bytes.indexOf(0, start);
  return (
    l.buffer as unknown as {
      latin1Slice(a: number, b: number): string;
      utf8Slice(a: number, b: number): string;
    }
  )[isAscii(l.bytes, start, end) ? "latin1Slice" : "utf8Slice"](start, end);
}

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return false;
  return true;
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

function readTables(file: ElfFile): RelocationTables {
  const lookup = sectionLookupOf(file);
  const secs = sectionColumns(file);
  const l = layoutOf(file);
  const list = lookup.relocationSections.filter((i) => secs.type[i] === SHT_REL || secs.type[i] === SHT_RELA);
  const symbolCounts = new Map<number, number>();
  const n = list.length;
  const index = new Int32Array(n);
  const target = new Int32Array(n);
  const symbols = new Int32Array(n);
  const start = new Float64Array(n);
  const size = new Uint8Array(n);
  const count = new Int32Array(n);
  let sound = true;
  for (let k = 0; k < n && sound; k++) {
    const i = list[k]!;
    const isRela = secs.type[i] === SHT_RELA;
    const entry = l.is64 ? (isRela ? 24 : 16) : isRela ? 12 : 8;
    const link = secs.link[i]!;
    const linkType = link < secs.count ? secs.type[link]! : -1;
    sound =
      secs.start[i]! >= 0 &&
      secs.entsize[i] === entry &&
      secs.size[i]! % entry === 0 &&
      (link === 0 ? linkType === SHT_NULL : linkType === SHT_SYMTAB || linkType === SHT_DYNSYM) &&
      secs.info[i]! < secs.count;
    if (!sound) break;
    let m = symbolCounts.get(link);
    if (m === undefined) {
      m = linkType === SHT_NULL ? 0 : symbolCount(l, lookup, lookup.section(link));
      symbolCounts.set(link, m);
    }
    index[k] = i;
    target[k] = secs.info[i]!;
    symbols[k] = m;
    start[k] = secs.start[i]!;
    size[k] = entry;
    count[k] = secs.size[i]! / entry;
  }
  // a section the checks above refuse: the reader's own checks say what is wrong with it
  if (!sound) file.relocationSections();
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
      return view.getUint32(o + (le ? 4 : 0), le) * 0x100000000 + view.getUint32(o + (le ? 0 : 4), le);
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
      return view.getInt32(o + (le ? 20 : 16), le) * 0x100000000 + view.getUint32(o + (le ? 16 : 20), le);
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

/** A file's section headers as columns. */
export interface SectionColumns {
  readonly count: number;
  readonly type: Uint32Array;
  /** sh_flags (the flags a section can have fit a number). */
  readonly flags: Float64Array;
  readonly size: Float64Array;
  readonly info: Uint32Array;
  readonly link: Uint32Array;
  readonly entsize: Float64Array;
  /** Where each name starts in `nameBytes` (its NUL ends it), -1 for none. */
  readonly nameStart: Int32Array;
  readonly nameBytes: Uint8Array;
  /** Where the section's bytes start in `bytes`, -1 when it has none in the file (SHT_NOBITS, section 0). */
  readonly start: Float64Array;
  /** The file's bytes. */
  readonly bytes: Buffer;
  /** The section's bytes, null when it has none in the file (SHT_NOBITS, section 0). */
  data(i: number): Uint8Array | null;
  name(i: number): string;
}

const SECTION_COLUMNS = new WeakMap<ElfFile, SectionColumns>();

export function sectionColumns(file: ElfFile): SectionColumns {
  let c = SECTION_COLUMNS.get(file);
  if (c === undefined) {
    const lookup = sectionLookupOf(file);
    const count = lookup.count;
    const type = new Uint32Array(count);
    const flags = new Float64Array(count);
    const size = new Float64Array(count);
    const info = new Uint32Array(count);
    const link = new Uint32Array(count);
    const entsize = new Float64Array(count);
    const start = new Float64Array(count);
    const nameStart = new Int32Array(count).fill(-1);
    const raw = rawHeaders(file);
    const base = file.bytes.byteOffset;
    for (let i = 0; i < count; i++) {
      if (raw) {
        type[i] = raw.type(i);
        flags[i] = raw.field(i, 8, 8);
        size[i] = raw.field(i, 32, 20);
        info[i] = raw.info(i);
        link[i] = lookup.link(i);
        entsize[i] = raw.field(i, 56, 36);
        start[i] = hasData(i, type[i]!) ? raw.field(i, 24, 16) : -1;
        nameStart[i] = raw.nameStart(i);
      } else {
        const s = lookup.section(i);
        type[i] = s.type;
        flags[i] = Number(s.flags);
        size[i] = Number(s.size);
        info[i] = s.info;
        link[i] = s.link;
        entsize[i] = Number(s.entsize);
        start[i] = s.data === null ? -1 : s.data.byteOffset - base;
      }
    }
    const names: (string | undefined)[] = new Array(count);
    c = {
      count,
      type,
      flags,
      size,
      info,
      link,
      entsize,
      start,
      nameStart,
      nameBytes: raw ? layoutOf(file).bytes : namesCopied(lookup, nameStart),
      bytes: layoutOf(file).buffer,
      data: (i) => lookup.section(i).data,
      name(i) {
        let n = names[i];
        if (n === undefined) {
          n = raw ? raw.name(i) : lookup.section(i).name;
          names[i] = n;
        }
        return n;
      },
    };
    SECTION_COLUMNS.set(file, c);
  }
  return c;
}

/** For sections not read from a file's bytes: their names, NUL-terminated, in bytes of their own. */
function namesCopied(lookup: SectionLookup, nameStart: Int32Array): Uint8Array {
  const names = Array.from({ length: lookup.count }, (_, i) => Buffer.from(`${lookup.section(i).name}\0`));
  let at = 0;
  names.forEach((n, i) => {
    nameStart[i] = at;
    at += n.length;
  });
  return Buffer.concat(names);
}

/** Field readers over the section header table of a file this reader read, null for other files. */
function rawHeaders(file: ElfFile) {
  const lookup = sectionLookupOf(file);
  if (!(lookup instanceof SectionTable)) return null;
  const l = layoutOf(file);
  const view = l.view;
  const le = l.littleEndian;
  const shoff = Number(file.header.shoff);
  const entry = l.is64 ? 64 : 40;
  const field = (i: number, at64: number, at32: number): number => {
    const o = shoff + i * entry + (l.is64 ? at64 : at32);
    if (!l.is64) return view.getUint32(o, le);
    return view.getUint32(o + (le ? 4 : 0), le) * 0x100000000 + view.getUint32(o + (le ? 0 : 4), le);
  };
  return {
    type: (i: number) => lookup.type(i),
    field,
    info: (i: number) => view.getUint32(shoff + i * entry + (l.is64 ? 44 : 28), le),
    nameStart: (i: number) => lookup.nameStart(i),
    name: (i: number) => {
      const start = lookup.nameStart(i);
      return start < 0 ? "" : decodeString(l, start, lookup.nameEnd(i));
    },
  };
}
