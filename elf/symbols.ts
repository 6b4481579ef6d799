// Decoding a symbol table section (SHT_SYMTAB / SHT_DYNSYM) into ElfSymbol records.
import {
  SHN_ABS,
  SHN_COMMON,
  SHN_LIVEPATCH,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from "./constants.js";
import { ElfFormatError } from "./errors.js";
import {
  bigintOf,
  hex,
  type Layout,
  makeStringTable,
  readString,
  type StringTable,
  stringError,
  u16,
  u32,
  u64Small,
} from "./layout.js";
import { symbolBindName, symbolTypeName, symbolVisibilityName } from "./names.js";
import type { SectionLookup } from "./section-header.js";
import type { ElfHeader, ElfSection, ElfSymbol, SpecialSectionIndex } from "./types.js";

/** Checks a symbol table's header fields and returns its entry count. */
export function symbolCount(l: Layout, sections: SectionLookup, table: ElfSection): number {
  if (table.type !== SHT_SYMTAB && table.type !== SHT_DYNSYM) {
    throw new ElfFormatError(
      l.path,
      `section [${table.index}] '${table.name}' is not a symbol table (type ${table.typeName})`,
    );
  }
  const entrySize = l.is64 ? 24 : 16;
  if (table.entsize !== BigInt(entrySize)) {
    throw new ElfFormatError(
      l.path,
      `symbol table [${table.index}] '${table.name}' has sh_entsize ${table.entsize}, expected ${entrySize}`,
    );
  }
  if (table.size % BigInt(entrySize) !== 0n) {
    throw new ElfFormatError(
      l.path,
      `symbol table [${table.index}] '${table.name}' has size ${hex(table.size)}, not a multiple of its entry size ${entrySize}`,
    );
  }
  const strtab = table.link < sections.count ? sections.section(table.link) : undefined;
  if (!strtab || strtab.type !== SHT_STRTAB || !strtab.data) {
    throw new ElfFormatError(
      l.path,
      `symbol table [${table.index}] '${table.name}' has sh_link ${table.link}, which is not a string table`,
    );
  }
  return Number(table.size) / entrySize;
}

function specialOf(shndx: number): SpecialSectionIndex | null {
  if (shndx === SHN_UNDEF) return "UNDEF";
  if (shndx < SHN_LORESERVE) return null;
  if (shndx === SHN_ABS) return "ABS";
  if (shndx === SHN_COMMON) return "COMMON";
  if (shndx === SHN_XINDEX) return "XINDEX";
  // Linux's livepatch symbols (include/uapi/linux/elf.h: SHN_LIVEPATCH 0xff20).
  if (shndx === SHN_LIVEPATCH) return "LIVEPATCH";
  return "OTHER";
}

/** Where a validated symbol table's entries and names lie. */
export interface SymbolTableShape {
  readonly table: ElfSection;
  readonly count: number;
  readonly start: number;
  readonly entrySize: number;
  readonly names: StringTable;
  /** The SHT_SYMTAB_SHNDX section for this table; looked up on the first SHN_XINDEX symbol. */
  shndxTable: ElfSection | undefined | null;
}

const SHAPES = new WeakMap<Layout, Map<number, SymbolTableShape>>();

/** The checked shape of a symbol table, computed once per file and table. */
export function symbolTableShape(l: Layout, sections: SectionLookup, table: ElfSection): SymbolTableShape {
  let shapes = SHAPES.get(l);
  if (!shapes) {
    shapes = new Map();
    SHAPES.set(l, shapes);
  }
  let shape = shapes.get(table.index);
  if (!shape) {
    shape = computeShape(l, sections, table);
    shapes.set(table.index, shape);
  }
  return shape;
}

function computeShape(l: Layout, sections: SectionLookup, table: ElfSection): SymbolTableShape {
  const count = symbolCount(l, sections, table);
  const strtab = sections.section(table.link);
  return {
    table,
    count,
    start: Number(table.offset),
    entrySize: l.is64 ? 24 : 16,
    names: makeStringTable(
      strtab.data!.byteOffset - l.bytes.byteOffset,
      strtab.data!.length,
      `string table [${strtab.index}] '${strtab.name}'`,
    ),
    shndxTable: null,
  };
}

/** The name of symbol i (st_name at nameOffset); throws when it is outside its string table. */
function symbolName(l: Layout, shape: SymbolTableShape, i: number, nameOffset: number): string {
  if (nameOffset === 0) return "";
  const name = readString(l, shape.names, nameOffset);
  if (name === null) throw stringError(l, shape.names, nameOffset, `symbol ${i} of '${shape.table.name}'`);
  return name;
}

/**
 * The real section index of symbol i whose st_shndx is SHN_XINDEX (gABI "Extended Section Indexes":
 * entry i of the SHT_SYMTAB_SHNDX section whose sh_link names this symbol table).
 */
export function extendedSectionIndex(
  l: Layout,
  sections: SectionLookup,
  shape: SymbolTableShape,
  i: number,
): number {
  const table = shape.table;
  const indexes = extendedIndexSection(sections, shape);
  if (!indexes) {
    throw new ElfFormatError(
      l.path,
      `symbol ${i} of '${table.name}' has st_shndx SHN_XINDEX but no SHT_SYMTAB_SHNDX section refers to that table`,
    );
  }
  const data = indexes.data;
  if (data === null || i * 4 + 4 > data.length) {
    throw new ElfFormatError(
      l.path,
      `symbol ${i} of '${table.name}' has st_shndx SHN_XINDEX but '${indexes.name}' has only ${Math.floor((data?.length ?? 0) / 4)} entries`,
    );
  }
  const shndx = u32(l, data.byteOffset - l.bytes.byteOffset + i * 4);
  if (shndx >= sections.count) {
    throw new ElfFormatError(
      l.path,
      `symbol ${i} of '${table.name}': extended section index ${shndx} (from '${indexes.name}') is out of range (${sections.count} sections)`,
    );
  }
  return shndx;
}

/** The SHT_SYMTAB_SHNDX section whose sh_link names the table (looked up once per table), if any. */
function extendedIndexSection(sections: SectionLookup, shape: SymbolTableShape): ElfSection | undefined {
  if (shape.shndxTable === null) {
    shape.shndxTable = undefined;
    for (const s of sections.symbolSections) {
      if (sections.type(s) === SHT_SYMTAB_SHNDX && sections.link(s) === shape.table.index) {
        shape.shndxTable = sections.section(s);
        break;
      }
    }
  }
  return shape.shndxTable;
}

/**
 * Where a symbol table's extended section indexes (its SHT_SYMTAB_SHNDX entries) lie in the file,
 * for readers that take them in bulk; count is 0 when the table has none. Entries are not checked:
 * extendedSectionIndex is the checked read of one.
 */
export function extendedIndexEntries(
  l: Layout,
  sections: SectionLookup,
  shape: SymbolTableShape,
): { readonly start: number; readonly count: number } {
  const data = extendedIndexSection(sections, shape)?.data;
  if (!data) return { start: 0, count: 0 };
  return { start: data.byteOffset - l.bytes.byteOffset, count: Math.floor(data.length / 4) };
}

const TYPE_NAMES = new Map<number, string>();
const BIND_NAMES = new Map<number, string>();

/** Symbol i of a checked table as its record, its name read already. */
export function decodeSymbol(
  l: Layout,
  header: ElfHeader,
  sections: SectionLookup,
  shape: SymbolTableShape,
  i: number,
  name: string,
): ElfSymbol {
  const o = shape.start + i * shape.entrySize;
  const view = l.view;
  const le = l.littleEndian;
  let value: bigint;
  let size: bigint;
  let info: number;
  let other: number;
  let rawShndx: number;
  if (l.is64) {
    info = l.bytes[o + 4]!;
    other = l.bytes[o + 5]!;
    rawShndx = view.getUint16(o + 6, le);
    value = u64Small(l, o + 8);
    size = u64Small(l, o + 16);
  } else {
    value = bigintOf(view.getUint32(o + 4, le));
    size = bigintOf(view.getUint32(o + 8, le));
    info = l.bytes[o + 12]!;
    other = l.bytes[o + 13]!;
    rawShndx = u16(l, o + 14);
  }
  let shndx = rawShndx;
  let special: SpecialSectionIndex | null;
  if (rawShndx === SHN_XINDEX) {
    shndx = extendedSectionIndex(l, sections, shape, i);
    special = null;
  } else {
    special = rawShndx === SHN_UNDEF ? "UNDEF" : rawShndx < SHN_LORESERVE ? null : specialOf(rawShndx);
  }
  const type = info & 0xf;
  const bind = info >> 4;
  // one cache for every file: the names depend on the machine and OS ABI besides the value
  const { machine, osabi } = header;
  const typeKey = (machine << 16) | (osabi << 8) | type;
  let typeName = TYPE_NAMES.get(typeKey);
  if (typeName === undefined) {
    typeName = symbolTypeName(machine, osabi, type);
    TYPE_NAMES.set(typeKey, typeName);
  }
  const bindKey = (osabi << 8) | bind;
  let bindName = BIND_NAMES.get(bindKey);
  if (bindName === undefined) {
    bindName = symbolBindName(osabi, bind);
    BIND_NAMES.set(bindKey, bindName);
  }
  const visibility = other & 3;
  return {
    index: i,
    name,
    value,
    size,
    type,
    typeName,
    bind,
    bindName,
    visibility,
    visibilityName: symbolVisibilityName(visibility),
    other,
    shndx,
    special,
    sectionIndex: special === null && shndx < sections.count ? shndx : null,
  };
}

export function readSymbolTable(
  l: Layout,
  header: ElfHeader,
  sections: SectionLookup,
  table: ElfSection,
): ElfSymbol[] {
  const shape = symbolTableShape(l, sections, table);
  const { count, start, entrySize } = shape;
  const symbols: ElfSymbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const name = symbolName(l, shape, i, u32(l, start + i * entrySize));
    symbols[i] = decodeSymbol(l, header, sections, shape, i, name);
  }
  return symbols;
}
