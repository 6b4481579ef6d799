// Section headers, read from the file's bytes on demand: an object is made for a section only when
// it is asked for, so an object with 80,000 sections costs little until its sections are used.
import {
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_RELR,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from "./constants.js";
import type { Layout, StringTable } from "./layout.js";
import { bigintOf, decodeString, hex, u64Number } from "./layout.js";
import { sectionFlagNames, sectionTypeName } from "./names.js";
import type { ElfSection } from "./types.js";

/** What every section of one file shares. */
export interface SectionContext {
  readonly layout: Layout;
  readonly machine: number;
  readonly typeNames: Map<number, string>;
  readonly flagNameLists: Map<bigint, readonly string[]>;
  /** The section-name table, null when e_shstrndx is SHN_UNDEF. */
  readonly names: StringTable | null;
}

// Field offsets inside a section header (gABI "Sections"), ELF64 then ELF32.
const FLAGS = [8, 8];
const ADDR = [16, 12];
const OFFSET = [24, 16];
const SIZE = [32, 20];
const ADDRALIGN = [48, 32];
const ENTSIZE = [56, 36];

/** An unsigned address-sized field as a non-negative number (exact below 2^53; larger means "huge"). */
export function wordNumber(l: Layout, at: number): number {
  if (!l.is64) return l.view.getUint32(at, l.littleEndian);
  return u64Number(l.view, at, l.littleEndian);
}

/** Where the name of section `index` (header at `at`) starts in the file; -1 when it has none. */
function nameStartOf(context: SectionContext, index: number, at: number): number {
  const { layout: l, names } = context;
  if (names === null) return -1;
  const offset = l.view.getUint32(at, l.littleEndian);
  // Section 0's name offset 0 means no name, even in an empty name table.
  return offset === 0 && index === 0 ? -1 : names.start + offset;
}

/** Where the name of section `index` ends: its NUL (found when the file was read), or -1 for no name. */
function nameEndOf(context: SectionContext, index: number, at: number): number {
  const start = nameStartOf(context, index, at);
  return start < 0 ? -1 : context.layout.bytes.indexOf(0, start);
}

export class SectionHeader implements ElfSection {
  readonly index: number;
  readonly type: number;
  readonly link: number;
  readonly info: number;
  readonly #context: SectionContext;
  /** Where this header starts in the file; its name and data extents were checked when the file was read. */
  readonly #at: number;
  #data: Uint8Array | null | undefined;
  #name: string | undefined;

  constructor(context: SectionContext, index: number, at: number, type: number, link: number, info: number) {
    this.#context = context;
    this.index = index;
    this.#at = at;
    this.type = type;
    this.link = link;
    this.info = info;
  }

  #word(offsets: number[]): bigint {
    const l = this.#context.layout;
    const at = this.#at + offsets[l.is64 ? 0 : 1]!;
    if (!l.is64) return bigintOf(l.view.getUint32(at, l.littleEndian));
    const le = l.littleEndian;
    const hi = l.view.getUint32(le ? at + 4 : at, le);
    if (hi === 0) return bigintOf(l.view.getUint32(le ? at : at + 4, le));
    return l.view.getBigUint64(at, le);
  }

  get name(): string {
    if (this.#name === undefined) {
      const start = this.nameStart;
      this.#name = start < 0 ? "" : decodeString(this.#context.layout, start, this.nameEnd);
    }
    return this.#name;
  }

  /** Where the name's bytes start in the file, -1 when it has none (for writers that copy bytes). */
  get nameStart(): number {
    return nameStartOf(this.#context, this.index, this.#at);
  }

  /** Where the name's bytes end in the file: at its NUL, which was found when the file was read. */
  get nameEnd(): number {
    return nameEndOf(this.#context, this.index, this.#at);
  }

  get typeName(): string {
    const names = this.#context.typeNames;
    let name = names.get(this.type);
    if (name === undefined) {
      name = sectionTypeName(this.#context.machine, this.type);
      names.set(this.type, name);
    }
    return name;
  }

  get flags(): bigint {
    return this.#word(FLAGS);
  }

  get flagNames(): readonly string[] {
    const flags = this.flags;
    const lists = this.#context.flagNameLists;
    let names = lists.get(flags);
    if (names === undefined) {
      names = Object.freeze(sectionFlagNames(flags));
      lists.set(flags, names);
    }
    return names;
  }

  get addr(): bigint {
    return this.#word(ADDR);
  }

  get offset(): bigint {
    return this.#word(OFFSET);
  }

  get size(): bigint {
    return this.#word(SIZE);
  }

  get addralign(): bigint {
    return this.#word(ADDRALIGN);
  }

  get entsize(): bigint {
    return this.#word(ENTSIZE);
  }

  get data(): Uint8Array | null {
    if (this.#data === undefined) {
      const l = this.#context.layout;
      this.#data = hasData(this.index, this.type)
        ? l.bytes.subarray(this.#dataStart(), this.#dataStart() + this.#dataSize())
        : null;
    }
    return this.#data;
  }

  #dataStart(): number {
    const l = this.#context.layout;
    return wordNumber(l, this.#at + OFFSET[l.is64 ? 0 : 1]!);
  }

  #dataSize(): number {
    const l = this.#context.layout;
    return wordNumber(l, this.#at + SIZE[l.is64 ? 0 : 1]!);
  }

  /** The header as plain JSON data: 64-bit fields as "0x…" strings, the data as its extent. */
  toJSON(): Record<string, unknown> {
    return {
      index: this.index,
      name: this.name,
      type: this.type,
      typeName: this.typeName,
      flags: hex(this.flags),
      flagNames: this.flagNames,
      addr: hex(this.addr),
      offset: hex(this.offset),
      size: hex(this.size),
      link: this.link,
      info: this.info,
      addralign: hex(this.addralign),
      entsize: hex(this.entsize),
      data: hasData(this.index, this.type) ? `${this.#dataSize()} bytes` : null,
    };
  }
}

/** Whether section `index` of type `type` has bytes in the file (SHT_NOBITS, SHT_NULL and section 0 don't). */
export function hasData(index: number, type: number): boolean {
  return index !== 0 && type !== SHT_NOBITS && type !== SHT_NULL;
}

/** Looking sections up by index without making an object for every section of the file. */
export interface SectionLookup {
  readonly count: number;
  /** Section i (0 ≤ i < count); the same object on every call. */
  section(i: number): ElfSection;
  type(i: number): number;
  link(i: number): number;
  info(i: number): number;
  /** sh_flags, sh_size and sh_entsize as numbers (exact below 2^53). */
  flags(i: number): number;
  size(i: number): number;
  entsize(i: number): number;
  /** Where section i's bytes start in the file, -1 when it has none there (SHT_NOBITS, section 0). */
  dataStart(i: number): number;
  /** Indexes of the SHT_SYMTAB, SHT_DYNSYM and SHT_SYMTAB_SHNDX sections, in order. */
  readonly symbolSections: readonly number[];
  /** Indexes of the SHT_REL, SHT_RELA and SHT_RELR sections, in order. */
  readonly relocationSections: readonly number[];
}

/** Whether sections of this type go in SectionLookup.symbolSections. */
export function isSymbolSection(type: number): boolean {
  return type === SHT_SYMTAB || type === SHT_DYNSYM || type === SHT_SYMTAB_SHNDX;
}

/** Whether sections of this type go in SectionLookup.relocationSections. */
export function isRelocationSection(type: number): boolean {
  return type === SHT_REL || type === SHT_RELA || type === SHT_RELR;
}

/** The lookup over sections that already exist as objects. */
export function arrayLookup(sections: readonly ElfSection[]): SectionLookup {
  return {
    count: sections.length,
    section: (i) => sections[i]!,
    type: (i) => sections[i]!.type,
    link: (i) => sections[i]!.link,
    info: (i) => sections[i]!.info,
    flags: (i) => Number(sections[i]!.flags),
    size: (i) => Number(sections[i]!.size),
    entsize: (i) => Number(sections[i]!.entsize),
    dataStart: (i) => (sections[i]!.data === null ? -1 : Number(sections[i]!.offset)),
    symbolSections: sections.filter((s) => isSymbolSection(s.type)).map((s) => s.index),
    relocationSections: sections.filter((s) => isRelocationSection(s.type)).map((s) => s.index),
  };
}

/**
 * The section header table of a file whose headers were checked when it was read: fields are read
 * from the bytes, and a section's object is made on first use.
 */
export class SectionTable implements SectionLookup {
  readonly count: number;
  readonly #context: SectionContext;
  readonly #shoff: number;
  readonly #entrySize: number;
  readonly #linkAt: number;
  /** The sections made so far, by index (all of them once all() was called). */
  readonly #made: (SectionHeader | undefined)[];
  #all: readonly SectionHeader[] | undefined;
  readonly symbolSections: readonly number[];
  readonly relocationSections: readonly number[];

  constructor(
    context: SectionContext,
    shoff: number,
    count: number,
    found: { symbolSections: readonly number[]; relocationSections: readonly number[] },
  ) {
    const is64 = context.layout.is64;
    this.#context = context;
    this.#shoff = shoff;
    this.count = count;
    this.symbolSections = found.symbolSections;
    this.relocationSections = found.relocationSections;
    this.#made = new Array(count);
    this.#entrySize = is64 ? 64 : 40;
    this.#linkAt = is64 ? 40 : 24;
  }

  type(i: number): number {
    const l = this.#context.layout;
    return l.view.getUint32(this.#shoff + i * this.#entrySize + 4, l.littleEndian);
  }

  link(i: number): number {
    const l = this.#context.layout;
    return l.view.getUint32(this.#shoff + i * this.#entrySize + this.#linkAt, l.littleEndian);
  }

  info(i: number): number {
    const l = this.#context.layout;
    return l.view.getUint32(this.#shoff + i * this.#entrySize + this.#linkAt + 4, l.littleEndian);
  }

  #number(i: number, offsets: number[]): number {
    const l = this.#context.layout;
    return wordNumber(l, this.#shoff + i * this.#entrySize + offsets[l.is64 ? 0 : 1]!);
  }

  flags(i: number): number {
    return this.#number(i, FLAGS);
  }

  size(i: number): number {
    return this.#number(i, SIZE);
  }

  entsize(i: number): number {
    return this.#number(i, ENTSIZE);
  }

  dataStart(i: number): number {
    return hasData(i, this.type(i)) ? this.#number(i, OFFSET) : -1;
  }

  /** The section-name table, null when the file has none. */
  get nameTable(): StringTable | null {
    return this.#context.names;
  }

  /** Where section i's name starts in the file, -1 when it has none. */
  nameStart(i: number): number {
    return nameStartOf(this.#context, i, this.#shoff + i * this.#entrySize);
  }

  /** Where section i's name ends in the file (its NUL), -1 when it has none. */
  nameEnd(i: number): number {
    return nameEndOf(this.#context, i, this.#shoff + i * this.#entrySize);
  }

  section(i: number): SectionHeader {
    let section = this.#made[i];
    if (section === undefined) {
      section = this.#make(i);
      this.#made[i] = section;
    }
    return section;
  }

  /** Every section, in order (the objects section(i) gave out are reused). */
  all(): readonly SectionHeader[] {
    if (this.#all === undefined) {
      const made = this.#made;
      for (let i = 0; i < this.count; i++) made[i] ??= this.#make(i);
      this.#all = made as SectionHeader[];
    }
    return this.#all;
  }

  #make(i: number): SectionHeader {
    const at = this.#shoff + i * this.#entrySize;
    return new SectionHeader(this.#context, i, at, this.type(i), this.link(i), this.info(i));
  }
}

export const SECTION_FIELD_OFFSETS = { FLAGS, ADDR, OFFSET, SIZE, ADDRALIGN, ENTSIZE };
