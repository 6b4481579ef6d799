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
  /** REL, EXEC, DYN, CORE, NONE. */
  readonly typeName: string;
  readonly machine: number;
  /** Short name: x86_64, i386, aarch64, arm, ppc64, ppc, s390, loongarch, riscv, … ("EM_<n>" if unknown). */
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

/**
 * A section header. The reader returns objects whose fields other than index/name/type/link/info are
 * getters reading the header bytes on use (cheap for files with 80,000 sections): read them, don't
 * spread them ({...section} drops the getters). JSON.stringify gives every field (64-bit ones as "0x…").
 */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  /** As readelf -S names it: PROGBITS, NOBITS, SYMTAB, STRTAB, RELA, REL, GROUP, … */
  readonly typeName: string;
  readonly flags: bigint;
  /** As readelf -t names them: WRITE, ALLOC, EXEC, MERGE, STRINGS, INFO LINK, GROUP, … */
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
  /** STT_* (st_info & 0xf). */
  readonly type: number;
  /** As readelf -s prints it: NOTYPE, OBJECT, FUNC, SECTION, FILE, COMMON, TLS, IFUNC, … */
  readonly typeName: string;
  /** STB_* (st_info >> 4). */
  readonly bind: number;
  /** LOCAL, GLOBAL, WEAK, UNIQUE, … */
  readonly bindName: string;
  readonly visibility: number;
  /** DEFAULT, INTERNAL, HIDDEN, PROTECTED. */
  readonly visibilityName: string;
  /** The raw st_other byte (visibility in its low 2 bits; e.g. ppc64 ELFv2 keeps the local entry offset above). */
  readonly other: number;
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
  /** R_X86_64_PLT32, R_AARCH64_CALL26, …; "unrecognized: <hex>" (readelf's wording) when unknown. */
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
  /** Symbols of any SHT_SYMTAB / SHT_DYNSYM section (e.g. a relocation section's symtab). Cached. */
  symbolsOf(section: ElfSection | number): readonly ElfSymbol[];
  /** Every SHT_REL / SHT_RELA section, in section order. */
  relocationSections(): readonly ElfRelocationSection[];
  /** Relocations that apply to one section (from every REL/RELA section whose sh_info names it). */
  relocationsFor(section: ElfSection | number): readonly ElfRelocation[];
}
