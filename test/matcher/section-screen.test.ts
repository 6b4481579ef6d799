// The section screen of the linked diff: which output sections it calls unchanged, on small linked
// objects built here (two FILE runs, a merged string section), and its agreement with the unit by
// unit comparison it shortcuts, on the kbuild fixtures (gcc + GNU ld, clang ThinLTO + ld.lld).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElf, readElfFile } from "../../elf/index.js";
import { diffLinkedObjects, type LinkedDiff } from "../../matcher/linked-diff.js";
import { screenSections } from "../../matcher/section-screen.js";
import { partitionLinked } from "../../matcher/translation-units.js";
import { buildElf } from "../elf/elf-builder.js";
import { FIXTURES } from "../paths.js";

const R_X86_64_32 = 10;
const code = (fill: number): Uint8Array => new Uint8Array(16).fill(fill);

interface Variant {
  /** A new function h in a section of its own, after the others. */
  h?: boolean;
  f?: Uint8Array;
  strings?: string;
  /** Addends of f's and g's references into the strings. */
  addends?: [bigint, bigint];
}

/** a.c's f and b.c's g, each referring to a string of the merged .rodata.str1.1 by its section symbol. */
function linked(v: Variant = {}): Uint8Array {
  const [fa, ga] = v.addends ?? [0n, 6n];
  return buildElf({
    class: 64,
    endianness: "little",
    machine: 62,
    type: 1,
    sections: [
      { name: ".text.f", type: 1, flags: 6n, data: v.f ?? code(0x90) },
      { name: ".text.g", type: 1, flags: 6n, data: code(0xcc) },
      {
        name: ".rodata.str1.1",
        type: 1,
        flags: 0x32n,
        entsize: 1n,
        data: new TextEncoder().encode(v.strings ?? "hello\0world\0"),
      },
      ...(v.h ? [{ name: ".text.h", type: 1, flags: 6n, data: code(0xc3) }] : []),
    ],
    symbols: [
      { name: "a.c", shndx: 0xfff1, info: 0x04 },
      { name: "", shndx: 1, info: 0x03 },
      { name: "f", shndx: 1, info: 0x02, size: 16n },
      { name: "b.c", shndx: 0xfff1, info: 0x04 },
      { name: "", shndx: 2, info: 0x03 },
      { name: "", shndx: 3, info: 0x03 },
      { name: "g", shndx: 2, info: 0x02, size: 16n },
      ...(v.h ? [{ name: "h", shndx: 4, info: 0x02, size: 16n }] : []),
    ],
    relocations: [
      { target: 1, rela: true, entries: [{ offset: 4n, type: R_X86_64_32, symbol: 6, addend: fa }] },
      { target: 2, rela: true, entries: [{ offset: 4n, type: R_X86_64_32, symbol: 6, addend: ga }] },
    ],
  });
}

/** The names of the allocated sections the screen leaves unclean, orig side. */
function unclean(orig: Uint8Array, patched: Uint8Array): string[] {
  const o = readElf(orig, { path: "orig.o" });
  const p = readElf(patched, { path: "patched.o" });
  const screen = screenSections(
    partitionLinked(o, { unplacedPath: "orig.o" }),
    partitionLinked(p, { unplacedPath: "patched.o" }),
  );
  return o.sections
    .filter((s) => (s.flags & 2n) !== 0n && screen.origDirty[s.index] === 1)
    .map((s) => s.name);
}

describe("screenSections", () => {
  it("calls every section of two equal objects unchanged", () => {
    expect(unclean(linked(), linked())).toEqual([]);
  });

  it("pairs sections by name when the two objects' sections differ: a new one is unclean on its side only", () => {
    const o = readElf(linked(), { path: "orig.o" });
    const p = readElf(linked({ h: true }), { path: "patched.o" });
    const screen = screenSections(
      partitionLinked(o, { unplacedPath: "orig.o" }),
      partitionLinked(p, { unplacedPath: "patched.o" }),
    );
    const name = (f: typeof o, i: number): string => f.sections[i]!.name;
    expect([1, 2, 3].map((i) => [name(o, i), name(p, screen.twin[i]!), screen.origDirty[i]])).toEqual([
      [".text.f", ".text.f", 0],
      [".text.g", ".text.g", 0],
      [".rodata.str1.1", ".rodata.str1.1", 0],
    ]);
    const h = p.sections.find((s) => s.name === ".text.h")!;
    expect(screen.patchedDirty[h.index]).toBe(1);
  });

  it("leaves a section whose bytes changed unclean, and no other", () => {
    expect(unclean(linked(), linked({ f: code(0x91) }))).toEqual([".text.f"]);
  });

  it("compares what a reference reaches in a changed merged section: the string, not the offset", () => {
    // "hello" became "hallo" at the same offset: f reads another string, g reads the same "world"
    expect(unclean(linked(), linked({ strings: "hallo\0world\0" }))).toEqual([".text.f", ".rodata.str1.1"]);
  });

  it("leaves a reference whose addend moved unclean (not sure without the model)", () => {
    const shifted = linked({ strings: "hi\0hello\0world\0", addends: [3n, 9n] });
    expect(unclean(linked(), shifted)).toEqual([".text.f", ".text.g", ".rodata.str1.1"]);
  });

  it("lets the unit by unit diff decide the sections it leaves unclean", () => {
    const shifted = linked({ strings: "hi\0hello\0world\0", addends: [3n, 9n] });
    const d = diffLinkedObjects(
      { file: readElf(linked(), { path: "orig.o" }) },
      { file: readElf(shifted, { path: "patched.o" }) },
    );
    // both still read their own strings: nothing changed
    expect(d.units.flatMap((u) => u.diff.changed.map((f) => f.name))).toEqual([]);
    const changed = diffLinkedObjects(
      { file: readElf(linked(), { path: "orig.o" }) },
      { file: readElf(linked({ strings: "hallo\0world\0" }), { path: "patched.o" }) },
    );
    expect(changed.units.map((u) => [u.path, u.diff.changed.map((f) => f.name)])).toEqual([["a.c", ["f"]]]);
  });
});

/** What a linked diff reports, without the views (objects of their own). */
function report(d: LinkedDiff): unknown {
  return {
    total: d.total,
    units: d.units.map((u) => ({ path: u.path, member: u.member, diff: u.diff })),
  };
}

describe("the screen agrees with comparing every unit", () => {
  const members: Record<string, string[]> = {
    "vmlinux.o": ["kernel/alpha.o", "kernel/beta.o", "kernel/start.o", "lib/util.o"],
    "drivers/demo/demo.o": ["drivers/demo/demo_main.o", "drivers/demo/demo_extra.o"],
  };
  for (const tc of ["gcc", "clang"]) {
    for (const object of Object.keys(members)) {
      it(`${tc} ${object}`, async () => {
        const side = async (s: string) => ({
          file: await readElfFile(join(FIXTURES, "kbuild", tc, s, object)),
          members: members[object]!,
        });
        const [o, p] = [await side("orig"), await side("patched")];
        const screened = diffLinkedObjects(o, p);
        const all = diffLinkedObjects(o, p, { screen: false });
        expect(all.units.length).toBeGreaterThan(0);
        expect(report(screened)).toEqual(report(all));
        expect(screened.skipped).toBe(all.skipped);
      });
    }
  }
});

describe("pieces of a merged section", () => {
  /** One .text.f holding three files' copies: a.c's __pfx_f + f, b.c's __cfi_f + f, c.c's f. */
  function stubs(): Uint8Array {
    return buildElf({
      class: 64,
      endianness: "little",
      machine: 62,
      type: 1,
      sections: [{ name: ".text.f", type: 1, flags: 6n, data: new Uint8Array(96) }],
      symbols: [
        { name: "a.c", shndx: 0xfff1, info: 0x04 },
        { name: "__pfx_f", shndx: 1, info: 0x02, value: 0n, size: 16n },
        { name: "f", shndx: 1, info: 0x02, value: 16n, size: 16n },
        { name: "b.c", shndx: 0xfff1, info: 0x04 },
        { name: "__cfi_f", shndx: 1, info: 0x02, value: 32n, size: 16n },
        { name: "f", shndx: 1, info: 0x02, value: 48n, size: 16n },
        { name: "c.c", shndx: 0xfff1, info: 0x04 },
        { name: "f", shndx: 1, info: 0x02, value: 64n, size: 32n },
      ],
    });
  }

  it("a __pfx_ or __cfi_ stub's piece runs on into its function; each file's copy is a piece of its unit", () => {
    const file = readElf(stubs(), { path: "stubs.o" });
    const units = partitionLinked(file, { unplacedPath: "stubs.o" });
    const pieces = units.piecesIn(1).map((p) => ({
      range: [Number(p.start), Number(p.end)],
      anchors: p.anchors.map((a) => a.name),
      unit: units.units[p.unit]!.file,
    }));
    expect(pieces).toEqual([
      { range: [0, 32], anchors: ["__pfx_f", "f"], unit: "a.c" },
      { range: [32, 64], anchors: ["__cfi_f", "f"], unit: "b.c" },
      { range: [64, 96], anchors: ["f"], unit: "c.c" },
    ]);
  });
});
