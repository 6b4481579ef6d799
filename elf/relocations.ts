// Relocation sections (SHT_REL / SHT_RELA): their headers checked up front, their entries decoded
// on first use.
import { SHT_DYNSYM, SHT_NULL, SHT_REL, SHT_RELA, SHT_SYMTAB } from "./constants.js";
import { ElfFormatError } from "./errors.js";
import { hex, type Layout } from "./layout.js";
import { relocationTypeName } from "./relocation-types.js";
import type { SectionLookup } from "./section-header.js";
import { symbolCount } from "./symbols.js";
import type { ElfHeader, ElfRelocation, ElfRelocationSection, ElfSection } from "./types.js";

/** The entry sizes as bigints, to compare with sh_entsize without allocating. */
const ENTRY_SIZES: Record<number, bigint> = { 8: 8n, 12: 12n, 16: 16n, 24: 24n };

/** Every SHT_REL / SHT_RELA section of a file, checked; their entries are decoded on first use. */
export function readRelocationSections(
  l: Layout,
  header: ElfHeader,
  sections: SectionLookup,
): ElfRelocationSection[] {
  const result: ElfRelocationSection[] = [];
  const symbolCounts = new Map<number, number>();
  const typeNames = new Map<number, string>();
  const nameOf = (type: number): string => {
    let name = typeNames.get(type);
    if (name === undefined) {
      name = relocationTypeName(header.machine, type) ?? `unrecognized: ${type.toString(16)}`;
      typeNames.set(type, name);
    }
    return name;
  };
  const decoder: RelocationDecoder = { layout: l, nameOf };
  for (const index of sections.relocationSections) {
    const type = sections.type(index);
    if (type !== SHT_REL && type !== SHT_RELA) continue;
    const section = sections.section(index);
    const isRela = type === SHT_RELA;
    const entrySize = l.is64 ? (isRela ? 24 : 16) : isRela ? 12 : 8;
    const data = section.data;
    if (data === null)
      throw new ElfFormatError(
        l.path,
        `${relocationSectionText(section)}: section 0 is reserved and cannot hold relocations`,
      );
    if (section.entsize !== ENTRY_SIZES[entrySize]) {
      throw new ElfFormatError(
        l.path,
        `${relocationSectionText(section)} has sh_entsize ${section.entsize}, expected ${entrySize}`,
      );
    }
    if (data.length % entrySize !== 0) {
      throw new ElfFormatError(
        l.path,
        `${relocationSectionText(section)} has size ${hex(section.size)}, not a multiple of its entry size ${entrySize}`,
      );
    }
    const symtab = section.link < sections.count ? sections.section(section.link) : undefined;
    if (!symtab || (section.link !== 0 && symtab.type !== SHT_SYMTAB && symtab.type !== SHT_DYNSYM)) {
      throw new ElfFormatError(
        l.path,
        `${relocationSectionText(section)} has sh_link ${section.link}, which is not a symbol table`,
      );
    }
    let symbols = 0;
    if (symtab.type !== SHT_NULL) {
      const known = symbolCounts.get(symtab.index);
      symbols = known ?? symbolCount(l, sections, symtab);
      symbolCounts.set(symtab.index, symbols);
    }
    if (section.info >= sections.count) {
      throw new ElfFormatError(
        l.path,
        `${relocationSectionText(section)} has sh_info ${section.info}, not a section (${sections.count} sections)`,
      );
    }
    const count = data.length / entrySize;
    result.push(new RelocationSectionView(decoder, sections, section, symtab, isRela, count, symbols));
  }
  return result;
}

function relocationSectionText(section: ElfSection): string {
  return `relocation section [${section.index}] '${section.name}'`;
}

/** What the relocation sections of one file share for decoding their entries. */
interface RelocationDecoder {
  readonly layout: Layout;
  readonly nameOf: (type: number) => string;
}

/** One REL/RELA section: checked when listed, its entries decoded on first use and kept. */
class RelocationSectionView implements ElfRelocationSection {
  #entries: ElfRelocation[] | undefined;

  constructor(
    readonly decoder: RelocationDecoder,
    readonly sections: SectionLookup,
    readonly section: ElfSection,
    readonly symtab: ElfSection,
    readonly isRela: boolean,
    readonly count: number,
    readonly symbolCount: number,
  ) {}

  /** The section sh_info names (checked to exist), made on first use: a file may have 40,000 of them. */
  get target(): ElfSection | null {
    return this.section.info === 0 ? null : this.sections.section(this.section.info);
  }

  entries(): readonly ElfRelocation[] {
    this.#entries ??= decodeRelocations(
      this.decoder.layout,
      this.section,
      this.isRela,
      this.count,
      this.symbolCount,
      this.symtab,
      this.decoder.nameOf,
    );
    return this.#entries;
  }
}

function decodeRelocations(
  l: Layout,
  section: ElfSection,
  isRela: boolean,
  count: number,
  symbolCount: number,
  symtab: ElfSection,
  nameOf: (type: number) => string,
): ElfRelocation[] {
  const view = l.view;
  const le = l.littleEndian;
  const start = section.data!.byteOffset - l.bytes.byteOffset;
  const entries: ElfRelocation[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let offset: bigint;
    let type: number;
    let symbolIndex: number;
    let addend: bigint | null = null;
    if (l.is64) {
      const o = start + i * (isRela ? 24 : 16);
      offset = view.getBigUint64(o, le);
      // r_info = sym << 32 | type (gABI "Relocation"): read as two 32-bit halves.
      const lo = view.getUint32(o + (le ? 8 : 12), le);
      const hi = view.getUint32(o + (le ? 12 : 8), le);
      type = lo;
      symbolIndex = hi;
      if (isRela) addend = view.getBigInt64(o + 16, le);
    } else {
      const o = start + i * (isRela ? 12 : 8);
      offset = BigInt(view.getUint32(o, le));
      // ELF32 r_info = sym << 8 | type.
      const info = view.getUint32(o + 4, le);
      type = info & 0xff;
      symbolIndex = info >>> 8;
      if (isRela) addend = BigInt(view.getInt32(o + 8, le));
    }
    if (symbolIndex >= symbolCount && symbolIndex !== 0) {
      throw missingSymbolError(l, section, i, symbolIndex, symtab, symbolCount);
    }
    entries[i] = { offset, type, typeName: nameOf(type), symbolIndex, addend };
  }
  return entries;
}

export function missingSymbolError(
  l: Layout,
  section: ElfSection,
  i: number,
  symbolIndex: number,
  symtab: ElfSection,
  symbolCount: number,
): ElfFormatError {
  return new ElfFormatError(
    l.path,
    `relocation ${i} of '${section.name}' names symbol ${symbolIndex}, but ${symtab.type === SHT_NULL ? "the section has no symbol table" : `'${symtab.name}' has ${symbolCount} symbols`}`,
  );
}

export function relocationsFor(sections: readonly ElfRelocationSection[], target: number): ElfRelocation[] {
  const result: ElfRelocation[] = [];
  for (const s of sections) {
    if (s.target?.index === target) for (const r of s.entries()) result.push(r);
  }
  return result;
}
