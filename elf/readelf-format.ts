// Symbol tables and relocations laid out the way binutils `readelf -sW` / `readelf -rW` print them,
// so output can be compared with readelf's literally.
import {
  EM_AARCH64,
  EM_PPC64,
  EM_RISCV,
  EM_X86_64,
  SHN_ABS,
  SHN_COMMON,
  SHN_HIOS,
  SHN_LOOS,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_SYMTAB,
  STT_SECTION,
} from "./constants.js";
import type { ElfFile, ElfRelocationSection, ElfSection, ElfSymbol } from "./types.js";
import { type SymbolVersion, symbolVersions } from "./versions.js";

const SPACES = " ".repeat(64);

function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + SPACES.slice(0, width - text.length);
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : SPACES.slice(0, width - text.length) + text;
}

const ZEROS = "0".repeat(16);

/** A value as fixed-width zero-padded hex: 16 digits for ELF64, 8 for ELF32 (readelf's LONG_HEX). */
function longHex(value: bigint, is64: boolean): string {
  const digits = value.toString(16);
  const width = is64 ? 16 : 8;
  return digits.length >= width ? digits : ZEROS.slice(0, width - digits.length) + digits;
}

/** readelf's DEC_5: decimal in 5 columns, or 0x-prefixed hex when above 99999. */
function dec5(value: bigint): string {
  return value <= 99999n ? padStart(value.toString(), 5) : `0x${value.toString(16)}`;
}

/** readelf's printing of names: control characters shown as ^X. */
function printableName(name: string): string {
  if (!/[\x00-\x1f\x7f]/.test(name)) return name;
  let out = "";
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 ? `^${String.fromCharCode(c + 0x40)}` : c === 0x7f ? "^?" : ch;
  }
  return out;
}

/** The Ndx column: UND, ABS, COM, a section number, or a reserved range with its value. */
export function sectionIndexLabel(file: ElfFile, symbol: ElfSymbol, rawShndx: number): string {
  const shndx = rawShndx === SHN_XINDEX ? symbol.shndx : rawShndx;
  if (rawShndx === SHN_XINDEX) return padStart(String(shndx), 3);
  if (shndx === SHN_UNDEF) return "UND";
  if (shndx === SHN_ABS) return "ABS";
  if (shndx === SHN_COMMON) return "COM";
  if (file.header.machine === EM_X86_64 && shndx === 0xff02) return "LARGE_COM";
  const hex4 = shndx.toString(16).padStart(4, "0");
  if (shndx >= 0xff00 && shndx <= 0xff1f) return `PRC[0x${hex4}]`;
  if (shndx >= SHN_LOOS && shndx <= SHN_HIOS) return `OS [0x${hex4}]`;
  if (shndx >= SHN_LORESERVE) return `RSV[0x${hex4}]`;
  if (file.header.shnum !== 0 && shndx >= file.header.shnum)
    return `bad section index[${padStart(String(shndx), 3)}]`;
  return padStart(String(shndx), 3);
}

/** The bracketed note readelf adds after the visibility for other st_other bits (e.g. ppc64 local entry). */
function otherNote(machine: number, other: number): string | null {
  const rest = other & ~3;
  if (rest === 0) return null;
  if (machine === EM_PPC64 && (rest & ~0xe0) === 0) {
    // ELFv2 ABI: bits 5-7 of st_other encode the local entry point offset; 2..6 mean (1 << v) >> 2 words.
    // readelf prints that offset in bytes.
    const v = rest >> 5;
    if (v <= 6) return `<localentry>: ${v >= 2 ? ((1 << v) >> 2) << 2 : v}`;
  }
  // AArch64 psABI STO_AARCH64_VARIANT_PCS and RISC-V psABI STO_RISCV_VARIANT_CC are both 0x80.
  if (machine === EM_AARCH64 && (rest & 0x80) !== 0) {
    const more = rest & ~0x80;
    return more === 0 ? "VARIANT_PCS" : `VARIANT_PCS | ${more.toString(16)}`;
  }
  if (machine === EM_RISCV) {
    // readelf shows only the leftover bits in hex when there are any besides VARIANT_CC.
    const more = rest & ~0x80;
    return more !== 0 ? more.toString(16) : "VARIANT_CC";
  }
  return `<other>: ${rest.toString(16)}`;
}

function rawShndxOf(file: ElfFile, table: ElfSection, index: number): number {
  const o =
    Number(table.offset) + index * (file.header.class === 64 ? 24 : 16) + (file.header.class === 64 ? 6 : 14);
  const b = file.bytes;
  return file.header.endianness === "little" ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
}

/** One symbol table in `readelf -sW` layout, header lines included. */
export function formatSymbolTable(file: ElfFile, table: ElfSection): string {
  const symbols = file.symbolsOf(table);
  const is64 = file.header.class === 64;
  const machine = file.header.machine;
  const versions = table.type === SHT_DYNSYM ? symbolVersions(file, table) : null;
  const lines: string[] = [];
  lines.push(
    "",
    `Symbol table '${table.name}' contains ${symbols.length} ${symbols.length === 1 ? "entry" : "entries"}:`,
    is64
      ? "   Num:    Value          Size Type    Bind   Vis      Ndx Name"
      : "   Num:    Value  Size Type    Bind   Vis      Ndx Name",
  );
  for (const s of symbols) {
    const raw = rawShndxOf(file, table, s.index);
    const note = otherNote(machine, s.other);
    // readelf shows an unnamed section symbol by its section's name.
    let name =
      s.name === "" && s.type === STT_SECTION && s.special === null && s.shndx < file.header.shnum
        ? printableName(file.sections[s.shndx]?.name ?? "")
        : printableName(s.name);
    const version = versions?.[s.index];
    if (version) name += versionSuffix(version, true);
    lines.push(
      `${padStart(String(s.index), 6)}: ${longHex(s.value, is64)} ${dec5(s.size)} ${padEnd(s.typeName, 7)} ${padEnd(s.bindName, 6)} ${padEnd(s.visibilityName, 7)}${note === null ? "" : ` [${note}] `} ${padStart(sectionIndexLabel(file, s, raw), 4)} ${name}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function versionSuffix(v: SymbolVersion, inSymbolTable: boolean): string {
  if (v.needed) return inSymbolTable ? `@${v.name} (${v.index})` : `@${v.name}`;
  return v.hidden ? `@${v.name}` : `@@${v.name}`;
}

/** The section name readelf shows for a relocation against an unnamed STT_SECTION symbol. */
function sectionSymbolName(file: ElfFile, s: ElfSymbol): string {
  if (s.type !== STT_SECTION) return "<null>";
  if (s.special === null && s.shndx < file.header.shnum) return file.sections[s.shndx]?.name ?? "<null>";
  if (s.special === "ABS") return "ABS";
  if (s.special === "COMMON") return "COMMON";
  if (s.special === "UNDEF") return file.sections[0]?.name ?? "";
  if (file.header.machine === EM_X86_64 && s.shndx === 0xff02) return "LARGE_COMMON";
  return `<section 0x${s.shndx.toString(16)}>`;
}

/** One relocation section in `readelf -rW` layout, header lines included. */
export function formatRelocationSection(file: ElfFile, rs: ElfRelocationSection): string {
  const is64 = file.header.class === 64;
  const entries = rs.entries();
  const symbols = rs.symtab.index === 0 ? [] : file.symbolsOf(rs.symtab);
  const versions = rs.symtab.type === SHT_DYNSYM ? symbolVersions(file, rs.symtab) : null;
  const out: string[] = [
    "",
    `Relocation section '${rs.section.name}' at offset 0x${rs.section.offset.toString(16)} contains ${entries.length} ${entries.length === 1 ? "entry" : "entries"}:`,
  ];
  if (is64) {
    out.push(
      rs.isRela
        ? "    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend"
        : "    Offset             Info             Type               Symbol's Value  Symbol's Name",
    );
  } else {
    out.push(
      rs.isRela
        ? " Offset     Info    Type                Sym. Value  Symbol's Name + Addend"
        : " Offset     Info    Type                Sym. Value  Symbol's Name",
    );
  }
  for (const r of entries) {
    const info = is64
      ? (BigInt(r.symbolIndex) << 32n) | BigInt(r.type)
      : BigInt(((r.symbolIndex << 8) | r.type) >>> 0);
    // An unknown type is printed as "unrecognized: %-7x", not padded to the 22-column type field.
    const typeText = r.typeName.startsWith("unrecognized: ")
      ? `unrecognized: ${padEnd(r.type.toString(16), 7)}`
      : padEnd(r.typeName, 22);
    let line = `${longHex(r.offset, is64)}  ${longHex(info, is64)} ${typeText}`;
    if (r.symbolIndex !== 0) {
      const s = symbols[r.symbolIndex]!;
      line += ` ${longHex(s.value, is64)}${is64 ? " " : "   "}`;
      if (s.name === "") line += printableName(sectionSymbolName(file, s));
      else {
        line += printableName(s.name);
        const version = versions?.[s.index];
        if (version) line += versionSuffix(version, false);
      }
      if (r.addend !== null)
        line += r.addend < 0n ? ` - ${(-r.addend).toString(16)}` : ` + ${r.addend.toString(16)}`;
    } else if (r.addend !== null) {
      line += " ".repeat(is64 ? 20 : 12);
      line += r.addend < 0n ? `-${(-r.addend).toString(16)}` : r.addend.toString(16);
    }
    out.push(line);
  }
  return `${out.join("\n")}\n`;
}

/** Every relocation section in `readelf -rW` layout. */
export function formatRelocations(file: ElfFile): string {
  const sections = file.relocationSections();
  if (sections.length === 0) return "\nThere are no relocations in this file.\n";
  return sections.map((rs) => formatRelocationSection(file, rs)).join("");
}

export interface SymbolsListingOptions {
  /** Add the relocation sections (readelf -r), printed before the symbol tables as readelf does. */
  readonly relocs?: boolean;
  /** Only the dynamic symbol table (readelf --dyn-syms); otherwise every symbol table (readelf -s). */
  readonly dynamicOnly?: boolean;
}

/** What `readelf -sW [-rW]` prints for one file (without the "File:" line). */
export function formatSymbolsListing(file: ElfFile, opts: SymbolsListingOptions = {}): string {
  const parts: string[] = [];
  if (opts.relocs) parts.push(formatRelocations(file));
  for (const section of file.sections) {
    if (section.type === SHT_DYNSYM || (!opts.dynamicOnly && section.type === SHT_SYMTAB)) {
      parts.push(formatSymbolTable(file, section));
    }
  }
  return parts.join("");
}

/** Several files the way readelf prints them: a "File: <path>" line before each when there is more than one. */
export function formatSymbolsListings(files: readonly ElfFile[], opts: SymbolsListingOptions = {}): string {
  if (files.length === 1) return formatSymbolsListing(files[0]!, opts);
  return files.map((f) => `\nFile: ${f.path}\n${formatSymbolsListing(f, opts)}`).join("");
}
