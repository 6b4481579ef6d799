// `klpmatch symbols` as a user runs it: the built CLI, its stdout compared with binutils readelf,
// the JSON form, and one-line errors with exit code 2.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { runSymbolsWithoutYargs } from "../../cmd/commands/symbols.js";
import { CLI, FIXTURES } from "../paths.js";

const dir = join(FIXTURES, "elf");
const x86 = join(dir, "sample-x86_64.o");
const i386 = join(dir, "sample-i386.o");
const s390 = join(dir, "sample-s390x.o");

function klpmatch(args: string[], env?: Record<string, string>) {
  return execa(process.execPath, [CLI, ...args], {
    reject: false,
    stripFinalNewline: false,
    env,
    extendEnv: true,
  });
}

async function readelf(args: string[]) {
  return (await execa("readelf", args, { stripFinalNewline: false })).stdout;
}

describe("klpmatch symbols: readelf layout", () => {
  it("prints the symbol table exactly as readelf -sW", async () => {
    const run = await klpmatch(["symbols", x86]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(await readelf(["-sW", x86]));
  });

  it("--relocs adds relocations exactly as readelf -sW -rW (ELF32 REL, big-endian)", async () => {
    for (const file of [x86, i386, s390]) {
      const run = await klpmatch(["symbols", "--relocs", file]);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe(await readelf(["-sW", "-rW", file]));
    }
  });

  it("several files get readelf's 'File:' lines", async () => {
    const run = await klpmatch(["symbols", "-r", x86, i386, s390]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(await readelf(["-sW", "-rW", x86, i386, s390]));
  });

  it("reads compressed modules transparently", async () => {
    const plain = await klpmatch(["symbols", "-r", join(dir, "sample-signed.ko")]);
    for (const name of [
      "sample-signed.ko.xz",
      "sample-signed.ko.zst",
      "sample-signed.ko.gz",
      "compressed-no-extension",
    ]) {
      const run = await klpmatch(["symbols", "-r", join(dir, name)]);
      expect(run.exitCode, name).toBe(0);
      expect(run.stdout, name).toBe(plain.stdout);
    }
    expect(plain.stdout).toBe(await readelf(["-sW", "-rW", join(dir, "sample-signed.ko")]));
  });

  it("--dyn-syms prints only dynamic symbols (none in a relocatable object)", async () => {
    const run = await klpmatch(["symbols", "--dyn-syms", x86]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("");
  });
});

interface JsonOutput {
  files: {
    path: string;
    class: number;
    endianness: string;
    machine: string;
    symbolTables: { section: string; symbols: Record<string, unknown>[] }[];
    relocationSections?: {
      section: string;
      target: string;
      rela: boolean;
      relocations: Record<string, unknown>[];
    }[];
  }[];
}

describe("klpmatch symbols --json", () => {
  it("gives the same data, 64-bit values as 0x strings", async () => {
    const run = await klpmatch(["symbols", "--json", "--relocs", x86]);
    expect(run.exitCode).toBe(0);
    const json = JSON.parse(run.stdout) as JsonOutput;
    const [file] = json.files;
    expect(file!.path).toBe(x86);
    expect([file!.class, file!.endianness, file!.machine]).toEqual([64, "little", "x86_64"]);
    const symbols = file!.symbolTables[0]!.symbols;
    const text = await readelf(["-sW", x86]);
    expect(symbols).toHaveLength(Number(/contains (\d+) entries/.exec(text)![1]));
    const compute = symbols.find((s) => s.name === "compute")!;
    expect(compute).toMatchObject({
      type: "FUNC",
      bind: "GLOBAL",
      visibility: "DEFAULT",
      section: ".text.compute",
    });
    expect(compute.value).toMatch(/^0x[0-9a-f]+$/);
    const line = text.split("\n").find((l) => l.endsWith(" compute"))!;
    const [, , size] = line.trim().split(/\s+/);
    expect(BigInt(compute.size as string)).toBe(BigInt(size!));
    expect(symbols.find((s) => s.name === "printk")).toMatchObject({
      ndx: "UND",
      section: null,
      value: "0x0",
    });
    const relocs = file!.relocationSections!.find((r) => r.target === ".text.compute")!;
    expect(relocs.rela).toBe(true);
    const call = relocs.relocations.find((r) => r.symbol === "printk")!;
    expect(call).toMatchObject({ type: "R_X86_64_PLT32", addend: "-0x4" });
  });

  it("REL relocations have a null addend (ELF32)", async () => {
    const run = await klpmatch(["symbols", "--json", "-r", i386]);
    const json = JSON.parse(run.stdout) as JsonOutput;
    const all = json.files[0]!.relocationSections!.flatMap((r) => r.relocations);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((r) => r.addend === null)).toBe(true);
    expect(json.files[0]!.class).toBe(32);
  });
});

describe("klpmatch symbols: errors are one line and exit 2", () => {
  const tmp = mkdtempSync(join(tmpdir(), "klpmatch-symbols-"));

  async function expectFailure(args: string[], line: string | RegExp, env?: Record<string, string>) {
    const run = await klpmatch(["symbols", ...args], env);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    if (typeof line === "string") expect(lines[0]).toBe(line);
    else expect(lines[0]).toMatch(line);
  }

  it("a missing file", async () => {
    await expectFailure([join(tmp, "nope.o")], `klpmatch: ${join(tmp, "nope.o")}: no such file or directory`);
  });

  it("a file that is not ELF", async () => {
    const path = join(tmp, "kallsyms.txt");
    writeFileSync(path, "ffffffff81000000 T _text\n");
    await expectFailure([path], `klpmatch: ${path}: not an ELF file (no \\x7fELF magic at its start)`);
  });

  it("a truncated object, even after a good one (no partial output)", async () => {
    const path = join(tmp, "truncated.o");
    writeFileSync(path, readFileSync(x86).subarray(0, 1000));
    await expectFailure(
      [x86, path],
      new RegExp(
        `^klpmatch: ${path}: section header table .* extends past the end of the file|^klpmatch: ${path}: section header table at offset`,
      ),
    );
  });

  it("a compressed module when xz is not installed", async () => {
    const empty = mkdtempSync(join(tmpdir(), "klpmatch-nopath-"));
    const xz = join(dir, "sample-signed.ko.xz");
    await expectFailure(
      [xz],
      `klpmatch: ${xz}: is xz-compressed, and the 'xz' program needed to decompress it was not found on PATH`,
      { PATH: empty },
    );
  });

  it("no file at all", async () => {
    const run = await klpmatch(["symbols"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^klpmatch: /);
  });
});

describe("the yargs-free path of klpmatch symbols", () => {
  it("declines anything but plain files and its own flags, so yargs handles help and mistakes", async () => {
    for (const args of [
      ["symbols"],
      ["symbols", "--help"],
      ["symbols", "--bogus", x86],
      ["symbols", "--", x86],
      ["sympos", "foo"],
      [],
    ]) {
      expect(await runSymbolsWithoutYargs(args), args.join(" ")).toBe(false);
    }
  });
});
