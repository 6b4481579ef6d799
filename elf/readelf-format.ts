// Symbol tables and relocations laid out the way binutils `readelf -sW` / `readelf -rW` print them,
// so output can be compared with readelf's literally. Fields are read straight from the file's bytes
// into an OutputBuffer (no per-symbol objects), with the same checks as the ElfSymbol/ElfRelocation
// decoders, so listing a 13 MB object costs little more than reading it.
import {
  EM_AARCH64,
  EM_PPC64,
  EM_RISCV,
  EM_X86_64,
  SHN_ABS,
  SHN_COMMON,
  SHN_HIOS,
  SHN_LOOS,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_RELR,
  SHT_SYMTAB,
  STT_SECTION,
} from "./constants.js";
import { layoutOf, sectionLookupOf } from "./file.js";
import { type Layout, type StringTable, stringError } from "./layout.js";
import { symbolBindName, symbolTypeName, symbolVisibilityName } from "./names.js";
import { OutputBuffer, putBytes, putDecimal, putHex8, putHexMinimal } from "./output-buffer.js";
import { relocationTypeName } from "./relocation-types.js";
import { missingSymbolError } from "./relocations.js";
import { relrOffsets } from "./relr.js";
import { SectionHeader, type SectionLookup, SectionTable } from "./section-header.js";
import {
  extendedIndexEntries,
  extendedSectionIndex,
  type SymbolTableShape,
  symbolTableShape,
} from "./symbols.js";
import type { ElfFile, ElfRelocationSection, ElfSection, ElfSymbol } from "./types.js";
import { type SymbolVersion, symbolVersions } from "./versions.js";

const ASCII = new TextEncoder();

/** The Ndx column for a (resolved) section index: UND, ABS, COM, a number, or a reserved range. */
function sectionIndexText(file: ElfFile, shndx: number): string {
  if (shndx === SHN_UNDEF) return "UND";
  if (shndx === SHN_ABS) return "ABS";
  if (shndx === SHN_COMMON) return "COM";
  // x86-64 psABI SHN_X86_64_LCOMMON.
  if (file.header.machine === EM_X86_64 && shndx === 0xff02) return "LARGE_COM";
  const hex4 = shndx.toString(16).padStart(4, "0");
  if (shndx >= 0xff00 && shndx <= 0xff1f) return `PRC[0x${hex4}]`;
  if (shndx >= SHN_LOOS && shndx <= SHN_HIOS) return `OS [0x${hex4}]`;
  if (shndx >= SHN_LORESERVE) return `RSV[0x${hex4}]`;
  if (file.header.shnum !== 0 && shndx >= file.header.shnum) {
    return `bad section index[${String(shndx).padStart(3, " ")}]`;
  }
  return String(shndx).padStart(3, " ");
}

/** readelf's Ndx column for a symbol (as in `readelf -s`), without its padding. */
export function sectionIndexLabel(file: ElfFile, symbol: ElfSymbol): string {
  // A real section index is a number even when it is above SHN_LORESERVE (extended numbering).
  if (symbol.sectionIndex !== null) return String(symbol.shndx);
  return sectionIndexText(file, symbol.shndx).trim();
}

/** The bracketed note readelf adds after the visibility for other st_other bits (e.g. ppc64 local entry). */
function otherNote(machine: number, other: number): string | null {
  const rest = other & ~3;
  if (rest === 0) return null;
  if (machine === EM_PPC64 && (rest & ~0xe0) === 0) {
    // ELFv2 ABI: bits 5-7 of st_other encode the local entry point offset; 2..6 mean (1 << v) >> 2
    // instructions. readelf prints that offset in bytes.
    const v = rest >> 5;
    if (v <= 6) return `<localentry>: ${v >= 2 ? ((1 << v) >> 2) << 2 : v}`;
  }
  // AArch64 psABI STO_AARCH64_VARIANT_PCS and RISC-V psABI STO_RISCV_VARIANT_CC are both 0x80.
  if (machine === EM_AARCH64 && (rest & 0x80) !== 0) {
    const more = rest & ~0x80;
    return more === 0 ? "VARIANT_PCS" : `VARIANT_PCS | ${more.toString(16)}`;
  }
  if (machine === EM_RISCV) {
    // readelf shows only the leftover bits in hex when there are any besides VARIANT_CC.
    const more = rest & ~0x80;
    return more !== 0 ? more.toString(16) : "VARIANT_CC";
  }
  return `<other>: ${rest.toString(16)}`;
}

/** Writes a NUL-terminated name from a string table, control characters as ^X like readelf. */
function writeTableName(
  out: OutputBuffer,
  l: Layout,
  shape: SymbolTableShape,
  nameOffset: number,
  symbolIndex: number,
  printable = false,
): void {
  const table = shape.names;
  if (nameOffset >= table.size) {
    if (nameOffset === 0) return;
    throw stringError(l, table, nameOffset, `symbol ${symbolIndex} of '${shape.table.name}'`);
  }
  const begin = table.start + nameOffset;
  const nul = l.bytes.indexOf(0, begin);
  if (nul < 0 || nul >= table.start + table.size) {
    throw stringError(l, table, nameOffset, `symbol ${symbolIndex} of '${shape.table.name}'`);
  }
  if (printable) out.copy(l.bytes, begin, nul);
  else writeNameBytes(out, l.bytes, begin, nul);
}

/**
 * Whether a string table's names can be copied as they are: no byte but NUL is a control character.
 * Checked once per table, natively, rather than byte by byte for every name.
 */
function withoutControlCharacters(l: Layout, table: StringTable | null): boolean {
  if (table === null) return true;
  return !/[\x01-\x1f\x7f]/.test(l.buffer.toString("latin1", table.start, table.start + table.size));
}

/** Bytes of a name with control characters as ^X (DEL as ^?), as readelf prints names. */
function writeEscaped(out: OutputBuffer, bytes: Uint8Array, begin: number, end: number): void {
  for (let q = begin; q < end; q++) {
    const c = bytes[q]!;
    if (c < 0x20) {
      out.byte(0x5e);
      out.byte(c + 0x40);
    } else if (c === 0x7f) out.text("^?");
    else out.byte(c);
  }
}

/** Name bytes [begin, end) of the file as readelf prints them: control characters as ^X. */
function writeNameBytes(out: OutputBuffer, bytes: Uint8Array, begin: number, end: number): void {
  if (!out.copyPrintable(bytes, begin, end)) writeEscaped(out, bytes, begin, end);
}

/** A section's name, copied from the section-name table when the section is the reader's own. */
function writeSectionName(out: OutputBuffer, l: Layout, section: ElfSection | undefined): void {
  if (section instanceof SectionHeader) {
    const begin = section.nameStart;
    if (begin >= 0) writeNameBytes(out, l.bytes, begin, section.nameEnd);
  } else writePrintable(out, section?.name ?? "");
}

/**
 * Section i's name; for the reader's own files, read from its header without making its object
 * (`printable`: the section-name table has no control characters to escape).
 */
function writeSectionNameAt(
  out: OutputBuffer,
  l: Layout,
  sections: SectionLookup,
  i: number,
  printable: boolean,
): void {
  if (sections instanceof SectionTable) {
    const begin = sections.nameStart(i);
    if (begin < 0) return;
    if (printable) out.copy(l.bytes, begin, sections.nameEnd(i));
    else writeNameBytes(out, l.bytes, begin, sections.nameEnd(i));
  } else writeSectionName(out, l, sections.section(i));
}

/** A name given as a string (a section name), control characters as ^X. */
function writePrintable(out: OutputBuffer, name: string): void {
  if (!/[\x00-\x1f\x7f]/.test(name)) {
    out.text(name);
    return;
  }
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (c < 0x20) out.text(`^${String.fromCharCode(c + 0x40)}`);
    else if (c === 0x7f) out.text("^?");
    else out.text(ch);
  }
}

function versionSuffix(v: SymbolVersion, inSymbolTable: boolean): string {
  if (v.needed) return inSymbolTable ? `@${v.name} (${v.index})` : `@${v.name}`;
  return v.hidden ? `@${v.name}` : `@@${v.name}`;
}

/** The column texts a symbol table's lines are made of, encoded once for every value it holds. */
interface SymbolTableTexts {
  /** " TYPE    BIND   VIS     " by st_info << 8 | st_other. */
  readonly columns: readonly Uint8Array[];
  /** The Ndx column by st_shndx: UND, ABS, COM, … padded to 4; empty for a section number. */
  readonly ndx: readonly Uint8Array[];
}

const NO_TEXT = new Uint8Array(0);

/**
 * The texts for every (st_info, st_other) pair and st_shndx value in a symbol table, encoded before
 * its lines are written: writing a line then never takes a path of its own for a value not seen before
 * (see writeSymbolLine).
 */
function symbolTableTexts(
  file: ElfFile,
  l: Layout,
  shape: SymbolTableShape,
  shnum: number,
): SymbolTableTexts {
  const { machine, osabi } = file.header;
  const { pairs, names } = valuesPresent(l, shape, shnum);
  const columns: Uint8Array[] = new Array(0x10000);
  for (const key of pairs) columns[key] = encodeColumns(machine, osabi, key >> 8, key & 0xff);
  const ndx: Uint8Array[] = new Array(0x10000).fill(NO_TEXT);
  for (const key of names) ndx[key] = ASCII.encode(sectionIndexText(file, key).padStart(4, " "));
  return { columns, ndx };
}

/**
 * The (st_info << 8 | st_other) pairs a symbol table holds, and its st_shndx values that are shown by
 * name rather than number (UND, ABS, COM, …), each once.
 */
function valuesPresent(
  l: Layout,
  shape: SymbolTableShape,
  shnum: number,
): { pairs: number[]; names: number[] } {
  const { view, bytes, littleEndian: le } = l;
  const infoAt = shape.start + (l.is64 ? 4 : 12);
  const shndxAt = shape.start + (l.is64 ? 6 : 14);
  const seen = new Uint8Array(0x20000);
  const pairs: number[] = [];
  const names: number[] = [];
  for (let i = 0; i < shape.count; i++) {
    const o = i * shape.entrySize;
    const pair = (bytes[infoAt + o]! << 8) | bytes[infoAt + o + 1]!;
    if (seen[pair] === 0) {
      seen[pair] = 1;
      pairs.push(pair);
    }
    const shndx = view.getUint16(shndxAt + o, le);
    const isNumber = shndx === SHN_XINDEX || (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx < shnum);
    if (!isNumber && seen[0x10000 + shndx] === 0) {
      seen[0x10000 + shndx] = 1;
      names.push(shndx);
    }
  }
  return { pairs, names };
}

function encodeColumns(machine: number, osabi: number, info: number, other: number): Uint8Array {
  const type = symbolTypeName(machine, osabi, info & 0xf).padEnd(7, " ");
  const bind = symbolBindName(osabi, info >> 4).padEnd(6, " ");
  const visibility = symbolVisibilityName(other & 3).padEnd(7, " ");
  const note = (other & ~3) !== 0 ? ` [${otherNote(machine, other)}] ` : "";
  return ASCII.encode(` ${type} ${bind} ${visibility}${note} `);
}

/** What writing the lines of one symbol table needs, gathered once per table. */
interface SymbolLineContext {
  readonly out: OutputBuffer;
  readonly file: ElfFile;
  readonly l: Layout;
  readonly sections: SectionLookup;
  readonly shape: SymbolTableShape;
  readonly versions: readonly (SymbolVersion | null)[] | null;
  readonly texts: SymbolTableTexts;
  /** The symbol names / section names need no escaping (no control characters in their tables). */
  readonly namesPrintable: boolean;
  readonly sectionNamesPrintable: boolean;
  /** The reader's own section table (section names as bytes), null for another ElfFile implementation. */
  readonly sectionTable: SectionTable | null;
  /** Where the section-name table ends in the file. */
  readonly sectionNamesEnd: number;
  /** Where this table's SHT_SYMTAB_SHNDX entries lie (count 0 when it has none). */
  readonly extendedStart: number;
  readonly extendedCount: number;
}

/** Writes one symbol table in `readelf -sW` layout, header lines included. */
function writeSymbolTable(out: OutputBuffer, file: ElfFile, table: ElfSection): void {
  const l = layoutOf(file);
  const sections = sectionLookupOf(file);
  const shape = symbolTableShape(l, sections, table);
  const count = shape.count;
  const sectionTable = sections instanceof SectionTable ? sections : null;
  const sectionNames = sectionTable?.nameTable ?? null;
  const extended = extendedIndexEntries(l, sections, shape);
  const context: SymbolLineContext = {
    out,
    file,
    l,
    sections,
    shape,
    versions: table.type === SHT_DYNSYM ? symbolVersions(file, table) : null,
    texts: symbolTableTexts(file, l, shape, sections.count),
    namesPrintable: withoutControlCharacters(l, shape.names),
    sectionNamesPrintable: sectionTable !== null && withoutControlCharacters(l, sectionNames),
    sectionTable,
    sectionNamesEnd: sectionNames === null ? 0 : sectionNames.start + sectionNames.size,
    extendedStart: extended.start,
    extendedCount: extended.count,
  };
  out.text(`\nSymbol table '${table.name}' contains ${count} ${count === 1 ? "entry" : "entries"}:\n`);
  out.text(
    l.is64
      ? "   Num:    Value          Size Type    Bind   Vis      Ndx Name\n"
      : "   Num:    Value  Size Type    Bind   Vis      Ndx Name\n",
  );
  // One call per line: a small function is optimized sooner than a long loop body.
  for (let i = 0; i < count; i++) writeSymbolLine(context, i);
}

/**
 * Symbol i's line: "   Num: Value Size Type Bind Vis Ndx Name".
 *
 * Written so that the same operations run for every kind of symbol, choosing values rather than
 * branching to code of their own: the optimizing compiler drops code that has not run yet and, on
 * reaching it, throws the optimized function away. In a gcc object, 40,000 section symbols come
 * before the first function symbol, and the 32,000th section needs an extended index.
 */
function writeSymbolLine(c: SymbolLineContext, i: number): void {
  // Every field of c is read on every line, whichever the kind of symbol (see above).
  const { out, l, shape, sections, versions, texts, sectionTable } = c;
  const { namesPrintable, sectionNamesPrintable, sectionNamesEnd, extendedStart, extendedCount } = c;
  const { view, bytes, is64, littleEndian: le } = l;
  const names = shape.names;
  const o = shape.start + i * shape.entrySize;
  const nameOffset = view.getUint32(o, le);
  const info = bytes[o + (is64 ? 4 : 12)]!;
  const other = bytes[o + (is64 ? 5 : 13)]!;
  const rawShndx = view.getUint16(o + (is64 ? 6 : 14), le);
  const shnum = sections.count;
  // SHN_XINDEX: the index is the symbol's entry in SHT_SYMTAB_SHNDX (read for every symbol).
  const hasExtended = i < extendedCount;
  const extendedShndx = hasExtended ? view.getUint32(extendedStart + i * 4, le) : 0;
  const extendedValid = hasExtended && extendedShndx < shnum;
  const isExtended = rawShndx === SHN_XINDEX;
  // Throws, saying what is wrong with the extended index.
  if (isExtended && !extendedValid) extendedSectionIndex(l, sections, shape, i);
  const shndx = isExtended ? extendedShndx : rawShndx;
  // " TYPE    BIND   VIS     " depends only on st_info and st_other.
  const columns = texts.columns[(info << 8) | other]!;
  // Everything up to the name goes into one reserved stretch: Num (up to 10 digits), Value (16),
  // Size (up to 18), the columns, Ndx (up to 24) and the separators.
  const b = out.room(80 + columns.length);
  let p = putDecimal(b, out.length, i, 6);
  b[p++] = 0x3a;
  b[p++] = 0x20;
  let sizeHi = 0;
  let sizeLo: number;
  if (is64) {
    p = putHex8(b, p, view.getUint32(le ? o + 12 : o + 8, le));
    p = putHex8(b, p, view.getUint32(le ? o + 8 : o + 12, le));
    sizeHi = view.getUint32(le ? o + 20 : o + 16, le);
    sizeLo = view.getUint32(le ? o + 16 : o + 20, le);
  } else {
    p = putHex8(b, p, view.getUint32(o + 4, le));
    sizeLo = view.getUint32(o + 8, le);
  }
  b[p++] = 0x20;
  // readelf's DEC_5: decimal in 5 columns up to 99999, then 0x-prefixed hex.
  if (sizeHi === 0 && sizeLo <= 99999) p = putDecimal(b, p, sizeLo, 5);
  else {
    b[p++] = 0x30;
    b[p++] = 0x78;
    p = putHexMinimal(b, p, sizeHi, sizeLo);
  }
  p = putBytes(b, p, columns);
  // Ndx: the section number (readelf prints an extended index as a number, whatever its range), or
  // a name. Both writes run for every symbol; the second writes nothing after a number.
  const ndxText = texts.ndx[rawShndx]!;
  const numberEnd = putDecimal(b, p, shndx, 4);
  p = putBytes(b, ndxText.length === 0 ? numberEnd : p, ndxText);
  b[p++] = 0x20;
  out.commit(p);
  // readelf shows an unnamed section symbol by its section's name.
  const sectionName = nameOffset === 0 && (info & 0xf) === STT_SECTION && shndx < shnum;
  if (sectionName && sectionTable === null) writeSectionName(out, l, sections.section(shndx));
  else {
    const sectionNameStart = sectionName ? sectionTable!.nameStart(shndx) : -1;
    const inTable = nameOffset < names.size;
    if (!sectionName && !inTable && nameOffset !== 0) writeTableName(out, l, shape, nameOffset, i); // throws
    const tableNameStart = names.start + nameOffset;
    const tableEnd = names.start + names.size;
    const begin = sectionName ? sectionNameStart : inTable ? tableNameStart : -1;
    if (begin >= 0) {
      const limit = sectionName ? sectionNamesEnd : tableEnd;
      const nul = bytes.indexOf(0, begin);
      // Throws: the name runs past the end of its table.
      if (nul < 0 || nul >= limit) writeTableName(out, l, shape, nameOffset, i);
      if (sectionName ? sectionNamesPrintable : namesPrintable) out.copy(bytes, begin, nul);
      else writeEscaped(out, bytes, begin, nul);
    }
    const version = versions === null || sectionName ? null : versions[i];
    if (version) out.text(versionSuffix(version, true));
  }
  out.byte(0x0a);
}

/** What the relocation sections of one file share while they are written. */
interface RelocationsContext {
  readonly sections: SectionLookup;
  /** Padded type names by relocation type, encoded on first use. */
  readonly typeTexts: Map<number, Uint8Array>;
  readonly sectionNamesPrintable: boolean;
  /** Whether a symbol table's names need no escaping, by the table's index. */
  readonly namesPrintable: Map<number, boolean>;
}

function relocationsContext(file: ElfFile): RelocationsContext {
  const sections = sectionLookupOf(file);
  return {
    sections,
    typeTexts: new Map(),
    sectionNamesPrintable:
      sections instanceof SectionTable && withoutControlCharacters(layoutOf(file), sections.nameTable),
    namesPrintable: new Map(),
  };
}

/** The name readelf shows for a relocation against an unnamed symbol: a section symbol's section's. */
function writeUnnamedSymbolName(
  out: OutputBuffer,
  file: ElfFile,
  c: RelocationsContext,
  type: number,
  shndx: number,
): void {
  if (type === STT_SECTION && shndx < c.sections.count) {
    writeSectionNameAt(out, layoutOf(file), c.sections, shndx, c.sectionNamesPrintable);
  } else writePrintable(out, unnamedSymbolText(file, type, shndx));
}

/** The text readelf shows for a relocation against an unnamed symbol that is not a section's. */
function unnamedSymbolText(file: ElfFile, type: number, shndx: number): string {
  if (type !== STT_SECTION) return "<null>";
  if (shndx === SHN_ABS) return "ABS";
  if (shndx === SHN_COMMON) return "COMMON";
  if (file.header.machine === EM_X86_64 && shndx === 0xff02) return "LARGE_COMMON";
  return `<section 0x${shndx.toString(16)}>`;
}

const RELOCATION_COLUMNS = {
  rela64: ASCII.encode(
    "    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend\n",
  ),
  rel64: ASCII.encode(
    "    Offset             Info             Type               Symbol's Value  Symbol's Name\n",
  ),
  rela32: ASCII.encode(" Offset     Info    Type                Sym. Value  Symbol's Name + Addend\n"),
  rel32: ASCII.encode(" Offset     Info    Type                Sym. Value  Symbol's Name\n"),
};

const HEADING = {
  start: ASCII.encode("\nRelocation section '"),
  offset: ASCII.encode("' at offset 0x"),
  contains: ASCII.encode(" contains "),
  entry: ASCII.encode(" entry:\n"),
  entries: ASCII.encode(" entries:\n"),
};

/** "Relocation section '<name>' at offset 0x<offset> contains <n> entries:", written without strings. */
function writeRelocationHeading(out: OutputBuffer, l: Layout, section: ElfSection, count: number): void {
  out.raw(HEADING.start);
  writeSectionName(out, l, section);
  out.raw(HEADING.offset);
  const data = section.data;
  if (data !== null) {
    const offset = data.byteOffset - l.bytes.byteOffset;
    out.hexMinimal(Math.floor(offset / 0x100000000), offset >>> 0);
  } else out.text(section.offset.toString(16));
  out.raw(HEADING.contains);
  out.decimal(count, 0);
  out.raw(count === 1 ? HEADING.entry : HEADING.entries);
}

/** Writes one relocation section in `readelf -rW` layout, header lines included. */
function writeRelocationSection(
  out: OutputBuffer,
  file: ElfFile,
  rs: ElfRelocationSection,
  c: RelocationsContext = relocationsContext(file),
): void {
  const l = layoutOf(file);
  const is64 = l.is64;
  const le = l.littleEndian;
  const view = l.view;
  const section = rs.section;
  const count = rs.count;
  const sections = c.sections;
  const shape = rs.symtab.index === 0 ? null : symbolTableShape(l, sections, rs.symtab);
  let namesPrintable = c.namesPrintable.get(rs.symtab.index);
  if (namesPrintable === undefined) {
    namesPrintable = shape !== null && withoutControlCharacters(l, shape.names);
    c.namesPrintable.set(rs.symtab.index, namesPrintable);
  }
  const versions = shape && rs.symtab.type === SHT_DYNSYM ? symbolVersions(file, rs.symtab) : null;
  writeRelocationHeading(out, l, section, count);
  out.raw(
    is64
      ? rs.isRela
        ? RELOCATION_COLUMNS.rela64
        : RELOCATION_COLUMNS.rel64
      : rs.isRela
        ? RELOCATION_COLUMNS.rela32
        : RELOCATION_COLUMNS.rel32,
  );
  const entrySize = is64 ? (rs.isRela ? 24 : 16) : rs.isRela ? 12 : 8;
  const start = section.data!.byteOffset - l.bytes.byteOffset;
  const machine = file.header.machine;
  for (let i = 0; i < count; i++) {
    const o = start + i * entrySize;
    let type: number;
    let sym: number;
    let addendHi = 0;
    let addendLo = 0;
    if (is64) {
      out.hex64(view.getUint32(le ? o + 4 : o, le), view.getUint32(le ? o : o + 4, le));
      sym = view.getUint32(le ? o + 12 : o + 8, le);
      type = view.getUint32(le ? o + 8 : o + 12, le);
      out.byte(0x20);
      out.byte(0x20);
      out.hex64(sym, type);
      if (rs.isRela) {
        addendHi = view.getUint32(le ? o + 20 : o + 16, le);
        addendLo = view.getUint32(le ? o + 16 : o + 20, le);
      }
    } else {
      out.hex32(view.getUint32(o, le), 8);
      const rinfo = view.getUint32(o + 4, le);
      sym = rinfo >>> 8;
      type = rinfo & 0xff;
      out.byte(0x20);
      out.byte(0x20);
      out.hex32(rinfo, 8);
      if (rs.isRela) {
        addendLo = view.getUint32(o + 8, le);
        addendHi = addendLo & 0x80000000 ? 0xffffffff : 0;
      }
    }
    out.byte(0x20);
    let typeText = c.typeTexts.get(type);
    if (typeText === undefined) {
      const name = relocationTypeName(machine, type);
      // An unknown type is printed as "unrecognized: %-7x", not padded to the 22-column type field.
      typeText = ASCII.encode(
        name === null ? `unrecognized: ${type.toString(16).padEnd(7, " ")}` : name.padEnd(22, " "),
      );
      c.typeTexts.set(type, typeText);
    }
    out.raw(typeText);
    const negative = (addendHi & 0x80000000) !== 0;
    if (negative) {
      // Two's complement negation of the 64-bit addend, in 32-bit halves.
      addendLo = (~addendLo + 1) >>> 0;
      addendHi = (~addendHi + (addendLo === 0 ? 1 : 0)) >>> 0;
    }
    if (sym !== 0) {
      if (!shape || sym >= shape.count) {
        throw missingSymbolError(l, section, i, sym, rs.symtab, shape ? shape.count : 0);
      }
      const so = shape.start + sym * shape.entrySize;
      out.byte(0x20);
      let stype: number;
      let shndx: number;
      if (is64) {
        out.hex64(view.getUint32(le ? so + 12 : so + 8, le), view.getUint32(le ? so + 8 : so + 12, le));
        out.byte(0x20);
        stype = l.bytes[so + 4]! & 0xf;
        shndx = view.getUint16(so + 6, le);
      } else {
        out.hex32(view.getUint32(so + 4, le), 8);
        out.text("   ");
        stype = l.bytes[so + 12]! & 0xf;
        shndx = view.getUint16(so + 14, le);
      }
      const nameOffset = view.getUint32(so, le);
      if (nameOffset === 0) {
        if (shndx === SHN_XINDEX) shndx = extendedSectionIndex(l, sections, shape, sym);
        writeUnnamedSymbolName(out, file, c, stype, shndx);
      } else {
        writeTableName(out, l, shape, nameOffset, sym, namesPrintable);
        const version = versions?.[sym];
        if (version) out.text(versionSuffix(version, false));
      }
      if (rs.isRela) {
        out.text(negative ? " - " : " + ");
        out.hexMinimal(addendHi, addendLo);
      }
    } else if (rs.isRela) {
      out.spaces(is64 ? 20 : 12);
      if (negative) out.byte(0x2d);
      out.hexMinimal(addendHi, addendLo);
    }
    out.byte(0x0a);
  }
}

/** Writes a SHT_RELR section as readelf 2.40 does: its entry count, then every address it relocates. */
function writeRelrSection(out: OutputBuffer, file: ElfFile, section: ElfSection): void {
  const offsets = relrOffsets(file, section);
  const is64 = file.header.class === 64;
  const count = section.data!.length / (is64 ? 8 : 4);
  writeRelocationHeading(out, layoutOf(file), section, count);
  out.text(`  ${offsets.length} offsets\n`);
  for (const offset of offsets) {
    if (is64) out.hex64(Number(offset >> 32n), Number(offset & 0xffffffffn));
    else out.hex32(Number(offset), 8);
    out.byte(0x0a);
  }
}

/** Writes every relocation section (REL, RELA and RELR, in section order) in `readelf -rW` layout. */
function writeRelocations(out: OutputBuffer, file: ElfFile): void {
  const sections = file.relocationSections();
  const c = relocationsContext(file);
  const relr = c.sections.relocationSections
    .filter((i) => c.sections.type(i) === SHT_RELR)
    .map((i) => c.sections.section(i));
  if (sections.length === 0 && relr.length === 0) {
    out.text("\nThere are no relocations in this file.\n");
    return;
  }
  let next = 0;
  for (const rs of sections) {
    while (next < relr.length && relr[next]!.index < rs.section.index)
      writeRelrSection(out, file, relr[next++]!);
    writeRelocationSection(out, file, rs, c);
  }
  while (next < relr.length) writeRelrSection(out, file, relr[next++]!);
}

export interface SymbolsListingOptions {
  /** Add the relocation sections (readelf -r), printed before the symbol tables as readelf does. */
  readonly relocs?: boolean;
  /** Only the dynamic symbol table (readelf --dyn-syms); otherwise every symbol table (readelf -s). */
  readonly dynamicOnly?: boolean;
}

/** Writes what `readelf -sW [-rW]` prints for one file (without the "File:" line). */
function writeSymbolsListing(out: OutputBuffer, file: ElfFile, opts: SymbolsListingOptions = {}): void {
  if (opts.relocs) writeRelocations(out, file);
  const sections = sectionLookupOf(file);
  for (const i of sections.symbolSections) {
    const type = sections.type(i);
    if (type === SHT_DYNSYM || (!opts.dynamicOnly && type === SHT_SYMTAB)) {
      writeSymbolTable(out, file, sections.section(i));
    }
  }
}

/** Several files the way readelf prints them: a "File: <path>" line before each when there is more than one. */
export function symbolsListingBytes(files: readonly ElfFile[], opts: SymbolsListingOptions = {}): Uint8Array {
  const estimate = files.reduce((n, f) => n + f.bytes.length * (opts.relocs ? 2 : 1), 0);
  const out = new OutputBuffer(Math.min(estimate, 1 << 28));
  for (const f of files) {
    if (files.length > 1) out.text(`\nFile: ${f.path}\n`);
    writeSymbolsListing(out, f, opts);
  }
  return out.bytes();
}

/** One symbol table as readelf -sW prints it. */
export function formatSymbolTable(file: ElfFile, table: ElfSection): string {
  const out = new OutputBuffer();
  writeSymbolTable(out, file, table);
  return out.toString();
}

/** Every relocation section as readelf -rW prints them. */
export function formatRelocations(file: ElfFile): string {
  const out = new OutputBuffer();
  writeRelocations(out, file);
  return out.toString();
}

/** One file as readelf -sW [-rW] prints it. */
export function formatSymbolsListing(file: ElfFile, opts: SymbolsListingOptions = {}): string {
  const out = new OutputBuffer();
  writeSymbolsListing(out, file, opts);
  return out.toString();
}
