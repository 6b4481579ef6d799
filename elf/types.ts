// The typed view of an ELF file that elf/ returns. No kernel knowledge here.

export type ElfClass = 32 | 64;
export type Endianness = "little" | "big";

export interface ElfHeader {
  readonly class: ElfClass;
  readonly endianness: Endianness;
  readonly osabi: number;
  readonly osabiName: string;
  readonly abiVersion: number;
  readonly type: number;
  readonly typeName: string;
  readonly machine: number;
  readonly machineName: string;
  readonly version: number;
  readonly entry: bigint;
  readonly phoff: bigint;
  readonly shoff: bigint;
  readonly flags: number;
  readonly ehsize: number;
  readonly phentsize: number;
  readonly phnum: number;
  readonly shentsize: number;
  /** Section count, extended numbering resolved (e_shnum == 0 → section 0's sh_size). */
  readonly shnum: number;
  /** Section-name string table index, extended numbering resolved (SHN_XINDEX → section 0's sh_link). */
  readonly shstrndx: number;
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly typeName: string;
  readonly flags: bigint;
  readonly flagNames: readonly string[];
  readonly addr: bigint;
  readonly offset: bigint;
  readonly size: bigint;
  readonly link: number;
  readonly info: number;
  readonly addralign: bigint;
  readonly entsize: bigint;
  /** A view into the file's bytes (no copy); null for SHT_NOBITS and SHT_NULL. */
  readonly data: Uint8Array | null;
}

/** st_shndx values that are not section indexes, by name. */
export type SpecialSectionIndex = "UNDEF" | "ABS" | "COMMON" | "XINDEX" | "LIVEPATCH" | "OTHER";

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: bigint;
  readonly size: bigint;
  readonly type: number;
  readonly typeName: string;
  readonly bind: number;
  readonly bindName: string;
  readonly visibility: number;
  readonly visibilityName: string;
  /** The raw st_shndx, except SHN_XINDEX is replaced by the index from .symtab_shndx. */
  readonly shndx: number;
  /** Set when shndx is a reserved value (UNDEF = 0, ABS, COMMON, LIVEPATCH = 0xff20, other reserved). */
  readonly special: SpecialSectionIndex | null;
  /** The section the symbol lies in, when shndx names a real section. */
  readonly sectionIndex: number | null;
}

export interface ElfRelocation {
  readonly offset: bigint;
  readonly type: number;
  readonly typeName: string;
  readonly symbolIndex: number;
  /** null for SHT_REL (no explicit addend). */
  readonly addend: bigint | null;
}

export interface ElfRelocationSection {
  readonly section: ElfSection;
  /** The section the relocations apply to (sh_info), null when sh_info is 0. */
  readonly target: ElfSection | null;
  /** The symbol table they refer to (sh_link). */
  readonly symtab: ElfSection;
  readonly isRela: boolean;
  readonly count: number;
  /** Decoded on first call, then cached. */
  entries(): readonly ElfRelocation[];
}

export interface ElfFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  sectionByName(name: string): ElfSection | undefined;
  /** Symbols of .symtab (SHT_SYMTAB), index 0 included; [] when there is none. Decoded once, cached. */
  symbols(): readonly ElfSymbol[];
  /** Symbols of .dynsym (SHT_DYNSYM); [] when there is none. */
  dynamicSymbols(): readonly ElfSymbol[];
  /** Every SHT_REL / SHT_RELA section, in section order. */
  relocationSections(): readonly ElfRelocationSection[];
  /** Relocations that apply to one section (from every REL/RELA section whose sh_info names it). */
  relocationsFor(section: ElfSection | number): readonly ElfRelocation[];
}
