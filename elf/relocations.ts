// Relocation sections (SHT_REL / SHT_RELA): their headers checked up front, their entries decoded
// on first use.
import { SHT_DYNSYM, SHT_NULL, SHT_REL, SHT_RELA, SHT_SYMTAB } from "./constants.js";
import { ElfFormatError } from "./errors.js";
import { hex, type Layout } from "./layout.js";
import { relocationTypeName } from "./relocation-types.js";
import { arrayLookup } from "./section-header.js";
import { symbolCount } from "./symbols.js";
import type { ElfHeader, ElfRelocation, ElfRelocationSection, ElfSection } from "./types.js";

/** The entry sizes as bigints, to compare with sh_entsize without allocating. */
const ENTRY_SIZES: Record<number, bigint> = { 8: 8n, 12: 12n, 16: 16n, 24: 24n };

export function readRelocationSections(
  l: Layout,
  header: ElfHeader,
  sections: readonly ElfSection[],
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
  const lookup = arrayLookup(sections);
  for (const section of sections) {
    if (section.type !== SHT_REL && section.type !== SHT_RELA) continue;
    const isRela = section.type === SHT_RELA;
    const entrySize = l.is64 ? (isRela ? 24 : 16) : isRela ? 12 : 8;
    const what = () => `relocation section [${section.index}] '${section.name}'`;
    const data = section.data;
    if (data === null)
      throw new ElfFormatError(l.path, `${what()}: section 0 is reserved and cannot hold relocations`);
    if (section.entsize !== ENTRY_SIZES[entrySize]) {
      throw new ElfFormatError(l.path, `${what()} has sh_entsize ${section.entsize}, expected ${entrySize}`);
    }
    if (data.length % entrySize !== 0) {
      throw new ElfFormatError(
        l.path,
        `${what()} has size ${hex(section.size)}, not a multiple of its entry size ${entrySize}`,
      );
    }
    const symtab = sections[section.link];
    if (!symtab || (section.link !== 0 && symtab.type !== SHT_SYMTAB && symtab.type !== SHT_DYNSYM)) {
      throw new ElfFormatError(l.path, `${what()} has sh_link ${section.link}, which is not a symbol table`);
    }
    let symbols = 0;
    if (symtab.type !== SHT_NULL) {
      const known = symbolCounts.get(symtab.index);
      symbols = known ?? symbolCount(l, lookup, symtab);
      symbolCounts.set(symtab.index, symbols);
    }
    if (section.info >= sections.length) {
      throw new ElfFormatError(
        l.path,
        `${what()} has sh_info ${section.info}, not a section (${sections.length} sections)`,
      );
    }
    const target = section.info === 0 ? null : sections[section.info]!;
    const count = data.length / entrySize;
    result.push(new RelocationSectionView(decoder, section, target, symtab, isRela, count, symbols));
  }
  return result;
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
    readonly section: ElfSection,
    readonly target: ElfSection | null,
    readonly symtab: ElfSection,
    readonly isRela: boolean,
    readonly count: number,
    readonly symbolCount: number,
  ) {}

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
