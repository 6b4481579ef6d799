// An object with more than 65,280 sections, assembled by gcc at test time: extended numbering for the
// section count (e_shnum == 0), the name table index (SHN_XINDEX) and symbols' sections (.symtab_shndx).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { readElf } from "../../elf/index.js";
import type { ElfFile } from "../../elf/types.js";
import { firstDifference, ourRelocations, ourSymbolTables, readelf } from "./readelf-tool.js";

const FUNCTIONS = 65_400;
const CALLERS = 8;

/** Assembly with one section per function; odd functions are local, so relocations use section symbols. */
function source(): string {
  const parts: string[] = [];
  for (let i = 0; i < FUNCTIONS; i++) {
    parts.push(
      `.section .text.f${i},"ax",@progbits\n${i % 2 ? "" : `.globl f${i}\n`}.type f${i},@function\nf${i}: ret\n.size f${i}, .-f${i}\n`,
    );
  }
  for (let i = 0; i < CALLERS; i++) {
    parts.push(
      `.section .text.caller${i},"ax",@progbits\n.globl caller${i}\n.type caller${i},@function\ncaller${i}: call f${FUNCTIONS - 10 + i}\n call f${65_001 + 2 * i}\n jmp ext\n.size caller${i}, .-caller${i}\n`,
    );
  }
  return parts.join("");
}

let path: string;
let file: ElfFile;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "klpmatch-many-"));
  writeFileSync(join(dir, "many.s"), source());
  path = join(dir, "many.o");
  await execa("gcc", ["-c", join(dir, "many.s"), "-o", path]);
  file = readElf(readFileSync(path), { path });
});

describe("an object with more than 65,280 sections", () => {
  it("takes the section count from section 0's sh_size and the name table from its sh_link", async () => {
    const header = await readelf(["-hW"], path);
    const count = /Number of section headers: +0 \((\d+)\)/.exec(header);
    const names = /Section header string table index: +65535 \((\d+)\)/.exec(header);
    expect(count, "readelf reports e_shnum 0 with the real count").not.toBeNull();
    expect(names, "readelf reports e_shstrndx SHN_XINDEX with the real index").not.toBeNull();
    expect(file.header.shnum).toBe(Number(count![1]));
    expect(file.sections).toHaveLength(Number(count![1]));
    expect(file.header.shnum).toBeGreaterThan(65_280);
    expect(file.header.shstrndx).toBe(Number(names![1]));
    expect(file.sections[file.header.shstrndx]!.name).toBe(".shstrtab");
  });

  it("names every section as readelf -SW does", async () => {
    const text = await readelf(["-SW"], path);
    const names = new Map<number, string>();
    for (const m of text.matchAll(/^ {2}\[ *(\d+)\] (\S+)/gm)) names.set(Number(m[1]), m[2]!);
    expect(names.size).toBe(file.sections.length - 1);
    for (const [index, name] of names) expect(file.sections[index]!.name).toBe(name);
    expect(file.sectionByName(`.text.f${FUNCTIONS - 1}`)!.index).toBeGreaterThan(0xff00);
  });

  it("resolves SHN_XINDEX symbols through .symtab_shndx to the sections readelf shows", async () => {
    const symbols = file.symbols();
    const high = symbols.filter((s) => s.sectionIndex !== null && s.sectionIndex >= 0xff00);
    expect(high.length).toBeGreaterThan(100);
    for (const s of high) {
      expect(s.special).toBeNull();
      if (s.typeName === "FUNC") expect(file.sections[s.sectionIndex!]!.name).toBe(`.text.${s.name}`);
    }
    // The symbols of the last functions lie above SHN_LORESERVE.
    const last = symbols.find((s) => s.name === `f${FUNCTIONS - 2}`)!;
    expect(file.sections[last.sectionIndex!]!.name).toBe(`.text.f${FUNCTIONS - 2}`);
    expect(last.sectionIndex).toBeGreaterThanOrEqual(0xff00);
    expect(firstDifference(ourSymbolTables(file), await readelf(["-sW"], path))).toBeNull();
  });

  it("lists relocations against symbols in sections above 0xff00 as readelf does", async () => {
    const rs = file.relocationSections();
    expect(rs).toHaveLength(CALLERS);
    const section = rs[0]!;
    expect(section.target!.name).toBe(".text.caller0");
    const [first] = section.entries();
    const target = file.symbolsOf(section.symtab)[first!.symbolIndex]!;
    expect(target.name).toBe(`f${FUNCTIONS - 10}`);
    expect(target.sectionIndex).toBeGreaterThan(0xff00);
    expect(firstDifference(ourRelocations(file), await readelf(["-rW"], path))).toBeNull();
  });
});
