// Relocation sections laid out the way binutils `readelf -rW` prints them. Each line is written into
// one reserved stretch of the output; the text that depends only on the symbol (its value and name)
// is written the first time a symbol is used and copied from there for every later relocation against
// it, so a 36,000-relocation module costs a few native copies per line.

import {
  EM_X86_64,
  SHN_ABS,
  SHN_COMMON,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_RELR,
  STT_SECTION,
} from "./constants.js";
import { layoutOf, sectionLookupOf } from "./file.js";
import type { Layout } from "./layout.js";
import { hex } from "./layout.js";
import { type OutputBuffer, putBytes, putHexMinimal, putHexWord } from "./output-buffer.js";
import {
  versionSuffix,
  withoutControlCharacters,
  writePrintable,
  writeSectionName,
  writeSectionNameAt,
  writeTableName,
} from "./readelf-names.js";
import { relocationTypeNames } from "./relocation-types.js";
import { missingSymbolError } from "./relocations.js";
import { relrOffsets } from "./relr.js";
import { type SectionLookup, SectionTable } from "./section-header.js";
import { extendedSectionIndex, type SymbolTableShape, symbolTableShape } from "./symbols.js";
import type { ElfFile, ElfRelocationSection, ElfSection } from "./types.js";
import { type SymbolVersion, symbolVersions } from "./versions.js";

const ASCII = new TextEncoder();

/** What the relocation sections of one file share while they are written into one output. */
interface RelocationsContext {
  readonly out: OutputBuffer;
  readonly file: ElfFile;
  readonly l: Layout;
  readonly sections: SectionLookup;
  /**
   * The Type column by relocation type: every type the psABI names, encoded up front (an array, not
   * a Map, read per line); unrecognized ones on first use. A type first met midway through a section would
   * throw the optimized loop away.
   */
  readonly typeTexts: (Uint8Array | undefined)[];
  readonly sectionNamesPrintable: boolean;
  /** What relocations against each symbol table are written with, by the table's section index. */
  readonly symbolTables: Map<number, TableSymbols>;
}

/**
 * Where the text " <value> <name>" of each symbol of one table was first written in the output:
 * [2i] its start, [2i + 1] its end; -1 while it has not been written (or lies beyond 2 GiB of output).
 * Int32, not Float64: unoptimized code boxes every double it loads, and the lines that run before the
 * optimizing compiler is done are most of a module's.
 */
type SymbolTexts = Int32Array;

function relocationsContext(out: OutputBuffer, file: ElfFile): RelocationsContext {
  const l = layoutOf(file);
  const sections = sectionLookupOf(file);
  return {
    out,
    file,
    l,
    sections,
    typeTexts: knownTypeTexts(file.header.machine),
    sectionNamesPrintable:
      sections instanceof SectionTable && withoutControlCharacters(l, sections.nameTable),
    symbolTables: new Map(),
  };
}

/** The name readelf shows for a relocation against an unnamed symbol: a section symbol's section's. */
function writeUnnamedSymbolName(c: RelocationsContext, type: number, shndx: number): void {
  if (type === STT_SECTION && shndx < c.sections.count) {
    writeSectionNameAt(c.out, c.l, c.sections, shndx, c.sectionNamesPrintable);
  } else writePrintable(c.out, unnamedSymbolText(c.file, type, shndx));
}

/** The text readelf shows for a relocation against an unnamed symbol that is not a section's. */
function unnamedSymbolText(file: ElfFile, type: number, shndx: number): string {
  if (type !== STT_SECTION) return "<null>";
  if (shndx === SHN_ABS) return "ABS";
  if (shndx === SHN_COMMON) return "COMMON";
  if (file.header.machine === EM_X86_64 && shndx === 0xff02) return "LARGE_COMMON";
  return `<section ${hex(shndx)}>`;
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

/** The Type column of every relocation type the machine's psABI names: the name padded to 22 columns. */
function knownTypeTexts(machine: number): (Uint8Array | undefined)[] {
  const texts: (Uint8Array | undefined)[] = [];
  for (const [type, name] of relocationTypeNames(machine)) texts[type] = ASCII.encode(name.padEnd(22, " "));
  return texts;
}

/**
 * The Type column of a type the psABI tables do not name (every named one is in knownTypeTexts):
 * readelf prints "unrecognized: %-7x", not padded to the 22-column type field.
 */
function unrecognizedTypeText(c: RelocationsContext, type: number): Uint8Array {
  const text = ASCII.encode(`unrecognized: ${type.toString(16).padEnd(7, " ")}`);
  c.typeTexts[type] = text;
  return text;
}

/** A symbol table as relocations against it are written: gathered once per table and file. */
interface TableSymbols {
  readonly shape: SymbolTableShape;
  readonly texts: SymbolTexts;
  /** Its names need no escaping (no control characters in its string table). */
  readonly namesPrintable: boolean;
  readonly versions: readonly (SymbolVersion | null)[] | null;
}

function tableSymbols(c: RelocationsContext, symtab: ElfSection): TableSymbols {
  let table = c.symbolTables.get(symtab.index);
  if (table === undefined) {
    const shape = symbolTableShape(c.l, c.sections, symtab);
    table = {
      shape,
      texts: new Int32Array(2 * shape.count).fill(-1),
      namesPrintable: withoutControlCharacters(c.l, shape.names),
      versions: symtab.type === SHT_DYNSYM ? symbolVersions(c.file, symtab) : null,
    };
    c.symbolTables.set(symtab.index, table);
  }
  return table;
}

/**
 * Writes " <value> <name>" for symbol `sym` (readelf: the value in 16 hex digits, or 8 and three
 * spaces in ELF32; an unnamed symbol by its section's name; a .dynsym name with its version) and
 * records where it lies in the output.
 */
function writeSymbolText(c: RelocationsContext, s: TableSymbols, sym: number): void {
  const { out, l, sections } = c;
  const { view, bytes, is64, littleEndian: le } = l;
  const shape = s.shape;
  const so = shape.start + sym * shape.entrySize;
  const start = out.length;
  out.byte(0x20);
  let stype: number;
  let shndx: number;
  if (is64) {
    out.hex64(view.getUint32(le ? so + 12 : so + 8, le), view.getUint32(le ? so + 8 : so + 12, le));
    out.byte(0x20);
    stype = bytes[so + 4]! & 0xf;
    shndx = view.getUint16(so + 6, le);
  } else {
    out.hex32(view.getUint32(so + 4, le), 8);
    out.text("   ");
    stype = bytes[so + 12]! & 0xf;
    shndx = view.getUint16(so + 14, le);
  }
  const nameOffset = view.getUint32(so, le);
  if (nameOffset === 0) {
    if (shndx === SHN_XINDEX) shndx = extendedSectionIndex(l, sections, shape, sym);
    writeUnnamedSymbolName(c, stype, shndx);
  } else {
    writeTableName(out, l, shape, nameOffset, sym, s.namesPrintable);
    const version = s.versions?.[sym];
    if (version) out.text(versionSuffix(version, false));
  }
  if (out.length <= 0x7fffffff) {
    s.texts[2 * sym] = start;
    s.texts[2 * sym + 1] = out.length;
  }
}

/** Writes one relocation section in `readelf -rW` layout, header lines included. */
function writeRelocationSection(c: RelocationsContext, rs: ElfRelocationSection): void {
  const { out, l } = c;
  const { view, is64, littleEndian: le } = l;
  const { section, count, isRela } = rs;
  const symbols = rs.symtab.index === 0 ? null : tableSymbols(c, rs.symtab);
  const symbolCount = symbols === null ? 0 : symbols.shape.count;
  writeRelocationHeading(out, l, section, count);
  out.raw(
    is64
      ? isRela
        ? RELOCATION_COLUMNS.rela64
        : RELOCATION_COLUMNS.rel64
      : isRela
        ? RELOCATION_COLUMNS.rela32
        : RELOCATION_COLUMNS.rel32,
  );
  const entrySize = is64 ? (isRela ? 24 : 16) : isRela ? 12 : 8;
  const start = section.data!.byteOffset - l.bytes.byteOffset;
  const typeTexts = c.typeTexts;
  const texts = symbols === null ? null : symbols.texts;
  // Without a symbol, readelf leaves the value and name columns blank before the addend.
  const blank = is64 ? 20 : 12;
  const digits = is64 ? 16 : 8;
  for (let i = 0; i < count; i++) {
    const o = start + i * entrySize;
    let sym: number;
    let type: number;
    // r_offset and r_info as hex: 64-bit halves (ELF32: the low halves alone).
    let offsetHi = 0;
    let offsetLo: number;
    let infoHi = 0;
    let infoLo: number;
    let addendHi = 0;
    let addendLo = 0;
    if (is64) {
      offsetHi = view.getUint32(le ? o + 4 : o, le);
      offsetLo = view.getUint32(le ? o : o + 4, le);
      sym = view.getUint32(le ? o + 12 : o + 8, le);
      type = view.getUint32(le ? o + 8 : o + 12, le);
      infoHi = sym;
      infoLo = type;
      if (isRela) {
        addendHi = view.getUint32(le ? o + 20 : o + 16, le);
        addendLo = view.getUint32(le ? o + 16 : o + 20, le);
      }
    } else {
      offsetLo = view.getUint32(o, le);
      infoLo = view.getUint32(o + 4, le);
      sym = infoLo >>> 8;
      type = infoLo & 0xff;
      if (isRela) {
        addendLo = view.getUint32(o + 8, le);
        addendHi = addendLo & 0x80000000 ? 0xffffffff : 0;
      }
    }
    if (sym !== 0 && sym >= symbolCount) {
      throw missingSymbolError(l, section, i, sym, rs.symtab, symbolCount);
    }
    const negative = (addendHi & 0x80000000) !== 0;
    if (negative) {
      // Two's complement negation of the 64-bit addend, in 32-bit halves.
      addendLo = (~addendLo + 1) >>> 0;
      addendHi = (~addendHi + (addendLo === 0 ? 1 : 0)) >>> 0;
    }
    const typeColumn = typeTexts[type] ?? unrecognizedTypeText(c, type);
    // The symbol's text, when an earlier relocation against it wrote it: [textStart, textEnd).
    const textStart = sym === 0 || texts === null ? -1 : texts[2 * sym]!;
    const textEnd = textStart < 0 ? textStart : texts![2 * sym + 1]!;
    // Offset and Info (16 hex digits each in ELF64, 8 in ELF32), the type, the copied symbol text and
    // the addend (at most 40 bytes) go into one reserved stretch.
    let b = out.room(104 + typeColumn.length + textEnd - textStart);
    let p = putHexWord(b, out.length, offsetHi, offsetLo, digits);
    b[p++] = 0x20;
    b[p++] = 0x20;
    p = putHexWord(b, p, infoHi, infoLo, digits);
    b[p++] = 0x20;
    p = putBytes(b, p, typeColumn);
    if (sym !== 0) {
      if (textStart >= 0) {
        b.copyWithin(p, textStart, textEnd);
        p += textEnd - textStart;
      } else {
        out.commit(p);
        writeSymbolText(c, symbols!, sym);
        b = out.room(40);
        p = out.length;
      }
      if (isRela) {
        b[p++] = 0x20;
        b[p++] = negative ? 0x2d : 0x2b;
        b[p++] = 0x20;
      }
    } else if (isRela) {
      for (const end = p + blank; p < end; p++) b[p] = 0x20;
      if (negative) b[p++] = 0x2d;
    }
    if (isRela) p = putHexMinimal(b, p, addendHi, addendLo);
    b[p++] = 0x0a;
    out.commit(p);
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
export function writeRelocations(out: OutputBuffer, file: ElfFile): void {
  const sections = file.relocationSections();
  const c = relocationsContext(out, file);
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
    writeRelocationSection(c, rs);
  }
  while (next < relr.length) writeRelrSection(out, file, relr[next++]!);
}
