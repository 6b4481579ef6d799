// Symbol tables laid out the way binutils `readelf -sW` prints them (with readelf-relocations.ts, what
// `readelf -sW -rW` prints), so output can be compared with readelf's literally. Fields are read
// straight from the file's bytes into an OutputBuffer (no per-symbol objects), with the same checks as
// the ElfSymbol decoder, so listing a 13 MB object costs little more than reading it.
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
  SHT_SYMTAB,
  STT_SECTION,
} from "./constants.js";
import { layoutOf, sectionLookupOf } from "./file.js";
import type { Layout } from "./layout.js";
import { symbolBindName, symbolTypeName, symbolVisibilityName } from "./names.js";
import { OutputBuffer, putBytes, putDecimal, putHexMinimal, putHexWord } from "./output-buffer.js";
import {
  versionSuffix,
  withoutControlCharacters,
  writeEscaped,
  writeSectionName,
  writeTableName,
} from "./readelf-names.js";
import { writeRelocations } from "./readelf-relocations.js";
import { type SectionLookup, SectionTable } from "./section-header.js";
import {
  extendedIndexEntries,
  extendedSectionIndex,
  type SymbolTableShape,
  symbolTableShape,
} from "./symbols.js";
import type { ElfFile, ElfSection, ElfSymbol } from "./types.js";
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

/** The column texts a symbol table's lines are made of, encoded once for every value it holds. */
interface SymbolTableTexts {
  /**
   * [st_info << 8 | st_other]: which of `columns` a symbol's type, bind and visibility read; then,
   * at 0x10000 + st_shndx, which of `ndx` its Ndx column reads (0 for a section number). Typed
   * arrays, not 65,536-slot arrays of texts: a small table costs nothing to set up.
   */
  readonly ids: Uint16Array;
  /** " TYPE    BIND   VIS     " texts ([0] unused). */
  readonly columns: readonly Uint8Array[];
  /** Ndx texts: UND, ABS, COM, … padded to 4; [0] empty, for a section number. */
  readonly ndx: readonly Uint8Array[];
}

const NDX = 0x10000;

/**
 * The texts for every (st_info, st_other) pair and every st_shndx shown by name (UND, ABS, COM, …) in
 * a symbol table, encoded before its lines are written: writing a line then never takes a path of its
 * own for a value not seen before (see writeSymbolLine).
 */
function symbolTableTexts(
  file: ElfFile,
  l: Layout,
  shape: SymbolTableShape,
  shnum: number,
): SymbolTableTexts {
  const { machine, osabi } = file.header;
  const { view, bytes, littleEndian: le } = l;
  const infoAt = shape.start + (l.is64 ? 4 : 12);
  const shndxAt = shape.start + (l.is64 ? 6 : 14);
  const ids = new Uint16Array(2 * NDX);
  const columns: Uint8Array[] = [NO_TEXT];
  const ndx: Uint8Array[] = [NO_TEXT];
  for (let i = 0; i < shape.count; i++) {
    const o = i * shape.entrySize;
    const pair = (bytes[infoAt + o]! << 8) | bytes[infoAt + o + 1]!;
    if (ids[pair] === 0) {
      ids[pair] = columns.length;
      columns.push(encodeColumns(machine, osabi, pair >> 8, pair & 0xff));
    }
    const shndx = view.getUint16(shndxAt + o, le);
    const isNumber = shndx === SHN_XINDEX || (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx < shnum);
    if (!isNumber && ids[NDX + shndx] === 0) {
      ids[NDX + shndx] = ndx.length;
      ndx.push(ASCII.encode(sectionIndexText(file, shndx).padStart(4, " ")));
    }
  }
  return { ids, columns, ndx };
}

const NO_TEXT = new Uint8Array(0);

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
  const columns = texts.columns[texts.ids[(info << 8) | other]!]!;
  // Everything up to the name goes into one reserved stretch: Num (up to 10 digits), Value (16),
  // Size (up to 18), the columns, Ndx (up to 24) and the separators.
  const b = out.room(80 + columns.length);
  let p = putDecimal(b, out.length, i, 6);
  b[p++] = 0x3a;
  b[p++] = 0x20;
  const valueHi = is64 ? view.getUint32(le ? o + 12 : o + 8, le) : 0;
  const valueLo = view.getUint32(is64 ? (le ? o + 8 : o + 12) : o + 4, le);
  const sizeHi = is64 ? view.getUint32(le ? o + 20 : o + 16, le) : 0;
  const sizeLo = view.getUint32(is64 ? (le ? o + 16 : o + 20) : o + 8, le);
  p = putHexWord(b, p, valueHi, valueLo, is64 ? 16 : 8);
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
  const ndxText = texts.ndx[texts.ids[NDX + rawShndx]!]!;
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
