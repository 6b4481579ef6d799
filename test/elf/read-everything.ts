// Reads every part of an ELF file through every public path (sections, symbols of each table,
// relocations, the readelf listing and the JSON form): a parse either succeeds or throws ElfFormatError.
import { ElfFormatError, readElf } from "../../elf/index.js";
import { symbolsListingBytes } from "../../elf/readelf-format.js";
import { symbolsJson } from "../../elf/symbols-json.js";

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
    symbolsListingBytes([file], { relocs: true });
    JSON.stringify(symbolsJson(file, { relocs: true }), (_k, v) => (typeof v === "bigint" ? String(v) : v));
    return { ok: true, symbols, relocations };
  } catch (error) {
    if (error instanceof ElfFormatError) return { ok: false, error };
    throw error;
  }
}
