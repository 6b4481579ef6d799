// One section header, read from the file's bytes on demand: an object with a handful of fields per
// section, so an object with 80,000 sections costs little until its fields are used.
import type { Layout, StringTable } from "./layout.js";
import { bigintOf, decodeString } from "./layout.js";
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
  const le = l.littleEndian;
  const hi = l.view.getUint32(le ? at + 4 : at, le);
  const lo = l.view.getUint32(le ? at : at + 4, le);
  return hi * 0x100000000 + lo;
}

export class SectionHeader implements ElfSection {
  readonly index: number;
  readonly type: number;
  readonly link: number;
  readonly info: number;
  readonly #context: SectionContext;
  /** Where this header starts in the file. */
  readonly #at: number;
  /** Where the section's bytes lie (checked against the file's length), or -1 when it has none. */
  readonly #dataStart: number;
  readonly #dataEnd: number;
  #data: Uint8Array | null | undefined;
  /** The name's bytes in the section-name table (checked when the file was read); decoded on use. */
  readonly #nameStart: number;
  readonly #nameEnd: number;
  #name: string | undefined;

  constructor(
    context: SectionContext,
    index: number,
    at: number,
    nameStart: number,
    nameEnd: number,
    type: number,
    link: number,
    info: number,
    dataStart: number,
    dataEnd: number,
  ) {
    this.#context = context;
    this.index = index;
    this.#at = at;
    this.#nameStart = nameStart;
    this.#nameEnd = nameEnd;
    this.type = type;
    this.link = link;
    this.info = info;
    this.#dataStart = dataStart;
    this.#dataEnd = dataEnd;
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
      const names = this.#context.names;
      this.#name = names === null ? "" : decodeString(this.#context.layout, this.#nameStart, this.#nameEnd);
    }
    return this.#name;
  }

  /** Where the name's bytes lie in the file: [start, end) (for writers that copy bytes, not strings). */
  nameBytes(): readonly [number, number] {
    return [this.#nameStart, this.#nameEnd];
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
      this.#data =
        this.#dataStart < 0 ? null : this.#context.layout.bytes.subarray(this.#dataStart, this.#dataEnd);
    }
    return this.#data;
  }

  /** The header as plain JSON data: 64-bit fields as "0x…" strings, the data as its extent. */
  toJSON(): Record<string, unknown> {
    const hex = (v: bigint) => `0x${v.toString(16)}`;
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
      data: this.#dataStart < 0 ? null : `${this.#dataEnd - this.#dataStart} bytes`,
    };
  }
}

export const SECTION_FIELD_OFFSETS = { FLAGS, ADDR, OFFSET, SIZE, ADDRALIGN, ENTSIZE };
