// The diff step on linked objects (fixtures/kbuild): vmlinux.o and a module's <mod>.o split into
// their translation units by STT_FILE, each unit diffed against its twin; gcc + GNU ld and
// clang-19 ThinLTO + ld.lld-19 through the same code.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import type { ElfFile } from "../../elf/types.js";
import { InputError } from "../../lib/input-error.js";
import { checkFunctionSections, diffLinkedObjects, type LinkedDiff } from "../../matcher/linked-diff.js";
import { partitionLinked } from "../../matcher/translation-units.js";
import { FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kbuild");
const BUILTIN = ["kernel/alpha.o", "kernel/beta.o", "kernel/start.o", "lib/util.o"];
const DEMO = ["drivers/demo/demo_main.o", "drivers/demo/demo_extra.o"];

async function linked(tc: string, side: string, object = "vmlinux.o"): Promise<ElfFile> {
  return readElfFile(join(K, tc, side, object));
}

async function diffOf(tc: string, object = "vmlinux.o", members = BUILTIN): Promise<LinkedDiff> {
  const [o, p] = await Promise.all([linked(tc, "orig", object), linked(tc, "patched", object)]);
  return diffLinkedObjects({ file: o, members }, { file: p, members });
}

/** Changed functions per unit path, orig names. */
function changes(d: LinkedDiff): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of d.units) {
    const names = u.diff.changed.map((f) => f.name);
    if (names.length > 0 || u.diff.new.length > 0) out[u.path] = names;
  }
  return out;
}

describe("partitionLinked", () => {
  it("splits the three files' merged .text.helper back into one piece per file (GNU ld -r)", async () => {
    const file = await linked("gcc", "orig");
    const units = partitionLinked(file, { members: BUILTIN, unplacedPath: "vmlinux.o" });
    expect(units.units.map((u) => u.path)).toEqual([
      "kernel/alpha.c",
      "kernel/beta.c",
      "kernel/start.c",
      "lib/util.c",
      "vmlinux.o",
    ]);
    const helper = file.sections.find((s) => s.name === ".text.helper")!;
    const pieces = units.piecesIn(helper.index);
    expect(pieces.map((p) => units.units[p.unit]!.path)).toEqual([
      "kernel/alpha.c",
      "kernel/beta.c",
      "lib/util.c",
    ]);
    // a global by the locals its code reaches; one that reaches none, by the per-file object defining it
    expect(units.unplaced.pieces.map((p) => p.anchors[0]!.name).sort()).toEqual([
      "__fentry__",
      "start_kernel",
    ]);
    const homes = new Map([
      ["start_kernel", "kernel/start.o"],
      ["__fentry__", "kernel/start.o"],
    ]);
    const placed = partitionLinked(file, { members: BUILTIN, globalHomes: homes, unplacedPath: "vmlinux.o" });
    expect(placed.unplaced.pieces).toEqual([]);
    expect(placed.units[2]!.pieces.map((p) => p.anchors[0]!.name).sort()).toEqual([
      "__fentry__",
      "start_kernel",
    ]);
  });

  it("places ThinLTO's promoted statics and globals by the section symbols ld.lld writes in each FILE run", async () => {
    const file = await linked("clang", "orig");
    const units = partitionLinked(file, { members: BUILTIN, unplacedPath: "vmlinux.o" });
    const byUnit = units.units.map((u) =>
      u.pieces.flatMap((p) => p.anchors.map((a) => a.name.replace(/\.llvm\.\d+$/, ".llvm.H"))).sort(),
    );
    expect(byUnit).toEqual([
      ["alpha_api", "cmp.llvm.H", "counter", "helper.llvm.H"],
      ["beta_api", "beta_other", "counter", "helper.llvm.H"],
      ["__fentry__", "start_kernel"],
      ["counter", "helper.llvm.H", "util_other", "util_scale", "util_slow.llvm.H"],
      [],
    ]);
  });
});

describe("diffLinkedObjects", () => {
  it("gcc: exactly the patched files' functions, each with its unit", async () => {
    const d = await diffOf("gcc");
    // start_kernel changed too, but nothing in vmlinux.o alone places it: the unplaced unit
    expect(changes(d)).toEqual({
      "kernel/alpha.c": ["helper"],
      "lib/util.c": ["util_scale"],
      [join(K, "gcc", "orig", "vmlinux.o")]: ["start_kernel"],
    });
    expect(d.total).toBe(5);
    expect(d.skipped).toBe(2);
  });

  it("clang ThinLTO: a renamed promoted static alone is no change; inlined imports change their callers", async () => {
    const d = await diffOf("clang");
    const c = changes(d);
    expect(Object.keys(c)).toEqual(["kernel/alpha.c", "kernel/beta.c", "kernel/start.c", "lib/util.c"]);
    expect(c["kernel/alpha.c"]![0]).toMatch(/^helper\.llvm\.\d+$/);
    // util_scale is inlined into beta_api (and start_kernel): those change with it
    expect(c["kernel/beta.c"]).toEqual(["beta_api"]);
    expect(c["lib/util.c"]).toEqual(["util_scale"]);
    const alpha = d.units.find((u) => u.path === "kernel/alpha.c")!.diff;
    const cmp = alpha.renamed.find((r) => r.orig.startsWith("cmp.llvm."))!;
    expect(cmp.patched).toMatch(/^cmp\.llvm\.\d+$/);
    expect(cmp.patched).not.toBe(cmp.orig);
    // util.c's promoted statics were renamed too (a new module hash), without a change
    const util = d.units.find((u) => u.path === "lib/util.c")!.diff;
    expect(util.renamed.map((r) => r.orig.replace(/\.\d+$/, ""))).toEqual(
      expect.arrayContaining(["util_slow.llvm", "helper.llvm"]),
    );
  });

  it("a module's <mod>.o: its own files' units", async () => {
    for (const tc of ["gcc", "clang"]) {
      const d = await diffOf(tc, "drivers/demo/demo.o", DEMO);
      expect(changes(d)).toEqual({ "drivers/demo/demo_main.c": ["helper"] });
    }
  });

  it("an object against itself: every unit equal by bytes and relocations, none modelled", async () => {
    const o = await linked("clang", "orig");
    const d = diffLinkedObjects({ file: o, members: BUILTIN }, { file: o, members: BUILTIN });
    expect(d.units).toEqual([]);
    expect(d.skipped).toBe(d.total);
  });

  it("refuses two objects of other translation units, and one without function sections", async () => {
    const o = await linked("gcc", "orig");
    const m = await linked("gcc", "patched", "drivers/demo/demo.o");
    expect(() => diffLinkedObjects({ file: o }, { file: m })).toThrow(
      /not the same configuration built twice/,
    );
    const bad = await readElfFile(join(K, "bad", "no-function-sections", "vmlinux.o"));
    expect(() => checkFunctionSections(bad)).toThrow(InputError);
    expect(() => checkFunctionSections(bad)).toThrow(/no function sections.*-ffunction-sections/);
    expect(() => checkFunctionSections(o)).not.toThrow();
  });
});
