// Every ELF object of the corpus read two ways and compared with binutils readelf:
// (1) the readelf-layout listing, literally, against `readelf -sW` and `readelf -rW`;
// (2) the library's ElfSymbol / ElfRelocation fields against the fields parsed out of readelf's output.
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import type { ElfFile } from "../../elf/types.js";
import { corpusElfFiles } from "./corpus-files.js";
import { firstDifference, ourRelocations, ourSymbolTables, readelf, tempFile } from "./readelf-tool.js";

const files = corpusElfFiles();

/** readelf needs an uncompressed file: the decompressed bytes go to a temporary file. */
function readelfPath(file: ElfFile, compressed: boolean, name: string): string {
  return compressed
    ? tempFile(name.replace(/[/+]/g, "_").replace(/\.(xz|zst|gz)$/, ""), file.bytes)
    : file.path;
}

/** A name as readelf prints it: control characters as ^X (the corpus has local labels like ".L1\x02"). */
function shown(name: string): string {
  return name
    .replace(/[\x00-\x1f]/g, (c) => `^${String.fromCharCode(c.charCodeAt(0) + 0x40)}`)
    .replace(/\x7f/g, "^?");
}

const SYMBOL_LINE =
  /^ *(\d+): ([0-9a-f]+) +(\d+|0x[0-9a-f]+) (\S+) +(\S+) +(\S+) +(?:\[(.+?)\] +)?(UND|ABS|COM|\d+) (.*)$/;

function checkSymbolFields(file: ElfFile, text: string): number {
  let checked = 0;
  let table: readonly ReturnType<ElfFile["symbols"]>[number][] = [];
  let dynamic = false;
  for (const line of text.split("\n")) {
    const header = /^Symbol table '(.*)' contains (\d+) entr(?:y|ies):$/.exec(line);
    if (header) {
      const section = file.sectionByName(header[1]!)!;
      table = file.symbolsOf(section);
      dynamic = section.type === 11;
      expect(table.length).toBe(Number(header[2]));
      continue;
    }
    if (line === "" || line.startsWith("   Num:")) continue;
    const m = SYMBOL_LINE.exec(line);
    expect(m, `unparsed readelf line: ${line}`).not.toBeNull();
    const [, num, value, size, type, bind, vis, , ndx, name] = m!;
    const s = table[Number(num)]!;
    expect(s.index).toBe(Number(num));
    expect(s.value).toBe(BigInt(`0x${value}`));
    expect(s.size).toBe(BigInt(size!.startsWith("0x") ? size! : `${size}`));
    expect([s.typeName, s.bindName, s.visibilityName]).toEqual([type, bind, vis]);
    if (ndx === "UND") expect(s.special).toBe("UNDEF");
    else if (ndx === "ABS") expect(s.special).toBe("ABS");
    else if (ndx === "COM") expect(s.special).toBe("COMMON");
    else {
      expect(s.shndx).toBe(Number(ndx));
      expect(s.sectionIndex).toBe(Number(ndx));
    }
    if (s.name === "" && s.typeName === "SECTION" && s.sectionIndex !== null) {
      expect(file.sections[s.sectionIndex]!.name).toBe(name);
    } else if (dynamic && name !== shown(s.name)) {
      // A versioned dynamic symbol: readelf appends @VERSION (n) or @@VERSION.
      expect(name!.startsWith(`${shown(s.name)}@`)).toBe(true);
    } else {
      expect(shown(s.name)).toBe(name);
    }
    checked++;
  }
  return checked;
}

const RELOC_LINE =
  /^([0-9a-f]+) {2}([0-9a-f]+) (\S+) +(?:([0-9a-f]+) (.*?)(?: ([+-]) ([0-9a-f]+))?|(-?[0-9a-f]+))$/;

function checkRelocationFields(file: ElfFile, text: string): number {
  const sections = file.relocationSections();
  let current = -1;
  let row = 0;
  let checked = 0;
  for (const line of text.split("\n")) {
    const header = /^Relocation section '(.*)' at offset 0x([0-9a-f]+) contains (\d+) entr(?:y|ies):$/.exec(
      line,
    );
    if (header) {
      current++;
      row = 0;
      const rs = sections[current]!;
      expect(rs.section.name).toBe(header[1]);
      expect(rs.section.offset).toBe(BigInt(`0x${header[2]}`));
      expect(rs.count).toBe(Number(header[3]));
      continue;
    }
    if (line === "" || line.startsWith("    Offset") || line.startsWith(" Offset")) continue;
    if (line === "There are no relocations in this file.") {
      expect(sections).toHaveLength(0);
      continue;
    }
    const m = RELOC_LINE.exec(line);
    expect(m, `unparsed readelf line: ${line}`).not.toBeNull();
    const [, offset, info, type, symValue, symName, sign, addend, bareAddend] = m!;
    const rs = sections[current]!;
    const r = rs.entries()[row++]!;
    const is64 = file.header.class === 64;
    expect(r.offset).toBe(BigInt(`0x${offset}`));
    const infoValue = BigInt(`0x${info}`);
    expect(r.symbolIndex).toBe(Number(is64 ? infoValue >> 32n : infoValue >> 8n));
    expect(r.type).toBe(Number(is64 ? infoValue & 0xffffffffn : infoValue & 0xffn));
    expect(r.typeName).toBe(type);
    if (symValue !== undefined) {
      const s = file.symbolsOf(rs.symtab)[r.symbolIndex]!;
      expect(s.value).toBe(BigInt(`0x${symValue}`));
      if (s.name === "") expect(file.sections[s.shndx]!.name).toBe(symName);
      else expect(symName === shown(s.name) || symName!.startsWith(`${shown(s.name)}@`)).toBe(true);
      if (rs.isRela) expect(r.addend).toBe((sign === "-" ? -1n : 1n) * BigInt(`0x${addend}`));
      else expect(r.addend).toBeNull();
    } else {
      expect(r.symbolIndex).toBe(0);
      const negative = bareAddend!.startsWith("-");
      expect(r.addend).toBe((negative ? -1n : 1n) * BigInt(`0x${bareAddend!.replace("-", "")}`));
    }
    checked++;
  }
  expect(current + 1).toBe(sections.length);
  return checked;
}

describe("every corpus ELF file reads exactly as readelf shows it", () => {
  it("finds the corpus objects (kpatch-unit all arches, modules incl. .ko.xz, thinlto, oracle)", () => {
    const names = files.map((f) => f.name);
    for (const prefix of [
      "kpatch-unit/x86_64/",
      "kpatch-unit/ppc64le/",
      "kpatch-unit/s390x/",
      "kpatch-unit/aarch64/",
      "kpatch-unit/loongarch64/",
      "modules/6.1.0-56-amd64/",
      "modules/6.12.117+deb12-amd64/",
      "thinlto/",
      "oracle/",
    ]) {
      expect(
        names.some((n) => n.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect(files.filter((f) => f.compressed).length).toBeGreaterThanOrEqual(7);
    expect(names).toContain("thinlto/prog-orig");
  });

  for (const entry of files) {
    it(entry.name, async () => {
      const file = await readElfFile(entry.path);
      const path = readelfPath(file, entry.compressed, entry.name);
      const [symbolsText, relocsText] = await Promise.all([readelf(["-sW"], path), readelf(["-rW"], path)]);
      expect(firstDifference(ourSymbolTables(file), symbolsText)).toBeNull();
      expect(firstDifference(ourRelocations(file), relocsText)).toBeNull();
      const symbols = checkSymbolFields(file, symbolsText);
      const relocations = checkRelocationFields(file, relocsText);
      expect(symbols).toBe(
        file.sections
          .filter((s) => s.type === 2 || s.type === 11)
          .reduce((n, s) => n + file.symbolsOf(s).length, 0),
      );
      expect(relocations).toBe(file.relocationSections().reduce((n, rs) => n + rs.count, 0));
    });
  }
});
