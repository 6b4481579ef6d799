// Every kind of malformed ELF named in the foundation issue gives an ElfFormatError that names the file
// and says what is wrong — never another exception, never an allocation sized by a corrupt field.
import { describe, expect, it } from "vitest";
import { ElfFormatError, readElf, symbolsListingBytes } from "../../elf/index.js";
import { buildElf, type ElfSpec } from "./elf-builder.js";
import { headerField, read, sectionField, shapeOf, write } from "./elf-fields.js";
import { readEverything } from "./read-everything.js";

function base(overrides: Partial<ElfSpec> = {}): ElfSpec {
  return {
    class: 64,
    endianness: "little",
    machine: 62,
    sections: [
      { name: ".text", type: 1, flags: 6n, data: new Uint8Array(32), addralign: 16n },
      { name: ".data", type: 1, flags: 3n, data: new Uint8Array(8) },
      { name: ".bss", type: 8, flags: 3n, size: 64n },
    ],
    symbols: [
      { name: "", shndx: 1, info: 0x03 },
      { name: "local_fn", shndx: 1, info: 0x02, value: 0n, size: 8n },
      { name: "global_fn", shndx: 1, info: 0x12, value: 16n, size: 16n },
      { name: "ext", shndx: 0, info: 0x10 },
    ],
    relocations: [
      {
        target: 1,
        rela: true,
        entries: [
          { offset: 1n, type: 4, symbol: 4, addend: -4n },
          { offset: 9n, type: 2, symbol: 1, addend: 8n },
        ],
      },
    ],
    ...overrides,
  };
}

/** Section indexes of the built base: 1 .text, 2 .data, 3 .bss, 4 .symtab, 5 .strtab, 6 .rela.text, 7 .shstrtab */
const SYMTAB = 4;
const STRTAB = 5;
const RELA = 6;

function expectError(bytes: Uint8Array, reason: RegExp) {
  const outcome = readEverything(bytes, "bad.o");
  expect(outcome.ok, "expected an ElfFormatError").toBe(false);
  if (outcome.ok) return;
  expect(outcome.error).toBeInstanceOf(ElfFormatError);
  expect(outcome.error.path).toBe("bad.o");
  expect(outcome.error.message.startsWith("bad.o: ")).toBe(true);
  expect(outcome.error.reason).toMatch(reason);
  // The readelf-layout writer reads the bytes itself: it must find the same fault.
  let file: ReturnType<typeof readElf>;
  try {
    file = readElf(bytes, { path: "bad.o" });
  } catch {
    return;
  }
  expect(() => symbolsListingBytes([file], { relocs: true })).toThrow(ElfFormatError);
}

function set(bytes: Uint8Array, field: { offset: number; width: 1 | 2 | 4 | 8 }, value: bigint) {
  write(bytes, field.offset, field.width, value);
  return bytes;
}

function sectionOffset(bytes: Uint8Array, index: number): number {
  const f = sectionField(bytes, index, "sh_offset");
  return Number(read(bytes, f.offset, f.width));
}

describe("well-formed input reads (the base every case below corrupts)", () => {
  for (const [cls, endianness] of [
    [64, "little"],
    [64, "big"],
    [32, "little"],
    [32, "big"],
  ] as const) {
    it(`ELF${cls} ${endianness}-endian`, () => {
      const outcome = readEverything(buildElf(base({ class: cls, endianness })));
      expect(outcome).toEqual({ ok: true, symbols: 5, relocations: 2 });
    });
  }
  it("extended numbering forced on a small file", () => {
    const bytes = buildElf(base({ forceExtendedNumbering: true }));
    expect(read(bytes, headerField(bytes, "e_shnum").offset, 2)).toBe(0n);
    const file = readElf(bytes, { path: "x.o" });
    expect(file.header.shnum).toBe(8);
    expect(file.header.shstrndx).toBe(7);
    expect(file.sections.map((s) => s.name)).toEqual([
      "",
      ".text",
      ".data",
      ".bss",
      ".symtab",
      ".strtab",
      ".rela.text",
      ".shstrtab",
    ]);
  });
  it("trailing bytes after the last structure (a module signature) are accepted", () => {
    const trailer = new TextEncoder().encode("SIG\0\0\0\0~Module signature appended~\n");
    const plain = readEverything(buildElf(base()));
    expect(readEverything(buildElf(base({ trailer })))).toEqual(plain);
  });
});

describe("bad input → ElfFormatError naming the file and the fault", () => {
  it("an empty file, a text file, a short file", () => {
    expectError(new Uint8Array(0), /not an ELF file/);
    expectError(new TextEncoder().encode("ffffffff81000000 T _text\n"), /not an ELF file/);
    expectError(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), /not an ELF file/);
  });
  it("an unknown class or data encoding", () => {
    const bytes = buildElf(base());
    expectError(set(bytes.slice(), { offset: 4, width: 1 }, 3n), /unknown ELF class 3/);
    expectError(set(bytes.slice(), { offset: 5, width: 1 }, 0n), /unknown ELF data encoding 0/);
  });
  it("a truncated header", () => {
    expectError(
      buildElf(base()).slice(0, 40),
      /truncated ELF header: the file has 40 bytes, the header needs 64/,
    );
    expectError(buildElf(base({ class: 32 })).slice(0, 51), /truncated ELF header.*needs 52/);
  });
  it("a section header table outside the file", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), headerField(bytes, "e_shoff"), BigInt(bytes.length)),
      /section header table at offset/,
    );
    expectError(
      set(bytes.slice(), headerField(bytes, "e_shoff"), 0xffffffffffffffffn),
      /lies outside the file/,
    );
    expectError(
      set(bytes.slice(), headerField(bytes, "e_shnum"), 0xfeffn),
      /extends past the end of the file/,
    );
  });
  it("e_shentsize that is not a section header's size", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), headerField(bytes, "e_shentsize"), 40n),
      /e_shentsize is 40, but an ELF64 section header is 64 bytes/,
    );
  });
  it("bad extended numbering: a huge count in section 0, a name-table index out of range", () => {
    const bytes = buildElf(base({ forceExtendedNumbering: true }));
    // 2^40 sections would need terabytes: refused from the file size, before anything is allocated.
    expectError(
      set(bytes.slice(), sectionField(bytes, 0, "sh_size"), 1n << 40n),
      /1099511627776 entries.*extends past the end.*e_shnum is 0/,
    );
    expectError(
      set(bytes.slice(), sectionField(bytes, 0, "sh_link"), 9999n),
      /section-name table index 9999 \(from section 0's sh_link.*out of range \(8 sections\)/,
    );
    const plain = buildElf(base());
    expectError(
      set(plain.slice(), headerField(plain, "e_shstrndx"), 0xff05n),
      /e_shstrndx 0xff05 is a reserved section index/,
    );
    expectError(
      set(plain.slice(), headerField(plain, "e_shstrndx"), 60n),
      /section-name table index 60 is out of range/,
    );
  });
  it("section data outside the file", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), sectionField(bytes, 2, "sh_size"), 1n << 50n),
      /section \[2\]'s data \(offset 0x[0-9a-f]+, size 0x4000000000000\) extends past the end of the file/,
    );
    expectError(
      set(bytes.slice(), sectionField(bytes, 1, "sh_offset"), 0xfffffffffffffff0n),
      /section \[1\]'s data/,
    );
    // SHT_NOBITS occupies no file space: any size is fine.
    expect(readEverything(set(bytes.slice(), sectionField(bytes, 3, "sh_size"), 1n << 50n)).ok).toBe(true);
  });
  it("a section name outside the name table, or not NUL-terminated", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), sectionField(bytes, 2, "sh_name"), 5000n),
      /section \[2\]: name offset 0x1388 is outside the section-name table \[7\]/,
    );
    const unterminated = bytes.slice();
    const shstrtab = sectionOffset(bytes, 7);
    const size = Number(read(bytes, sectionField(bytes, 7, "sh_size").offset, 8));
    unterminated[shstrtab + size - 1] = 0x41;
    expectError(unterminated, /not NUL-terminated/);
  });
  it("a section-name table that is not a string table", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), sectionField(bytes, 7, "sh_type"), 1n),
      /section-name table \[7\] is not a string table \(type PROGBITS\)/,
    );
  });
  it("a symbol table whose sh_link is not a string table", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), sectionField(bytes, SYMTAB, "sh_link"), 1n),
      /symbol table \[4\] '\.symtab' has sh_link 1, which is not a string table/,
    );
    expectError(
      set(bytes.slice(), sectionField(bytes, SYMTAB, "sh_link"), 0n),
      /sh_link 0, which is not a string table/,
    );
    expectError(set(bytes.slice(), sectionField(bytes, SYMTAB, "sh_link"), 77777n), /sh_link 77777/);
  });
  it("an entsize that does not match", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), sectionField(bytes, SYMTAB, "sh_entsize"), 16n),
      /symbol table \[4\] '\.symtab' has sh_entsize 16, expected 24/,
    );
    expectError(
      set(bytes.slice(), sectionField(bytes, SYMTAB, "sh_size"), 24n * 5n - 1n),
      /not a multiple of its entry size 24/,
    );
    expectError(
      set(bytes.slice(), sectionField(bytes, RELA, "sh_entsize"), 16n),
      /relocation section \[6\] '\.rela\.text' has sh_entsize 16, expected 24/,
    );
    const rel32 = buildElf(
      base({
        class: 32,
        relocations: [{ target: 1, rela: false, entries: [{ offset: 0n, type: 1, symbol: 1 }] }],
      }),
    );
    expectError(
      set(rel32.slice(), sectionField(rel32, RELA, "sh_entsize"), 12n),
      /'\.rel\.text' has sh_entsize 12, expected 8/,
    );
  });
  it("a symbol name outside its string table", () => {
    const bytes = buildElf(base());
    const symtab = sectionOffset(bytes, SYMTAB);
    expectError(
      set(bytes.slice(), { offset: symtab + 2 * 24, width: 4 }, 999n),
      /symbol 2 of '\.symtab': name offset 0x3e7 is outside string table \[5\] '\.strtab'/,
    );
    const unterminated = bytes.slice();
    const strtab = sectionOffset(bytes, STRTAB);
    const size = Number(read(bytes, sectionField(bytes, STRTAB, "sh_size").offset, 8));
    unterminated[strtab + size - 1] = 0x41;
    expectError(
      unterminated,
      /symbol 4 of '\.symtab': name at offset 0x[0-9a-f]+ in string table \[5\] '\.strtab' is not NUL-terminated/,
    );
  });
  it("SHN_XINDEX without a .symtab_shndx, or pointing outside the section table", () => {
    const bytes = buildElf(base());
    const symtab = sectionOffset(bytes, SYMTAB);
    expectError(
      set(bytes.slice(), { offset: symtab + 2 * 24 + 6, width: 2 }, 0xffffn),
      /symbol 2 of '\.symtab' has st_shndx SHN_XINDEX but no SHT_SYMTAB_SHNDX section/,
    );
    const withIndexes = buildElf(
      base({
        symbols: [
          { name: "far", shndx: 0xffff, xindex: 1 },
          { name: "near", shndx: 1 },
        ],
      }),
    );
    expect(readElf(withIndexes, { path: "x.o" }).symbols()[1]!.sectionIndex).toBe(1);
    const bad = withIndexes.slice();
    const shndxSection = 6;
    const start = sectionOffset(withIndexes, shndxSection);
    expect(readElf(withIndexes, { path: "x" }).sections[shndxSection]!.name).toBe(".symtab_shndx");
    write(bad, start + 4, 4, 70000n);
    expectError(
      bad,
      /symbol 1 of '\.symtab': extended section index 70000 \(from '\.symtab_shndx'\) is out of range/,
    );
    const short = set(withIndexes.slice(), sectionField(withIndexes, shndxSection, "sh_size"), 4n);
    expectError(short, /'\.symtab_shndx' has only 1 entries/);
  });
  it("a relocation section whose sh_link is not a symbol table, or sh_info not a section", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), sectionField(bytes, RELA, "sh_link"), 1n),
      /relocation section \[6\] '\.rela\.text' has sh_link 1, which is not a symbol table/,
    );
    expectError(
      set(bytes.slice(), sectionField(bytes, RELA, "sh_info"), 500n),
      /'\.rela\.text' has sh_info 500, not a section/,
    );
  });
  it("a relocation naming a symbol that does not exist", () => {
    const bytes = buildElf(base());
    const rela = sectionOffset(bytes, RELA);
    const { le } = shapeOf(bytes);
    // r_info's symbol half is the high 32 bits.
    write(bytes, rela + 24 + 8 + (le ? 4 : 0), 4, 5n);
    expectError(bytes, /relocation 1 of '\.rela\.text' names symbol 5, but '\.symtab' has 5 symbols/);
  });
  it("a relocation with symbols but no symbol table (sh_link 0)", () => {
    const bytes = buildElf(base());
    expectError(
      set(bytes.slice(), sectionField(bytes, RELA, "sh_link"), 0n),
      /names symbol 4, but the section has no symbol table/,
    );
  });
});

describe("section headers", () => {
  it("serialise to JSON with every field, 64-bit values as 0x strings", () => {
    const file = readElf(buildElf(base()), { path: "x.o" });
    const text = JSON.parse(JSON.stringify(file.sections[1]));
    expect(text).toMatchObject({
      index: 1,
      name: ".text",
      typeName: "PROGBITS",
      flags: "0x6",
      flagNames: ["ALLOC", "EXEC"],
      size: "0x20",
      addralign: "0x10",
      data: "32 bytes",
    });
  });
});
