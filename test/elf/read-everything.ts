// Reads every part of an ELF file through every public path (sections, symbols of each table,
// relocations, the readelf listing and the JSON form, the columns readers of elf/columns.ts): a
// parse either succeeds or throws ElfFormatError, and the columns say what the records say.
import { relocationTables, sectionColumns, symbolColumns } from "../../elf/columns.js";
import { SHT_REL, SHT_RELA } from "../../elf/constants.js";
import { ElfFormatError, readElf } from "../../elf/index.js";
import { symbolsListingBytes } from "../../elf/readelf-format.js";
import { symbolsJson } from "../../elf/symbols-json.js";
import type { ElfFile } from "../../elf/types.js";

export type Outcome =
  | { ok: true; symbols: number; relocations: number }
  | { ok: false; error: ElfFormatError };

export function readEverything(bytes: Uint8Array, path = "mutant.o"): Outcome {
  try {
    const file = readElf(bytes, { path });
    let symbols = 0;
    let relocations = 0;
    for (const s of file.sections) {
      if (s.data !== null && s.data.length !== Number(s.size))
        throw new Error(`section ${s.index} data length`);
      file.sectionByName(s.name);
      if (s.type === 2 || s.type === 11) symbols += file.symbolsOf(s).length;
    }
    file.symbols();
    file.dynamicSymbols();
    for (const rs of file.relocationSections()) {
      relocations += rs.entries().length;
      if (rs.target) file.relocationsFor(rs.target);
    }
    checkColumns(readElf(bytes, { path }), file);
    symbolsListingBytes([file], { relocs: true });
    JSON.stringify(symbolsJson(file, { relocs: true }), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    return { ok: true, symbols, relocations };
  } catch (error) {
    if (!(error instanceof ElfFormatError)) throw error;
    // the columns of a file the records refuse: a full read or an ElfFormatError too
    try {
      const again = readElf(bytes, { path });
      symbolColumns(again);
      relocationTables(again);
    } catch (columnsError) {
      if (!(columnsError instanceof ElfFormatError)) throw columnsError;
    }
    return { ok: false, error };
  }
}

const json = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));

function mismatch(what: string, a: unknown, b: unknown): Error {
  return new Error(`columns disagree with records: ${what}: ${json(a)} vs ${json(b)}`);
}

/** The columns of a fresh read of the file against the records of `file` (read in full already). */
function checkColumns(fresh: ElfFile, file: ElfFile): void {
  const secs = sectionColumns(fresh);
  for (const s of file.sections) {
    const i = s.index;
    const start = s.data === null ? -1 : s.data.byteOffset - file.bytes.byteOffset;
    const got = [
      secs.type(i),
      secs.flags(i),
      secs.size(i),
      secs.info(i),
      secs.link(i),
      secs.entsize(i),
      secs.dataStart(i),
      secs.name(i),
    ];
    const want = [s.type, Number(s.flags), Number(s.size), s.info, s.link, Number(s.entsize), start, s.name];
    if (json(got) !== json(want)) throw mismatch(`section ${i}`, got, want);
  }
  const cols = symbolColumns(fresh);
  const symbols = file.symbols();
  if ((cols?.count ?? 0) !== symbols.length) throw mismatch("symbol count", cols?.count, symbols.length);
  for (const s of symbols) {
    const record = cols!.symbol(s.index);
    if (json(record) !== json(s)) throw mismatch(`symbol ${s.index}`, record, s);
    const numbers = [cols!.value[s.index], cols!.size[s.index], cols!.section[s.index], cols!.name(s.index)];
    const want = [Number(s.value), Number(s.size), s.sectionIndex ?? -1, s.name];
    if (s.value < 2n ** 53n && s.size < 2n ** 53n && json(numbers) !== json(want))
      throw mismatch(`symbol ${s.index} columns`, numbers, want);
  }
  const tables = relocationTables(fresh);
  const sections = file
    .relocationSections()
    .filter((rs) => rs.section.type === SHT_REL || rs.section.type === SHT_RELA);
  if (tables.count !== sections.length) throw mismatch("relocation sections", tables.count, sections.length);
  sections.forEach((rs, t) => {
    const entries = rs.entries();
    if (tables.index[t] !== rs.section.index || tables.entries(t) !== entries.length)
      throw mismatch(`relocation table ${t}`, tables.index[t], rs.section.index);
    entries.forEach((r, i) => {
      const record = tables.relocation(t, i);
      if (json(record) !== json(r)) throw mismatch(`relocation ${t}/${i}`, record, r);
      const numbers = [tables.offset(t, i), tables.type(t, i), tables.symbol(t, i), tables.addend(t, i)];
      const want = [Number(r.offset), r.type, r.symbolIndex, Number(r.addend ?? 0n)];
      if (r.offset < 2n ** 53n && json(numbers) !== json(want))
        throw mismatch(`relocation ${t}/${i} columns`, numbers, want);
    });
  });
}
