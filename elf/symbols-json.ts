// The JSON form of `klpmatch symbols`: the same data as the readelf layout, 64-bit values as "0x…".
import { SHT_DYNSYM, SHT_SYMTAB, STT_SECTION } from "./constants.js";
import { hex } from "./layout.js";
import { type SymbolsListingOptions, sectionIndexLabel } from "./readelf-format.js";
import type { ElfFile, ElfRelocationSection, ElfSymbol } from "./types.js";
import { symbolVersions } from "./versions.js";

export interface SymbolJson {
  index: number;
  name: string;
  value: string;
  size: string;
  type: string;
  bind: string;
  visibility: string;
  /** st_other above the visibility bits (e.g. ppc64 local entry), 0 when none. */
  other: number;
  /** Resolved section index (extended numbering applied) or the reserved value. */
  shndx: number;
  /** readelf's Ndx column: UND, ABS, COM, a number, … */
  ndx: string;
  /** Name of the section the symbol lies in, null for UND/ABS/COM/reserved. */
  section: string | null;
  /** GNU symbol version of a .dynsym entry ("GLIBC_2.34"), null when none. */
  version: string | null;
}

export interface RelocationJson {
  offset: string;
  type: string;
  typeNumber: number;
  symbolIndex: number;
  /** The symbol's name; for an unnamed section symbol, its section's name; null for symbol 0. */
  symbol: string | null;
  symbolValue: string | null;
  /** Signed ("-0x4"); null for SHT_REL. */
  addend: string | null;
}

function symbolJson(file: ElfFile, s: ElfSymbol, version: string | null): SymbolJson {
  return {
    index: s.index,
    name: s.name,
    value: hex(s.value),
    size: hex(s.size),
    type: s.typeName,
    bind: s.bindName,
    visibility: s.visibilityName,
    other: s.other & ~3,
    shndx: s.shndx,
    ndx: sectionIndexLabel(file, s),
    section: s.sectionIndex === null ? null : (file.sections[s.sectionIndex]?.name ?? null),
    version,
  };
}

function relocationSectionJson(file: ElfFile, rs: ElfRelocationSection) {
  const symbols = rs.symtab.index === 0 ? [] : file.symbolsOf(rs.symtab);
  return {
    section: rs.section.name,
    offset: hex(rs.section.offset),
    target: rs.target?.name ?? null,
    symtab: rs.symtab.index === 0 ? null : rs.symtab.name,
    rela: rs.isRela,
    relocations: rs.entries().map((r): RelocationJson => {
      const s = r.symbolIndex === 0 ? undefined : symbols[r.symbolIndex];
      const name =
        s === undefined
          ? null
          : s.name === "" && s.type === STT_SECTION && s.sectionIndex !== null
            ? (file.sections[s.sectionIndex]?.name ?? "")
            : s.name;
      return {
        offset: hex(r.offset),
        type: r.typeName,
        typeNumber: r.type,
        symbolIndex: r.symbolIndex,
        symbol: name,
        symbolValue: s === undefined ? null : hex(s.value),
        addend: r.addend === null ? null : hex(r.addend),
      };
    }),
  };
}

/** One file's symbol tables (and relocations when asked) as plain JSON-ready data. */
export function symbolsJson(file: ElfFile, opts: SymbolsListingOptions = {}) {
  const tables = file.sections.filter(
    (s) => s.type === SHT_DYNSYM || (!opts.dynamicOnly && s.type === SHT_SYMTAB),
  );
  return {
    path: file.path,
    class: file.header.class,
    endianness: file.header.endianness,
    machine: file.header.machineName,
    type: file.header.typeName,
    symbolTables: tables.map((table) => {
      const versions = table.type === SHT_DYNSYM ? symbolVersions(file, table) : null;
      return {
        section: table.name,
        symbols: file.symbolsOf(table).map((s) => {
          const v = versions?.[s.index];
          return symbolJson(file, s, v ? v.name : null);
        }),
      };
    }),
    ...(opts.relocs
      ? { relocationSections: file.relocationSections().map((rs) => relocationSectionJson(file, rs)) }
      : {}),
  };
}

/** The whole `--json` document for several files. */
export function formatSymbolsJson(files: readonly ElfFile[], opts: SymbolsListingOptions = {}): string {
  return `${JSON.stringify({ files: files.map((f) => symbolsJson(f, opts)) }, null, 2)}\n`;
}
