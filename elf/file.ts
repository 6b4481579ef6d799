// readElf: the header and section table of an ELF file, with symbols and relocations decoded on demand.
// Every structure is checked against the file's length before it is read or allocated for.
import {
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_STRTAB,
  SHT_SYMTAB,
} from "./constants.js";
import { ElfFormatError } from "./errors.js";
import { notElfReason } from "./file-kind.js";
import {
  hex,
  type Layout,
  makeLayout,
  makeStringTable,
  type StringTable,
  stringEnd,
  stringError,
  u16,
  u32,
  u64Number,
  word,
} from "./layout.js";
import { fileTypeName, machineName, osabiName, sectionTypeName } from "./names.js";
import { readRelocationSections, relocationsFor } from "./relocations.js";
import {
  arrayLookup,
  hasData,
  isRelocationSection,
  isSymbolSection,
  SECTION_FIELD_OFFSETS,
  type SectionContext,
  type SectionLookup,
  SectionTable,
  wordNumber,
} from "./section-header.js";
import { readSymbolTable } from "./symbols.js";
import type { ElfFile, ElfHeader, ElfRelocationSection, ElfSection, ElfSymbol } from "./types.js";

export interface ReadElfOptions {
  /** The file's name, used in every error message. */
  readonly path: string;
}

/** Reads an ELF file from its bytes. Throws ElfFormatError for anything malformed. */
export function readElf(bytes: Uint8Array, opts: ReadElfOptions): ElfFile {
  const path = opts.path;
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfFormatError(path, notElfReason(bytes));
  }
  const elfClass = bytes[4]!;
  if (elfClass !== ELFCLASS32 && elfClass !== ELFCLASS64) {
    throw new ElfFormatError(path, `unknown ELF class ${elfClass} in e_ident (expected 1 or 2)`);
  }
  const data = bytes[5]!;
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) {
    throw new ElfFormatError(path, `unknown ELF data encoding ${data} in e_ident (expected 1 or 2)`);
  }
  const is64 = elfClass === ELFCLASS64;
  const headerSize = is64 ? 64 : 52;
  if (bytes.length < headerSize) {
    throw new ElfFormatError(
      path,
      `truncated ELF header: the file has ${bytes.length} bytes, the header needs ${headerSize}`,
    );
  }
  // A plain Uint8Array view even when given a Buffer: its subarrays (section data) are cheaper to make.
  const plain = Buffer.isBuffer(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes;
  const l = makeLayout(path, plain, data === ELFDATA2LSB, is64);
  return new ElfFileView(l, readSections(l, readHeader(l)));
}

interface RawHeader {
  readonly header: ElfHeader;
  readonly rawShnum: number;
  readonly rawShstrndx: number;
}

function readHeader(l: Layout): RawHeader {
  const b = l.bytes;
  const machine = u16(l, 18);
  const osabi = b[7]!;
  const type = u16(l, 16);
  // Offsets of the fields after e_version differ between ELF32 and ELF64 (gABI "ELF Header").
  const a = l.is64
    ? { entry: 24, phoff: 32, shoff: 40, flags: 48 }
    : { entry: 24, phoff: 28, shoff: 32, flags: 36 };
  const rest = l.is64 ? 52 : 40;
  const rawShnum = u16(l, rest + 8);
  const rawShstrndx = u16(l, rest + 10);
  return {
    rawShnum,
    rawShstrndx,
    header: {
      class: l.is64 ? 64 : 32,
      endianness: l.littleEndian ? "little" : "big",
      osabi,
      osabiName: osabiName(osabi),
      abiVersion: b[8]!,
      type,
      typeName: fileTypeName(type),
      machine,
      machineName: machineName(machine),
      version: u32(l, 20),
      entry: word(l, a.entry),
      phoff: word(l, a.phoff),
      shoff: word(l, a.shoff),
      flags: u32(l, a.flags),
      ehsize: u16(l, rest),
      phentsize: u16(l, rest + 2),
      phnum: u16(l, rest + 4),
      shentsize: u16(l, rest + 6),
      shnum: rawShnum,
      shstrndx: rawShstrndx,
    },
  };
}

interface ReadSections {
  readonly header: ElfHeader;
  readonly table: SectionTable;
}

/** The section header table, every header checked (names, data extents) before any is used. */
function readSections(l: Layout, raw: RawHeader): ReadSections {
  const h = raw.header;
  const fileSize = BigInt(l.bytes.length);
  if (h.shoff === 0n) {
    if (raw.rawShnum !== 0) {
      throw new ElfFormatError(
        l.path,
        `e_shnum is ${raw.rawShnum} but e_shoff is 0 (no section header table)`,
      );
    }
    return noSections(l, h);
  }
  const entrySize = l.is64 ? 64 : 40;
  if (h.shentsize !== entrySize) {
    throw new ElfFormatError(
      l.path,
      `e_shentsize is ${h.shentsize}, but an ELF${h.class} section header is ${entrySize} bytes`,
    );
  }
  if (h.shoff + BigInt(entrySize) > fileSize) {
    throw new ElfFormatError(
      l.path,
      `section header table at offset ${hex(h.shoff)} lies outside the file (${l.bytes.length} bytes)`,
    );
  }
  const shoff = Number(h.shoff);
  // Extended numbering (gABI "Sections"): e_shnum == 0 → count in section 0's sh_size;
  // e_shstrndx == SHN_XINDEX → index in section 0's sh_link.
  const size0 = word(l, shoff + (l.is64 ? 32 : 20));
  const link0 = u32(l, shoff + (l.is64 ? 40 : 24));
  let count: bigint = BigInt(raw.rawShnum);
  if (raw.rawShnum === 0) count = size0;
  if (h.shoff + count * BigInt(entrySize) > fileSize) {
    throw new ElfFormatError(
      l.path,
      `section header table (${count} entries of ${entrySize} bytes at offset ${hex(h.shoff)}) extends past the end of the file (${l.bytes.length} bytes)` +
        (raw.rawShnum === 0 ? "; e_shnum is 0, so the count comes from section 0's sh_size" : ""),
    );
  }
  const shnum = Number(count);
  let shstrndx = raw.rawShstrndx;
  if (shstrndx === SHN_XINDEX) shstrndx = link0;
  else if (shstrndx >= SHN_LORESERVE) {
    throw new ElfFormatError(l.path, `e_shstrndx ${hex(shstrndx)} is a reserved section index`);
  }
  if (shnum === 0) return noSections(l, h);
  if (shstrndx >= shnum) {
    throw new ElfFormatError(
      l.path,
      `section-name table index ${shstrndx}${raw.rawShstrndx === SHN_XINDEX ? " (from section 0's sh_link, e_shstrndx is SHN_XINDEX)" : ""} is out of range (${shnum} sections)`,
    );
  }
  const view = l.view;
  const le = l.littleEndian;
  let names: StringTable | null = null;
  if (shstrndx !== SHN_UNDEF) {
    const o = shoff + shstrndx * entrySize;
    const type = view.getUint32(o + 4, le);
    if (type !== SHT_STRTAB) {
      throw new ElfFormatError(
        l.path,
        `section-name table [${shstrndx}] is not a string table (type ${sectionTypeName(h.machine, type)})`,
      );
    }
    checkDataExtent(l, shstrndx, o);
    const start = wordNumber(l, o + SECTION_FIELD_OFFSETS.OFFSET[l.is64 ? 0 : 1]!);
    const size = wordNumber(l, o + SECTION_FIELD_OFFSETS.SIZE[l.is64 ? 0 : 1]!);
    names = makeStringTable(start, size, `the section-name table [${shstrndx}]`);
  }
  const context: SectionContext = {
    layout: l,
    machine: h.machine,
    typeNames: new Map(),
    flagNameLists: new Map(),
    names,
  };
  const found = checkSectionHeaders(l, names, shoff, shnum);
  return { header: { ...h, shnum, shstrndx }, table: new SectionTable(context, shoff, shnum, found) };
}

/**
 * Checks every section's name and data extent; returns the indexes of the symbol and relocation
 * sections, found on the way.
 */
function checkSectionHeaders(
  l: Layout,
  names: StringTable | null,
  shoff: number,
  shnum: number,
): { symbolSections: number[]; relocationSections: number[] } {
  const view = l.view;
  const le = l.littleEndian;
  const is64 = l.is64;
  const entrySize = is64 ? 64 : 40;
  const offsetAt = SECTION_FIELD_OFFSETS.OFFSET[is64 ? 0 : 1]!;
  const sizeAt = SECTION_FIELD_OFFSETS.SIZE[is64 ? 0 : 1]!;
  const length = l.bytes.length;
  const namesSize = names === null ? 0 : names.size;
  // When the table ends in a NUL, every name offset inside it starts a terminated name: no need to
  // look for each name's end (80,000 of them in a -ffunction-sections object).
  const namesEndInNul = names !== null && namesSize > 0 && l.bytes[names.start + namesSize - 1] === 0;
  const symbolSections: number[] = [];
  const relocationSections: number[] = [];
  // Fields are read inline: this loop runs once per section before anything else can be done.
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * entrySize;
    const nameOffset = view.getUint32(o, le);
    const type = view.getUint32(o + 4, le);
    if (names !== null && (nameOffset !== 0 || i !== 0) && !(namesEndInNul && nameOffset < namesSize)) {
      if (stringEnd(l, names, nameOffset) < 0) throw stringError(l, names, nameOffset, `section [${i}]`);
    }
    if (hasData(i, type)) {
      const offset = is64 ? u64Number(view, o + offsetAt, le) : view.getUint32(o + offsetAt, le);
      const size = is64 ? u64Number(view, o + sizeAt, le) : view.getUint32(o + sizeAt, le);
      if (offset > length || size > length - offset) checkDataExtent(l, i, o);
    }
    if (isSymbolSection(type)) symbolSections.push(i);
    else if (isRelocationSection(type)) relocationSections.push(i);
  }
  return { symbolSections, relocationSections };
}

function noSections(l: Layout, h: ElfHeader): ReadSections {
  const context: SectionContext = {
    layout: l,
    machine: h.machine,
    typeNames: new Map(),
    flagNameLists: new Map(),
    names: null,
  };
  return {
    header: { ...h, shnum: 0, shstrndx: 0 },
    table: new SectionTable(context, 0, 0, { symbolSections: [], relocationSections: [] }),
  };
}

/** Throws unless section i's data (header at `at`) lies inside the file, saying where it lies. */
function checkDataExtent(l: Layout, i: number, at: number): void {
  const offsetAt = at + SECTION_FIELD_OFFSETS.OFFSET[l.is64 ? 0 : 1]!;
  const sizeAt = at + SECTION_FIELD_OFFSETS.SIZE[l.is64 ? 0 : 1]!;
  const offset = wordNumber(l, offsetAt);
  const size = wordNumber(l, sizeAt);
  const length = l.bytes.length;
  if (offset > length || size > length - offset) {
    throw new ElfFormatError(
      l.path,
      `section [${i}]'s data (offset ${hex(word(l, offsetAt))}, size ${hex(word(l, sizeAt))}) extends past the end of the file (${length} bytes)`,
    );
  }
}

/** The byte-order-aware reader of a file, for code in elf/ that reads fields itself (the formatters). */
export function layoutOf(file: ElfFile): Layout {
  if (file instanceof ElfFileView) return file.layout;
  return makeLayout(file.path, file.bytes, file.header.endianness === "little", file.header.class === 64);
}

/** The file's sections by index; for the reader's own files, without making every section object. */
export function sectionLookupOf(file: ElfFile): SectionLookup {
  return file instanceof ElfFileView ? file.sectionTable : arrayLookup(file.sections);
}

/** The ElfFile implementation: holds the bytes and caches what has been decoded. */
class ElfFileView implements ElfFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly #layout: Layout;
  readonly #table: SectionTable;
  #byName: Map<string, ElfSection> | undefined;
  readonly #symbolTables = new Map<number, readonly ElfSymbol[]>();
  #relocationSections: readonly ElfRelocationSection[] | undefined;

  constructor(layout: Layout, read: ReadSections) {
    this.#layout = layout;
    this.path = layout.path;
    this.bytes = layout.bytes;
    this.header = read.header;
    this.#table = read.table;
  }

  get layout(): Layout {
    return this.#layout;
  }

  get sectionTable(): SectionTable {
    return this.#table;
  }

  /** Every section as an object, made on first use (a listing of symbols needs only a few of them). */
  get sections(): readonly ElfSection[] {
    return this.#table.all();
  }

  sectionByName(name: string): ElfSection | undefined {
    if (!this.#byName) {
      const map = new Map<string, ElfSection>();
      for (const s of this.sections) if (!map.has(s.name)) map.set(s.name, s);
      this.#byName = map;
    }
    return this.#byName.get(name);
  }

  symbols(): readonly ElfSymbol[] {
    return this.#firstOfType(SHT_SYMTAB);
  }

  dynamicSymbols(): readonly ElfSymbol[] {
    return this.#firstOfType(SHT_DYNSYM);
  }

  #firstOfType(type: number): readonly ElfSymbol[] {
    for (const i of this.#table.symbolSections) if (this.#table.type(i) === type) return this.symbolsOf(i);
    return [];
  }

  symbolsOf(section: ElfSection | number): readonly ElfSymbol[] {
    const s =
      typeof section !== "number"
        ? section
        : Number.isInteger(section) && section >= 0 && section < this.#table.count
          ? this.#table.section(section)
          : undefined;
    if (!s) throw new ElfFormatError(this.path, `no section [${String(section)}]`);
    let symbols = this.#symbolTables.get(s.index);
    if (!symbols) {
      symbols = readSymbolTable(this.#layout, this.header, this.#table, s);
      this.#symbolTables.set(s.index, symbols);
    }
    return symbols;
  }

  relocationSections(): readonly ElfRelocationSection[] {
    this.#relocationSections ??= readRelocationSections(this.#layout, this.header, this.#table);
    return this.#relocationSections;
  }

  relocationsFor(section: ElfSection | number) {
    const index = typeof section === "number" ? section : section.index;
    return relocationsFor(this.relocationSections(), index);
  }
}
