// Reading the targets a livepatch carries, on real compiled fixture objects (fixtures/verify).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElf } from "../../elf/index.js";
import { InputError } from "../../lib/input-error.js";
import {
  KSYM_NAME_LEN_BEFORE_6_1,
  type LivepatchTarget,
  parseExpectReport,
  parseKlpRelaSectionName,
  parseKlpSymName,
  parseTargetList,
  readLivepatchTargets,
} from "../../lib/livepatch/index.js";
import { FIXTURES } from "../paths.js";
import { fullReport } from "./full-report.js";

const DIR = join(FIXTURES, "verify");

function bytesOf(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, name)));
}

function targetsOf(name: string, bytes = bytesOf(name)) {
  return readLivepatchTargets(readElf(bytes, { path: name }));
}

function triples(targets: readonly LivepatchTarget[]): string[] {
  return targets.map((t) => `${t.origin} ${t.objname}:${t.oldName},${t.oldSympos}`);
}

const LP_API_TARGETS = [
  "klp_func vmlinux:fxt_unique,0",
  "klp_func vmlinux:fxt_dup,2",
  "klp_func vmlinux:fxt_dup,3",
  "klp_func vmlinux:fxt_gone,0",
  "klp_func vmlinux:fxt_root,2",
  "klp_func vmlinux:fxt_noinstr,0",
  "klp_func fxt_target:fxt_dup,1",
  "klp_func fxt_target:fxt_notrace,0",
  "klp_func fxt_target:fxt_mod_only,0",
];

describe('parseKlpSymName: the kernel\'s sscanf(".klp.sym.%55[^.].%511[^,],%lu")', () => {
  it("splits objname, name and position; the name may hold dots", () => {
    expect(parseKlpSymName(".klp.sym.vmlinux.fxt_dup,2")).toEqual({
      objname: "vmlinux",
      name: "fxt_dup",
      sympos: 2,
      trailing: "",
    });
    expect(parseKlpSymName(".klp.sym.vmlinux.show_cpuinfo.llvm.4068079621735001028,0")?.name).toBe(
      "show_cpuinfo.llvm.4068079621735001028",
    );
    expect(parseKlpSymName(".klp.sym.lpt_target.a.b.c,1")).toMatchObject({
      objname: "lpt_target",
      name: "a.b.c",
    });
  });

  it("rejects what the kernel's sscanf does not fill", () => {
    for (const bad of [
      ".klp.sym.vmlinux_fxt_dup,2", // no '.' after the object name
      ".klp.sym..fxt_dup,2", // empty object name
      ".klp.sym.vmlinux.,2", // empty name
      ".klp.sym.vmlinux.fxt_dup", // no ','
      ".klp.sym.vmlinux.fxt_dup,", // no number
      ".klp.sym.vmlinux.fxt_dup,-1", // %lu takes no sign in the kernel's vsscanf
      ".klp.sym.vmlinux.fxt_dup,x1",
      "fxt_dup",
    ]) {
      expect(parseKlpSymName(bad), bad).toBeNull();
    }
  });

  it("applies the width limits: 55 for the object name, 511 (127 before 6.1) for the name", () => {
    const obj55 = "m".repeat(55);
    expect(parseKlpSymName(`.klp.sym.${obj55}.f,0`)?.objname).toBe(obj55);
    expect(parseKlpSymName(`.klp.sym.${obj55}m.f,0`)).toBeNull();
    const name511 = "n".repeat(511);
    expect(parseKlpSymName(`.klp.sym.vmlinux.${name511},1`)?.name).toBe(name511);
    expect(parseKlpSymName(`.klp.sym.vmlinux.${name511}n,1`)).toBeNull();
    const name128 = "n".repeat(128);
    expect(parseKlpSymName(`.klp.sym.vmlinux.${name128},1`)).not.toBeNull();
    expect(parseKlpSymName(`.klp.sym.vmlinux.${name128},1`, KSYM_NAME_LEN_BEFORE_6_1 - 1)).toBeNull();
  });

  it("skips white space before the number and keeps what follows it as ignored trailing text", () => {
    expect(parseKlpSymName(".klp.sym.vmlinux.f, 7")?.sympos).toBe(7);
    expect(parseKlpSymName(".klp.sym.vmlinux.f,3abc")).toMatchObject({ sympos: 3, trailing: "abc" });
  });

  it("reads the object name of .klp.rela sections", () => {
    expect(parseKlpRelaSectionName(".klp.rela.vmlinux.text.klp_vmlinux")).toBe("vmlinux");
    expect(parseKlpRelaSectionName(".klp.rela.fxt_target.text")).toBe("fxt_target");
    expect(parseKlpRelaSectionName(".klp.rela..text")).toBeNull();
    expect(parseKlpRelaSectionName(".rela.text")).toBeNull();
  });
});

describe("readLivepatchTargets on compiled livepatch objects", () => {
  it("finds klp_func arrays through klp_patch → objs → funcs relocations (x86_64, RELA)", () => {
    const t = targetsOf("lp_api.ko");
    expect(triples(t.targets)).toEqual(LP_API_TARGETS);
    expect(t.objects).toEqual(["vmlinux", "fxt_target"]);
    expect(t.moduleName).toBe("lp_api");
    expect(t.found).toEqual(["klp_func"]);
    expect(t.flags).toEqual([]);
    // the decoy struct that also starts with THIS_MODULE is not a klp_patch
    expect(t.notes.filter((n) => n.startsWith("klp_patch at"))).toHaveLength(1);
    expect(t.notes.some((n) => n.includes("7 × 152-byte entries"))).toBe(true);
    expect(t.targets[6]!.source).toMatch(/^objs\[1\]\.funcs\[0\] at \.data\+0x/);
    expect(t.targets.map((x) => x.objectIndex)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it("reads the same targets from an i386 build (ELF32, REL: addends in place, strides from symbol sizes)", () => {
    const t = targetsOf("lp_api32.o");
    expect(triples(t.targets)).toEqual(LP_API_TARGETS);
    expect(t.notes.some((n) => n.includes("× 80-byte entries"))).toBe(true);
  });

  for (const arch of ["s390x", "aarch64", "powerpc64le"]) {
    it(`reads the same targets from a clang ${arch} build${arch === "s390x" ? " (big-endian)" : ""}`, () => {
      const t = targetsOf(`lp_api.${arch}.o`);
      expect(triples(t.targets)).toEqual(LP_API_TARGETS);
      expect(t.flags).toEqual([]);
    });
  }

  it("reads .klp.sym symbols in first-use order with the stage their .klp.rela section is applied in", () => {
    const t = targetsOf("lp_klpsym.ko");
    expect(t.found).toEqual(["klp_func", "klp.sym"]);
    const refs = t.targets.filter((x) => x.origin === "klp.sym");
    expect(triples(refs)).toEqual([
      "klp.sym vmlinux:fxt_dup,2",
      "klp.sym vmlinux:fxt_counter,0",
      "klp.sym vmlinux:fxt_gone,0",
      "klp.sym vmlinux:fxt_dup,3",
      "klp.sym fxt_target:fxt_dup,1",
      "klp.sym fxt_target:fxt_mod_data,0",
    ]);
    expect(refs.map((r) => r.stage)).toEqual(["load", "load", "load", "load", "enable", "enable"]);
    expect(refs.map((r) => r.objectIndex)).toEqual([-1, -1, -1, -1, 1, 1]);
    expect(refs.every((r) => r.role === "reference" && r.used && r.flags.length === 0)).toBe(true);
    expect(refs[0]!.source).toContain("used by .klp.rela.vmlinux.text.klp_vmlinux");
    expect(t.flags).toEqual([]);
  });

  it("reads kpatch-build's .kpatch.funcs entries", () => {
    const t = targetsOf("lp_kpatch.ko");
    expect(triples(t.targets)).toEqual([
      "kpatch.funcs vmlinux:fxt_dup,2",
      "kpatch.funcs fxt_target:fxt_mod_only,0",
      "kpatch.funcs vmlinux:fxt_dup,3",
    ]);
    expect(t.objects).toEqual(["vmlinux", "fxt_target"]);
    expect(t.targets.map((x) => x.objectIndex)).toEqual([0, 1, 0]);
  });

  it("reads klp-build's klp_objects (struct klp_object_ext → klp_func_ext, counted, no terminator)", () => {
    const t = targetsOf("lp_klpbuild.ko");
    expect(triples(t.targets)).toEqual([
      "klp_func vmlinux:fxt_dup,2",
      "klp_func vmlinux:fxt_unique,0",
      "klp_func fxt_target:fxt_mod_only,0",
    ]);
    expect(t.objects).toEqual(["vmlinux", "fxt_target"]);
    expect(t.targets[2]!.source).toMatch(/^klp_objects\[1\]\.funcs\[0\] at \.init\.klp_funcs\+0x/);
    expect(t.notes).toContain("klp_objects: 2 × 64-byte struct klp_object_ext (with callbacks), klp-build");
    expect(t.flags).toEqual([]);
  });

  it("finds nothing in an object that is not a livepatch", () => {
    const t = targetsOf("fxt_target.ko");
    expect(t.targets).toEqual([]);
    expect(t.flags.map((f) => f.code)).toEqual(["NO_TARGETS"]);
  });
});

// Byte surgery on copies of the fixtures: the problems the kernel rejects a module for.
function patched(name: string, edit: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const bytes = bytesOf(name);
  edit(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.length));
  return bytes;
}

function replaceAscii(bytes: Uint8Array, from: string, to: string): void {
  expect(to.length).toBe(from.length);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(from, 0, "latin1");
  expect(at).toBeGreaterThan(0);
  bytes.set(Buffer.from(to, "latin1"), at);
}

describe("module-level problems the kernel would refuse", () => {
  const elf = readElf(bytesOf("lp_klpsym.ko"), { path: "lp_klpsym.ko" });
  const sectionHeader = (name: string) => Number(elf.header.shoff) + elf.sectionByName(name)!.index * 64;
  const symtab = elf.sectionByName(".symtab")!;
  const gone = elf.symbols().find((s) => s.name === ".klp.sym.vmlinux.fxt_gone,0")!;

  it("a .klp.rela section without SHF_RELA_LIVEPATCH", () => {
    const bytes = patched("lp_klpsym.ko", (_, v) => {
      const at = sectionHeader(".klp.rela.vmlinux.text.klp_vmlinux") + 8;
      v.setBigUint64(at, v.getBigUint64(at, true) & ~0x00100000n, true);
    });
    const t = targetsOf("lp_klpsym.ko", bytes);
    expect(t.flags.map((f) => f.code)).toEqual(["KLP_RELA_NOT_MARKED"]);
  });

  it("a relocation in a .klp.rela section against a symbol not in SHN_LIVEPATCH", () => {
    const bytes = patched("lp_klpsym.ko", (_, v) =>
      v.setUint16(Number(symtab.offset) + gone.index * 24 + 6, 0, true),
    );
    const t = targetsOf("lp_klpsym.ko", bytes);
    expect(t.flags.map((f) => f.code)).toContain("KLP_SYM_NOT_LIVEPATCH");
    expect(t.kernelMessages).toEqual([
      { stage: "load", message: "symbol .klp.sym.vmlinux.fxt_gone,0 is not marked as a livepatch symbol" },
    ]);
  });

  it("a .klp.sym name the kernel's sscanf cannot read", () => {
    const bytes = patched("lp_klpsym.ko", (b) =>
      replaceAscii(b, ".klp.sym.vmlinux.fxt_gone,0", ".klp.sym.vmlinux.fxt_gone_0"),
    );
    const t = targetsOf("lp_klpsym.ko", bytes);
    const bad = t.targets.find((x) => x.oldName.includes("fxt_gone"))!;
    expect(bad.flags.map((f) => f.code)).toEqual(["BAD_KLP_SYM_NAME"]);
    expect(bad.kernelMessage).toBe("symbol .klp.sym.vmlinux.fxt_gone_0 has an incorrectly formatted name");
  });

  it("a module's .klp.rela section with no klp_object of its name", () => {
    const bytes = patched("lp_klpsym.ko", (b) => replaceAscii(b, "\0fxt_target\0", "\0fxt_tarxet\0"));
    const t = targetsOf("lp_klpsym.ko", bytes);
    expect(t.objects).toEqual(["vmlinux", "fxt_tarxet"]);
    const modRefs = t.targets.filter((x) => x.origin === "klp.sym" && x.objname === "fxt_target");
    expect(modRefs).toHaveLength(2);
    expect(modRefs.every((x) => x.flags.map((f) => f.code).includes("KLP_RELA_NO_OBJECT"))).toBe(true);
  });

  it("a module's .klp.rela section using a vmlinux .klp.sym symbol", () => {
    const bytes = patched("lp_klpsym.ko", (b) =>
      replaceAscii(b, ".klp.sym.fxt_target.fxt_mod_data,0", ".klp.sym.vmlinux.fxtfxt_mod_data,0"),
    );
    const t = targetsOf("lp_klpsym.ko", bytes);
    const bad = t.targets.find((x) => x.oldName === "fxtfxt_mod_data")!;
    expect(bad.objname).toBe("vmlinux");
    expect(bad.stage).toBe("enable");
    expect(bad.flags.map((f) => f.code)).toEqual(["KLP_SYM_VMLINUX_FROM_MODULE"]);
    expect(bad.kernelMessage).toBe(
      "invalid access to vmlinux symbol 'fxtfxt_mod_data' from module-specific livepatch relocation section",
    );
  });

  it("a corrupt array symbol size is no extent: the 6.12 stride is used instead, no hang", () => {
    const api = readElf(bytesOf("lp_api.ko"), { path: "lp_api.ko" });
    const sym = api.symbols().find((s) => s.name === "vmlinux_funcs")!;
    const at = Number(api.sectionByName(".symtab")!.offset) + sym.index * 24 + 16;
    const bytes = patched("lp_api.ko", (_, v) => v.setBigUint64(at, 0x7fffffffffffffffn, true));
    const t = targetsOf("lp_api.ko", bytes);
    expect(triples(t.targets)).toEqual(LP_API_TARGETS);
    expect(
      t.notes.some((n) =>
        n.includes("no sized symbol, Linux 6.12's 152-byte entries assumed, 6 before the terminator"),
      ),
    ).toBe(true);
  });

  it('a module without MODULE_INFO(livepatch, "Y")', () => {
    const bytes = patched("lp_api.ko", (b) => replaceAscii(b, "livepatch=Y", "livepatch=N"));
    const t = targetsOf("lp_api.ko", bytes);
    expect(t.flags.map((f) => f.code)).toEqual(["NOT_LIVEPATCH_MODULE"]);
    expect(t.kernelMessages).toEqual([
      { stage: "enable", message: "module lp_api is not marked as a livepatch module" },
    ]);
  });

  it("a klp_object named \"vmlinux\" instead of NULL, and a module name with '-'", () => {
    const vm = targetsOf(
      "lp_api.ko",
      patched("lp_api.ko", (b) => replaceAscii(b, "fxt_target\0", "vmlinux\0\0\0\0")),
    );
    expect(vm.targets[6]!.flags.map((f) => f.code)).toContain("OBJNAME_VMLINUX_STRING");
    const dash = targetsOf(
      "lp_api.ko",
      patched("lp_api.ko", (b) => replaceAscii(b, "fxt_target\0", "fxt-target\0")),
    );
    expect(dash.targets[6]!.flags.map((f) => f.code)).toContain("OBJNAME_NOT_NORMALIZED");
  });
});

describe("parseTargetList: --targets files", () => {
  it("reads TSV with comments, a header row and an optional role column", () => {
    const list = parseTargetList(
      "t.tsv",
      "objname\tname\tsympos\n# comment\nvmlinux\tfxt_dup\t2\n\nfxt_target fxt_mod_data 0 reference\r\n",
    );
    expect(triples(list.targets)).toEqual(["list vmlinux:fxt_dup,2", "list fxt_target:fxt_mod_data,0"]);
    expect(list.targets.map((t) => t.role)).toEqual(["function", "reference"]);
    expect(list.targets[0]!.source).toBe("t.tsv: line 3");
    expect(list.objects).toEqual(["vmlinux", "fxt_target"]);
  });

  it("reads a JSON array with oldName/name and oldSympos/sympos spellings", () => {
    const list = parseTargetList(
      "t.json",
      JSON.stringify([
        { objname: "vmlinux", oldName: "fxt_dup", oldSympos: 2 },
        { name: "fxt_unique" },
        { objname: "fxt_target", name: "fxt_mod_data", sympos: "0", role: "reference" },
      ]),
    );
    expect(triples(list.targets)).toEqual([
      "list vmlinux:fxt_dup,2",
      "list vmlinux:fxt_unique,0",
      "list fxt_target:fxt_mod_data,0",
    ]);
    expect(list.targets[2]!.role).toBe("reference");
  });

  it("reads a match report: function targets and references", () => {
    const report = fullReport({
      objects: [
        {
          functions: [
            {
              name: "fxt_dup",
              target: { objname: "vmlinux", oldName: "fxt_dup", oldSympos: 2, address: "0x401190" },
            },
            { name: "x", target: null },
          ],
        },
      ],
      references: [
        {
          objname: "vmlinux",
          oldName: "fxt_counter",
          oldSympos: 0,
          address: null,
          klpSym: ".klp.sym.vmlinux.fxt_counter,0",
        },
      ],
    });
    const list = parseTargetList("r.json", JSON.stringify(report));
    expect(triples(list.targets)).toEqual(["list vmlinux:fxt_dup,2", "list vmlinux:fxt_counter,0"]);
    // the undecided function (target null) is reported, not verified
    expect(list.flags.map((f) => [f.code, f.message])).toEqual([
      [
        "LIST_UNDECIDED",
        "r.json: objects[0].functions[1] (x) has no decided target (ambiguous or not found in the report): not verified",
      ],
    ]);
    expect(list.targets.map((t) => t.role)).toEqual(["function", "reference"]);
    const expected = parseExpectReport("r.json", JSON.stringify(report));
    expect(expected.map((e) => [e.role, e.oldName, e.address])).toEqual([
      ["function", "fxt_dup", 0x401190n],
      ["reference", "fxt_counter", null],
    ]);
  });

  it("names the file and the line or entry of bad input", () => {
    const cases: [string, string, RegExp][] = [
      ["a.tsv", "vmlinux fxt_dup two\n", /^a\.tsv: line 1: sympos 'two'/],
      ["a.tsv", "vmlinux fxt_dup\n", /^a\.tsv: line 1: expected 'objname name sympos'/],
      ["a.tsv", "vmlinux f 1 maybe\n", /fourth field/],
      ["a.json", '[{"objname": "vmlinux"}]', /^a\.json: entry 0: missing name/],
      ["a.json", '[{"name": "f", "sympos": -1}]', /sympos must be a non-negative integer/],
      ["a.json", '{"objects": ', /^a\.json: not valid JSON/],
      ["a.json", '{"x": 1}', /expected an array/],
      ["a.bin", "\u0000\u0001ELF", /binary data/],
    ];
    for (const [path, text, message] of cases) {
      let error: unknown;
      try {
        parseTargetList(path, text);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(message);
    }
    expect(() => parseExpectReport("e.json", "[]")).toThrow(/not a klpmatch match report: \(top level\)/);
  });
});
