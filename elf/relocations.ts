// Relocation sections (SHT_REL / SHT_RELA): their headers checked up front, their entries decoded
// on first use.
import { SHT_DYNSYM, SHT_NULL, SHT_REL, SHT_RELA, SHT_SYMTAB } from "./constants.js";
import { ElfFormatError } from "./errors.js";
import { hex, type Layout } from "./layout.js";
import { relocationTypeName } from "./relocation-types.js";
import type { SectionLookup } from "./section-header.js";
import { symbolCount } from "./symbols.js";
import type { ElfHeader, ElfRelocation, ElfRelocationSection, ElfSection } from "./types.js";

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
    const shape = relocationShape(l, sections, index, symbolCounts);
    if (shape === null) continue;
    const symtab = sections.section(sections.link(index));
    result.push(
      new RelocationSectionView(
        decoder,
        sections,
        sections.section(index),
        symtab,
        shape.isRela,
        shape.count,
        shape.symbols,
      ),
    );
  }
  return result;
}

/** A checked SHT_REL / SHT_RELA section's shape, read from its header fields. */
export interface RelocationShape {
  readonly isRela: boolean;
  readonly entrySize: number;
  readonly count: number;
  /** How many symbols its symbol table has (0 for sh_link 0). */
  readonly symbols: number;
}

/**
 * Checks relocation section `index` (null: not REL or RELA) without making its section object
 * unless to name it in an error; `symbolCounts` keeps each symbol table's count across calls.
 */
export function relocationShape(
  l: Layout,
  sections: SectionLookup,
  index: number,
  symbolCounts: Map<number, number>,
): RelocationShape | null {
  const type = sections.type(index);
  if (type !== SHT_REL && type !== SHT_RELA) return null;
  const isRela = type === SHT_RELA;
  const entrySize = l.is64 ? (isRela ? 24 : 16) : isRela ? 12 : 8;
  if (sections.dataStart(index) < 0)
    throw relocationError(l, sections, index, ": section 0 is reserved and cannot hold relocations");
  const entsize = sections.entsize(index);
  if (entsize !== entrySize) {
    throw relocationError(
      l,
      sections,
      index,
      ` has sh_entsize ${sections.section(index).entsize}, expected ${entrySize}`,
    );
  }
  const size = sections.size(index);
  if (size % entrySize !== 0) {
    throw relocationError(
      l,
      sections,
      index,
      ` has size ${hex(sections.section(index).size)}, not a multiple of its entry size ${entrySize}`,
    );
  }
  const link = sections.link(index);
  const linkType = link < sections.count ? sections.type(link) : -1;
  if (linkType < 0 || (link !== 0 && linkType !== SHT_SYMTAB && linkType !== SHT_DYNSYM)) {
    throw relocationError(l, sections, index, ` has sh_link ${link}, which is not a symbol table`);
  }
  let symbols = 0;
  if (linkType !== SHT_NULL) {
    const known = symbolCounts.get(link);
    symbols = known ?? symbolCount(l, sections, sections.section(link));
    symbolCounts.set(link, symbols);
  }
  const info = sections.info(index);
  if (info >= sections.count)
    throw relocationError(
      l,
      sections,
      index,
      ` has sh_info ${info}, not a section (${sections.count} sections)`,
    );
  return { isRela, entrySize, count: size / entrySize, symbols };
}

/** The error naming relocation section `index` (its object made only now). */
function relocationError(l: Layout, sections: SectionLookup, index: number, what: string): ElfFormatError {
  return new ElfFormatError(l.path, `${relocationSectionText(sections.section(index))}${what}`);
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
