// GNU symbol versioning of a dynamic symbol table (.gnu.version, .gnu.version_d, .gnu.version_r):
// which version each .dynsym entry carries, as readelf appends it (name@VER, name@@VER, name@VER (n)).

import { SHT_GNU_VERDEF, SHT_GNU_VERNEED, SHT_GNU_VERSYM, SHT_STRTAB } from "./constants.js";
import { ElfFormatError } from "./errors.js";
import { hex } from "./layout.js";
import type { ElfFile, ElfSection } from "./types.js";

export interface SymbolVersion {
  /** The version index from .gnu.version (hidden bit removed). */
  readonly index: number;
  readonly name: string;
  /** True for a version required from another object (.gnu.version_r), false for one defined here. */
  readonly needed: boolean;
  /** The VERSYM_HIDDEN bit (0x8000): a non-default version of a defined symbol. */
  readonly hidden: boolean;
}

function reader(file: ElfFile) {
  const view = new DataView(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
  const le = file.header.endianness === "little";
  return { u16: (o: number) => view.getUint16(o, le), u32: (o: number) => view.getUint32(o, le) };
}

function stringAt(file: ElfFile, strtab: ElfSection, offset: number, what: string): string {
  const data = strtab.data;
  if (!data || offset >= data.length) {
    throw new ElfFormatError(file.path, `${what}: name offset ${hex(offset)} is outside '${strtab.name}'`);
  }
  const end = data.indexOf(0, offset);
  if (end < 0) throw new ElfFormatError(file.path, `${what}: name in '${strtab.name}' is not NUL-terminated`);
  return Buffer.from(data.buffer, data.byteOffset + offset, end - offset).toString("utf8");
}

function linkedStrtab(file: ElfFile, section: ElfSection): ElfSection {
  const strtab = file.sections[section.link];
  if (!strtab || strtab.type !== SHT_STRTAB) {
    throw new ElfFormatError(
      file.path,
      `'${section.name}' has sh_link ${section.link}, which is not a string table`,
    );
  }
  return strtab;
}

/** Version names by index, from the verdef (defined) and verneed (needed) sections. */
function versionNames(file: ElfFile): { defined: Map<number, string>; needed: Map<number, string> } {
  const r = reader(file);
  const defined = new Map<number, string>();
  const needed = new Map<number, string>();
  for (const section of file.sections) {
    if (section.type !== SHT_GNU_VERDEF && section.type !== SHT_GNU_VERNEED) continue;
    const data = section.data;
    if (!data) continue;
    const strtab = linkedStrtab(file, section);
    const base = data.byteOffset - file.bytes.byteOffset;
    const end = base + data.length;
    // Every record is at least 8 bytes, so a chain can't be longer than this without looping.
    const limit = Math.floor(data.length / 8) + 1;
    const bad = (what: string) => new ElfFormatError(file.path, `'${section.name}': ${what}`);
    let o = base;
    let steps = 0;
    if (section.type === SHT_GNU_VERDEF) {
      // Elf_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32.
      for (;;) {
        if (++steps > limit || o + 20 > end) throw bad("version definition outside the section");
        const ndx = r.u16(o + 4);
        const cnt = r.u16(o + 6);
        const aux = r.u32(o + 12);
        const next = r.u32(o + 16);
        if (cnt > 0) {
          // Elf_Verdaux: vda_name u32, vda_next u32; the first one names the version.
          if (o + aux + 8 > end) throw bad("version definition name outside the section");
          defined.set(ndx & 0x7fff, stringAt(file, strtab, r.u32(o + aux), `'${section.name}'`));
        }
        if (next === 0) break;
        o += next;
      }
    } else {
      // Elf_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32;
      // Elf_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
      for (;;) {
        if (++steps > limit || o + 16 > end) throw bad("version requirement outside the section");
        const cnt = r.u16(o + 2);
        let a = o + r.u32(o + 8);
        for (let i = 0; i < cnt; i++) {
          if (++steps > limit || a + 16 > end) throw bad("version requirement entry outside the section");
          needed.set(r.u16(a + 6) & 0x7fff, stringAt(file, strtab, r.u32(a + 8), `'${section.name}'`));
          const next = r.u32(a + 12);
          if (next === 0) break;
          a += next;
        }
        const next = r.u32(o + 12);
        if (next === 0) break;
        o += next;
      }
    }
  }
  return { defined, needed };
}

const CACHE = new WeakMap<ElfFile, Map<number, (SymbolVersion | null)[]>>();

/** For each symbol of a dynamic symbol table, its version, or null (local, global base, or none). Cached. */
export function symbolVersions(file: ElfFile, dynsym: ElfSection): (SymbolVersion | null)[] {
  let byTable = CACHE.get(file);
  if (!byTable) {
    byTable = new Map();
    CACHE.set(file, byTable);
  }
  let versions = byTable.get(dynsym.index);
  if (!versions) {
    versions = readSymbolVersions(file, dynsym);
    byTable.set(dynsym.index, versions);
  }
  return versions;
}

function readSymbolVersions(file: ElfFile, dynsym: ElfSection): (SymbolVersion | null)[] {
  const symbols = file.symbolsOf(dynsym);
  const versym = file.sections.find((s) => s.type === SHT_GNU_VERSYM && s.link === dynsym.index);
  const result: (SymbolVersion | null)[] = new Array(symbols.length).fill(null);
  if (!versym?.data) return result;
  if (versym.data.length < symbols.length * 2) {
    throw new ElfFormatError(
      file.path,
      `'${versym.name}' has fewer entries than '${dynsym.name}' has symbols`,
    );
  }
  const { defined, needed } = versionNames(file);
  const r = reader(file);
  const base = versym.data.byteOffset - file.bytes.byteOffset;
  for (const s of symbols) {
    const raw = r.u16(base + s.index * 2);
    const index = raw & 0x7fff;
    // 0 is a local symbol, 1 the global base version: neither is shown.
    if (index <= 1) continue;
    const hidden = (raw & 0x8000) !== 0;
    // A defined symbol's version comes from verdef (0x8001 is never one); else look in verneed.
    const def = s.shndx !== 0 && raw !== 0x8001 ? defined.get(index) : undefined;
    if (def !== undefined) {
      // The symbol that names a version definition itself (ABS, named like the version) carries none,
      // as readelf shows it.
      if (!(s.special === "ABS" && s.name === def))
        result[s.index] = { index, name: def, needed: false, hidden };
      continue;
    }
    const need = needed.get(index);
    if (need !== undefined) result[s.index] = { index, name: need, needed: true, hidden };
  }
  return result;
}
