// The committed fixture objects (fixtures/elf/build.sh): eight targets in both classes and byte orders,
// a signed module and its compressed forms. Each is listed identically to readelf.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ElfFormatError, readElfFile, symbolVersions } from "../../elf/index.js";
import { relrOffsets } from "../../elf/relr.js";
import { FIXTURES } from "../paths.js";
import { firstDifference, ourRelocations, ourSymbolTables, readelf } from "./readelf-tool.js";

const dir = join(FIXTURES, "elf");

const TARGETS = [
  {
    file: "sample-x86_64.o",
    machine: "x86_64",
    class: 64,
    endianness: "little",
    reloc: "R_X86_64_PLT32",
    rela: true,
  },
  {
    file: "sample-i386.o",
    machine: "i386",
    class: 32,
    endianness: "little",
    reloc: "R_386_PC32",
    rela: false,
  },
  {
    file: "sample-s390x.o",
    machine: "s390",
    class: 64,
    endianness: "big",
    reloc: "R_390_PLT32DBL",
    rela: true,
  },
  {
    file: "sample-powerpc64le.o",
    machine: "ppc64",
    class: 64,
    endianness: "little",
    reloc: "R_PPC64_REL24",
    rela: true,
  },
  {
    file: "sample-aarch64.o",
    machine: "aarch64",
    class: 64,
    endianness: "little",
    reloc: "R_AARCH64_CALL26",
    rela: true,
  },
  {
    file: "sample-powerpc.o",
    machine: "ppc",
    class: 32,
    endianness: "big",
    reloc: "R_PPC_REL24",
    rela: true,
  },
  {
    file: "sample-riscv64.o",
    machine: "riscv",
    class: 64,
    endianness: "little",
    reloc: "R_RISCV_CALL_PLT",
    rela: true,
  },
  {
    file: "sample-loongarch64.o",
    machine: "loongarch",
    class: 64,
    endianness: "little",
    reloc: "R_LARCH_B26",
    rela: true,
  },
] as const;

describe("fixture objects of eight targets", () => {
  for (const t of TARGETS) {
    it(`${t.file}: ELF${t.class} ${t.endianness}-endian ${t.machine}, listed as readelf lists it`, async () => {
      const path = join(dir, t.file);
      const file = await readElfFile(path);
      expect(file.header.class).toBe(t.class);
      expect(file.header.endianness).toBe(t.endianness);
      expect(file.header.machineName).toBe(t.machine);
      expect(file.header.typeName).toBe("REL");
      const names = file.symbols().map((s) => s.name);
      for (const n of ["compute", "update", "global_data", "weak_hook", "printk", "banner"])
        expect(names).toContain(n);
      const weak = file.symbols().find((s) => s.name === "weak_hook")!;
      expect([weak.typeName, weak.bindName]).toEqual(["FUNC", "WEAK"]);
      const compute = file.symbols().find((s) => s.name === "compute")!;
      expect(file.sections[compute.sectionIndex!]!.name).toBe(".text.compute");
      const relocs = file.relocationSections();
      expect(relocs.every((rs) => rs.isRela === t.rela)).toBe(true);
      expect(relocs.flatMap((rs) => rs.entries()).some((r) => r.typeName === t.reloc)).toBe(true);
      const calls = file.relocationsFor(file.sectionByName(".text.compute")!);
      const targets = calls.map((r) => file.symbols()[r.symbolIndex]!.name);
      expect(targets).toContain("printk");
      expect(firstDifference(ourSymbolTables(file), await readelf(["-sW"], path))).toBeNull();
      expect(firstDifference(ourRelocations(file), await readelf(["-rW"], path))).toBeNull();
    });
  }
});

describe("modules: signature trailer and compression", () => {
  const signed = join(dir, "sample-signed.ko");
  const originalPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = originalPath;
  });

  it("reads a module with a signature appended after the ELF data", async () => {
    const file = await readElfFile(signed);
    const plain = await readElfFile(join(dir, "sample-x86_64.o"));
    expect(file.bytes.length).toBeGreaterThan(plain.bytes.length);
    expect(new TextDecoder().decode(file.bytes.subarray(-28))).toBe("~Module signature appended~\n");
    expect(file.symbols()).toEqual(plain.symbols());
  });

  for (const name of [
    "sample-signed.ko.xz",
    "sample-signed.ko.zst",
    "sample-signed.ko.gz",
    "compressed-no-extension",
  ]) {
    it(`decompresses ${name} (detected by its magic bytes)`, async () => {
      const file = await readElfFile(join(dir, name));
      expect(file.path).toBe(join(dir, name));
      expect(Buffer.from(file.bytes).equals(readFileSync(signed))).toBe(true);
      expect(file.symbols().find((s) => s.name === "compute")).toBeDefined();
    });
  }

  it("names the missing tool when xz or zstd is not installed", async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), "klpmatch-nopath-"));
    for (const [name, tool] of [
      ["sample-signed.ko.xz", "xz"],
      ["compressed-no-extension", "zstd"],
    ]) {
      const error = await readElfFile(join(dir, name!)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ElfFormatError);
      expect((error as ElfFormatError).message).toBe(
        `${join(dir, name!)}: is ${tool}-compressed, and the '${tool}' program needed to decompress it was not found on PATH`,
      );
    }
    // gzip needs no external program.
    expect((await readElfFile(join(dir, "sample-signed.ko.gz"))).symbols().length).toBeGreaterThan(0);
  });

  it("says when the bad bytes came out of a decompressor", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "klpmatch-gz-"));
    const path = join(tmp, "kallsyms.ko.gz");
    writeFileSync(path, gzipSync(Buffer.from("ffffffff81000000 T _text\n")));
    const error = await readElfFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ElfFormatError);
    expect((error as ElfFormatError).message).toBe(
      `${path}: not an ELF file (no \\x7fELF magic at its start) (in its gzip-decompressed contents)`,
    );
  });

  it("reports corrupt compressed data as an ElfFormatError", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "klpmatch-corrupt-"));
    for (const name of ["sample-signed.ko.xz", "sample-signed.ko.zst", "sample-signed.ko.gz"]) {
      const bytes = readFileSync(join(dir, name));
      const broken = bytes.subarray(0, Math.floor(bytes.length / 2));
      const path = join(tmp, name);
      writeFileSync(path, broken);
      const error = await readElfFile(path).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ElfFormatError);
      expect((error as ElfFormatError).reason).toMatch(/could not (be )?decompress/);
    }
  });
});

describe("a shared object: symbol versions and packed relative relocations", () => {
  const path = join(dir, "sample-versioned.so");

  it("lists .dynsym (with versions), .symtab and .relr.dyn exactly as readelf", async () => {
    const file = await readElfFile(path);
    expect(firstDifference(ourSymbolTables(file), await readelf(["-sW"], path))).toBeNull();
    expect(firstDifference(ourRelocations(file), await readelf(["-rW"], path))).toBeNull();
  });

  it("gives each dynamic symbol its version: default, hidden, needed, none for version names", async () => {
    const file = await readElfFile(path);
    const dynsym = file.sectionByName(".dynsym")!;
    const versions = symbolVersions(file, dynsym);
    const byName = new Map(file.dynamicSymbols().map((s) => [s.name, versions[s.index]]));
    expect(byName.get("exported_data")).toMatchObject({ name: "KLP_2.0", hidden: false, needed: false });
    expect(byName.get("current_api")).toMatchObject({ name: "KLP_1.0", hidden: true, needed: false });
    expect(byName.get("__cxa_finalize")).toMatchObject({ name: "GLIBC_2.2.5", needed: true });
    expect(byName.get("KLP_1.0")).toBeNull();
    expect(byName.get("__gmon_start__")).toBeNull();
  });

  it("decodes .relr.dyn into the addresses readelf prints", async () => {
    const file = await readElfFile(path);
    const relr = file.sections.find((s) => s.type === 19)!;
    const offsets = relrOffsets(file, relr);
    const text = await readelf(["-rW"], path);
    const block = text.slice(text.indexOf("'.relr.dyn'"));
    const count = Number(/ {2}(\d+) offsets/.exec(block)![1]);
    const listed = block
      .split("\n")
      .slice(2, 2 + count)
      .map((line) => BigInt(`0x${line}`));
    expect(offsets).toEqual(listed);
    expect(offsets.length).toBeGreaterThan(relr.data!.length / 8);
  });
});
