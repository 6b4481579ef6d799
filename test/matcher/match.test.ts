// matchPatch on the bundled fixture builds (fixtures/match): gcc and clang ThinLTO programs with
// same-named statics, and a module listed in symtab order. The expected symbol of each file comes
// from the linked program's own STT_FILE blocks — an oracle independent of the matcher.
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import { renderMatchJson } from "../../lib/report/match-json.js";
import type { FunctionReport, MatchReport } from "../../lib/report/match-report.js";
import { resolve } from "../../matcher/sympos.js";
import { matchPatch } from "../../pipeline/match.js";
import { FIXTURES } from "../paths.js";

const M = join(FIXTURES, "match");

/** The address of `name` defined in the STT_FILE block `file` of a linked program. */
async function addressInFile(program: string, file: string, name: string): Promise<string> {
  const elf = await readElfFile(program);
  let current = "";
  for (const s of elf.symbols()) {
    if (s.typeName === "FILE") current = s.name;
    else if (current === file && s.name === name) return `0x${s.value.toString(16)}`;
  }
  throw new Error(`${program}: no ${name} in ${file}`);
}

function fn(report: MatchReport, object: string, name: string): FunctionReport {
  const o = report.objects.find((x) => x.orig.endsWith(object));
  const f = o?.functions.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no ${name} in ${object}`);
  return f;
}

describe("matchPatch on the gcc fixture kernel", () => {
  const run = (extra: Partial<Parameters<typeof matchPatch>[0]> = {}) =>
    matchPatch({
      orig: join(M, "gcc/orig"),
      patched: join(M, "gcc/patched"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
      ...extra,
    });

  it("decides duplicated statics by neighbourhood, to the orig file's copy", async () => {
    const report = await run();
    expect(report.objects.map((o) => o.orig.split("/").pop())).toEqual(["a.o", "b.o"]);
    for (const name of ["helper", "cmp"]) {
      const f = fn(report, "a.o", name);
      expect(f.decision).toBe("neighbourhood");
      expect(f.candidates.length).toBe(3);
      expect(f.target?.address).toBe(await addressInFile(join(M, "gcc/prog"), "a.c", name));
      const chosen = f.candidates.filter((c) => c.chosen);
      expect(chosen).toHaveLength(1);
      expect(chosen[0]!.placement).toBe("enclosed");
      // every candidate is scored and reported, and the winner's pair resolves to it
      expect(f.candidates.every((c) => c.oldSympos !== null && c.score >= 0)).toBe(true);
      expect(f.evidence.find((e) => e.kind === "neighbourhood")?.result).toBe("decides");
    }
    expect(report.summary.errors).toBe(0);
  });

  it("a unique name is decided as unique, with sympos 0", async () => {
    const f = fn(await run(), "b.o", "b_solo");
    expect(f.decision).toBe("unique");
    expect(f.target).toMatchObject({ objname: "vmlinux", oldName: "b_solo", oldSympos: 0 });
  });

  it("lists the references that need .klp.sym: statics and non-exported globals, not exports", async () => {
    const report = await run();
    const byName = new Map(report.references.map((r) => [r.name, r]));
    expect(byName.get("b_table")?.klpSym).toBe(".klp.sym.vmlinux.b_table,0");
    expect(byName.get("b_table")?.scope).toBe("local");
    expect(byName.get("c_hidden_global")?.klpSym).toBe(".klp.sym.vmlinux.c_hidden_global,0");
    expect(byName.get("c_hidden_global")?.scope).toBe("global");
    // __fentry__ has a __ksymtab___fentry__ entry: exported, linked normally
    expect(byName.has("__fentry__")).toBe(false);
    // b_solo calls b.c's static helper: the same evidence picks b.c's copy among three
    const helper = byName.get("helper")!;
    expect(helper.address).toBe(await addressInFile(join(M, "gcc/prog"), "b.c", "helper"));
    expect(helper.klpSym).toMatch(/^\.klp\.sym\.vmlinux\.helper,[123]$/);
    // a.c's static data `counter`, one of three, placed by a.c's unique data around it
    expect(byName.get("counter")?.address).toBe(await addressInFile(join(M, "gcc/prog"), "a.c", "counter"));
  });

  it("Module.symvers marks symbols exported", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-symvers-"));
    const symvers = join(dir, "Module.symvers");
    await writeFile(symvers, "0x12345678\tc_hidden_global\tvmlinux\tEXPORT_SYMBOL_GPL\t\n");
    const report = await run({ symvers });
    expect(report.references.map((r) => r.name)).not.toContain("c_hidden_global");
    expect(report.inputs.find((i) => i.role === "symvers")?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("System.map gives the same decisions as kallsyms", async () => {
    const a = await run();
    const b = await matchPatch({
      orig: join(M, "gcc/orig"),
      patched: join(M, "gcc/patched"),
      systemMap: join(M, "gcc/System.map"),
    });
    const pairs = (r: MatchReport) => r.objects.flatMap((o) => o.functions.map((f) => [f.name, f.target]));
    expect(pairs(b)).toEqual(pairs(a));
  });

  it("flags the truly undecidable twin (same code, no unique neighbour) as ambiguous, no pair", async () => {
    const report = await matchPatch({
      orig: join(M, "gcc/orig/e.o"),
      patched: join(M, "gcc/patched-twin/e.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
    });
    const f = fn(report, "e.o", "twin");
    expect(f.decision).toBe("ambiguous");
    expect(f.target).toBeNull();
    expect(f.candidates.map((c) => c.name)).toEqual(["twin", "twin"]);
    expect(f.candidates.every((c) => !c.chosen && c.score === 0)).toBe(true);
    expect(f.flags.map((x) => x.code)).toEqual(["AMBIGUOUS"]);
    expect(report.objects[0]!.verdict).toBe("ambiguous");
  });

  it("a kernel built differently (another clone number) is NOT_FOUND with BUILD_MISMATCH and the near miss", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-mismatch-"));
    const table = join(dir, "kallsyms");
    const text = await readFile(join(M, "gcc/kallsyms.txt"), "utf8");
    await writeFile(table, text.replace(/ b_solo$/m, " b_solo.constprop.0"));
    const report = await run({ kallsyms: table });
    const f = fn(report, "b.o", "b_solo");
    expect(f.decision).toBe("not-found");
    expect(f.flags.map((x) => x.code).sort()).toEqual(["BUILD_MISMATCH", "NOT_FOUND"]);
    expect(f.flags.find((x) => x.code === "BUILD_MISMATCH")?.message).toContain("b_solo.constprop.0");
  });

  it("a module that is not loaded is OBJECT_NOT_LOADED", async () => {
    const report = await run({ objname: "no-such-mod" });
    const f = fn(report, "b.o", "b_solo");
    expect(f.decision).toBe("not-loaded");
    expect(f.flags[0]?.code).toBe("OBJECT_NOT_LOADED");
    expect(report.objects[0]!.objname).toBe("no_such_mod");
  });

  it("is deterministic: two runs render byte-identical JSON", async () => {
    expect(renderMatchJson(await run())).toBe(renderMatchJson(await run()));
  });
});

describe("matchPatch on the clang ThinLTO fixture", () => {
  const kallsyms = join(M, "clang/kallsyms.txt");

  it("decides a promoted static by its ThinLTO hash, and a plain static by neighbourhood", async () => {
    const report = await matchPatch({
      orig: join(M, "clang/orig"),
      patched: join(M, "clang/patched"),
      kallsyms,
    });
    const objA = report.objects.find((o) => o.orig.endsWith("a.o"))!;
    const promoted = objA.functions.find((f) => f.name.startsWith("helper.llvm."))!;
    expect(promoted.decision).toBe("llvm-identity");
    expect(promoted.candidates.length).toBe(3);
    expect(promoted.target?.address).toBe(await addressInFile(join(M, "clang/prog"), "a.c", promoted.name));
    const cmp = fn(report, "a.o", "cmp");
    expect(cmp.decision).toBe("neighbourhood");
    expect(cmp.target?.address).toBe(await addressInFile(join(M, "clang/prog"), "a.c", "cmp"));
    // no --kernel on an LTO table: the exact rule is assumed, and said so
    expect(report.flags.map((f) => f.code)).toContain("LTO_RULE_ASSUMED");
  });

  it("emits the .llvm. name in the form each kernel era compares, and each pair resolves to the same symbol", async () => {
    const table = await loadKernelSymbols({ kallsyms });
    const seen = new Set<string>();
    for (const rule of ["exact", "first-dot", "exact-or-llvm", "llvm-stripped"] as const) {
      const report = await matchPatch({
        orig: join(M, "clang/orig/a.o"),
        patched: join(M, "clang/patched/a.o"),
        kallsyms,
        rule,
      });
      const f = report.objects[0]!.functions.find((x) => x.name.startsWith("helper.llvm."))!;
      expect(f.target, rule).not.toBeNull();
      expect(report.rule.name).toBe(rule);
      expect(report.flags.map((x) => x.code)).not.toContain("LTO_RULE_ASSUMED");
      // exact kernels need the full name; every other era compares the stripped one
      expect(f.target!.oldName).toBe(rule === "exact" ? f.name : "helper");
      const back = resolve(table, "vmlinux", f.target!.oldName, f.target!.oldSympos, rule);
      expect(back.ok && `0x${back.symbol.address!.toString(16)}`).toBe(f.target!.address);
      seen.add(`${f.target!.oldName},${f.target!.oldSympos}`);
    }
    expect(seen.size).toBe(2);
  });
});

describe("matchPatch on a module target", () => {
  it("takes the objname from the build tree's .mod file and counts in the module's symtab order", async () => {
    const kallsyms = join(M, "module/kallsyms.txt");
    const report = await matchPatch({
      orig: join(M, "module/orig"),
      patched: join(M, "module/patched"),
      kallsyms,
    });
    expect(report.objects.map((o) => [o.objname, o.objnameFrom])).toEqual([
      ["fixmod", "fixmod.mod"],
      ["fixmod", "fixmod.mod"],
    ]);
    const text = await readFile(kallsyms, "utf8");
    const lines = text.split("\n").filter((l) => l.endsWith("\t[fixmod]"));
    const helpers = lines
      .filter((l) => / t helper\t/.test(l))
      .map((l) => `0x${BigInt(`0x${l.split(" ")[0]}`).toString(16)}`);
    // symtab order is not address order in this module
    const addresses = lines.map((l) => BigInt(`0x${l.split(" ")[0]}`));
    expect(addresses.some((a, i) => i > 0 && a < addresses[i - 1]!)).toBe(true);
    // a.o is linked first, so its locals lead the symtab: a.c's helper is the first helper line
    const f = fn(report, "a.o", "helper");
    expect(f.target).toMatchObject({ objname: "fixmod", oldName: "helper", oldSympos: 1 });
    expect(f.target!.address).toBe(helpers[0]);
    expect(f.decision).toBe("neighbourhood");
  });
});

describe("matchPatch flags from the kernel's lookup", () => {
  async function withTable(edit: (text: string) => string, source = "gcc/kallsyms.txt"): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-table-"));
    const path = join(dir, "kallsyms");
    await writeFile(path, edit(await readFile(join(M, source), "utf8")));
    return path;
  }

  it("STATIC_LOCAL_COLLISION: under first-dot a clang static local `func.var` counts toward func's sympos", async () => {
    const kallsyms = await withTable((t) => `${t}0000000000202600 d b_solo.calls\n`, "clang/kallsyms.txt");
    const run = (rule: string) =>
      matchPatch({ orig: join(M, "clang/orig/b.o"), patched: join(M, "clang/patched/b.o"), kallsyms, rule });
    const exact = fn(await run("exact"), "b.o", "b_solo");
    expect(exact.target).toMatchObject({ oldName: "b_solo", oldSympos: 0 });
    expect(exact.flags.map((f) => f.code)).not.toContain("STATIC_LOCAL_COLLISION");
    const firstDot = fn(await run("first-dot"), "b.o", "b_solo");
    expect(firstDot.target).toMatchObject({ oldName: "b_solo", oldSympos: 1 });
    expect(firstDot.flags.find((f) => f.code === "STATIC_LOCAL_COLLISION")?.message).toContain(
      "b_solo.calls",
    );
  });

  it("TARGET_REFUSED: a function in vmlinux init text resolves, but ftrace can't use it after boot", async () => {
    const kallsyms = await withTable((t) =>
      t
        .replace(/^(\S+) T b_solo$/m, (line, addr: string) => `${addr} T _sinittext\n${line}`)
        .replace(/^(\S+) T beta_second$/m, (line, addr: string) => `${addr} T _einittext\n${line}`),
    );
    const report = await matchPatch({
      orig: join(M, "gcc/orig/b.o"),
      patched: join(M, "gcc/patched/b.o"),
      kallsyms,
    });
    const f = fn(report, "b.o", "b_solo");
    expect(f.target).not.toBeNull();
    expect(f.flags.find((x) => x.code === "TARGET_REFUSED")?.message).toContain(
      "failed to find location for function 'b_solo'",
    );
    expect(report.objects[0]!.verdict).toBe("failed");
  });

  it("UNSUPPORTED_CHANGE and NO_CHANGE come from the diff step's verdict", async () => {
    const same = await matchPatch({
      orig: join(M, "gcc/orig/c.o"),
      patched: join(M, "gcc/patched/c.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
      objname: "vmlinux",
    });
    expect(same.objects[0]!.verdict).toBe("no-change");
    expect(same.objects[0]!.flags.map((f) => f.code)).toEqual(["NO_CHANGE"]);
    expect(same.summary.functions).toBe(0);
  });

  it("a ThinLTO hash the kernel does not carry warns BUILD_MISMATCH and falls back to the neighbourhood", async () => {
    const kallsyms = await withTable(
      (t) => t.replace(/helper\.llvm\.\d+/g, (m) => `${m}0`),
      "clang/kallsyms.txt",
    );
    const report = await matchPatch({
      orig: join(M, "clang/orig/a.o"),
      patched: join(M, "clang/patched/a.o"),
      kallsyms,
    });
    const f = report.objects[0]!.functions.find((x) => x.name.startsWith("helper.llvm."))!;
    expect(f.flags.find((x) => x.code === "BUILD_MISMATCH")?.severity).toBe("warning");
    expect(f.evidence.find((e) => e.kind === "llvm-identity")?.result).toBe("inconclusive");
    // whatever follows, never a pair naming another file's copy
    if (f.target !== null)
      expect(f.target.address).toBe(await addressInFile(join(M, "clang/prog"), "a.c", f.name));
  });
});

describe("matchPatch on a change the diff step refuses", () => {
  it("UNSUPPORTED_CHANGE (no patchable entry without -pg -mfentry): error, no references", async () => {
    const report = await matchPatch({
      orig: join(M, "gcc/no-fentry/orig/b.o"),
      patched: join(M, "gcc/no-fentry/patched/b.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
      objname: "vmlinux",
    });
    const o = report.objects[0]!;
    expect(o.verdict).toBe("unsupported");
    expect(o.diffVerdict).toBe("unsupported");
    expect(o.flags.map((f) => [f.code, f.severity])).toEqual([["UNSUPPORTED_CHANGE", "error"]]);
    expect(o.flags[0]!.message).toContain("b_solo");
    expect(report.references).toEqual([]);
  });
});

describe("matchPatch: a choice from the edge of a block", () => {
  it("is withdrawn when the kernel also has a clone of the name (the object's copy may be that)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-clone-"));
    const kallsyms = join(dir, "kallsyms");
    const text = await readFile(join(M, "gcc/kallsyms.txt"), "utf8");
    const plain = await matchPatch({
      orig: join(M, "gcc/orig/b.o"),
      patched: join(M, "gcc/patched/b.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
    });
    const before = plain.references.find((r) => r.name === "helper")!;
    expect(before.candidates.find((c) => c.chosen)?.placement).toBe("edge");
    await writeFile(kallsyms, `${text}0000000000401400 t helper.constprop.0\n`);
    const report = await matchPatch({
      orig: join(M, "gcc/orig/b.o"),
      patched: join(M, "gcc/patched/b.o"),
      kallsyms,
    });
    const after = report.references.find((r) => r.name === "helper")!;
    expect(after.klpSym).toBeNull();
    expect(after.decision).toBe("ambiguous");
    expect(after.flags.map((f) => f.code).sort()).toEqual(["AMBIGUOUS", "BUILD_MISMATCH"]);
    expect(after.evidence.find((e) => e.kind === "near-miss")?.detail).toContain("helper.constprop.0");
  });
});

describe("matchPatch with --vmlinux (STT_FILE blocks)", () => {
  it("decides the twin that kallsyms alone can't: the block of the orig object's own file", async () => {
    const report = await matchPatch({
      orig: join(M, "gcc/orig/e.o"),
      patched: join(M, "gcc/patched-twin/e.o"),
      vmlinux: join(M, "gcc/prog"),
    });
    const f = fn(report, "e.o", "twin");
    expect(f.decision).toBe("file-block");
    expect(f.target?.address).toBe(await addressInFile(join(M, "gcc/prog"), "e.c", "twin"));
    expect(f.candidates.map((c) => c.fileBlock?.file)).toEqual(["e.c", "f.c"]);
    expect(report.kernel.source).toBe("vmlinux");
  });

  it("agrees with the neighbourhood on the demo, and kallsyms stays the table when both are given", async () => {
    const both = await matchPatch({
      orig: join(M, "gcc/orig"),
      patched: join(M, "gcc/patched"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
      vmlinux: join(M, "gcc/prog"),
    });
    const helper = fn(both, "a.o", "helper");
    expect(helper.decision).toBe("neighbourhood");
    expect(helper.evidence.find((e) => e.kind === "file-block")?.result).toBe("supports");
    expect(both.kernel.source).toBe("kallsyms");
  });
});

describe("matchPatch against a module .ko (--module-file)", () => {
  const ko = join(M, "module/fixmod.ko");
  const pair = {
    orig: join(M, "module/orig/a.o"),
    patched: join(M, "module/patched/a.o"),
    objname: "fixmod",
  };

  it("without addresses, the .ko's STT_FILE blocks place a.c's helper where symtab order alone can't", async () => {
    const report = await matchPatch({ ...pair, moduleFiles: [ko] });
    const f = fn(report, "a.o", "helper");
    // a.o is linked first: its locals, a.c's helper with them, lead the .ko symtab
    expect(f.decision).toBe("file-block");
    expect(f.target).toMatchObject({ objname: "fixmod", oldName: "helper", oldSympos: 1 });
    expect(f.evidence.find((e) => e.kind === "neighbourhood")?.result).toBe("inconclusive");
    expect(f.evidence.find((e) => e.kind === "file-block")).toMatchObject({ result: "decides" });
    expect(f.candidates.map((c) => c.placement)).not.toContain("enclosed");
    expect(report.flags.map((x) => x.code)).toContain("HIDDEN_ADDRESSES");
    expect(f.candidates.every((c) => c.sizeFits === null && c.address === null)).toBe(true);
  });

  it("a .ko that is not the loaded module's build gives no file blocks: ambiguous, never a wrong pair", async () => {
    // the loaded fixmod lacks a symbol the .ko has: positions no longer line up
    const text = (await readFile(join(M, "module/kallsyms.txt"), "utf8")).replace(
      /^.* b_table\t\[fixmod\]\n/m,
      "",
    );
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-rebuilt-"));
    const kallsyms = join(dir, "kallsyms.txt");
    await writeFile(kallsyms, text.replace(/^[0-9a-f]{16}/gm, "0000000000000000"));
    const report = await matchPatch({ ...pair, kallsyms, moduleFiles: [ko] });
    const f = fn(report, "a.o", "helper");
    expect(f.decision).toBe("ambiguous");
    expect(f.target).toBeNull();
    expect(f.evidence.find((e) => e.kind === "file-block")?.detail).toContain("another build");
  });

  it("the report's inputs hash the module file as it is on disk", async () => {
    const report = await matchPatch({ ...pair, moduleFiles: [ko] });
    const onDisk = createHash("sha256")
      .update(await readFile(ko))
      .digest("hex");
    expect(report.inputs.find((i) => i.role === "module")).toEqual({
      role: "module",
      path: ko,
      sha256: onDisk,
    });
  });

  it("with the module's kallsyms, decides, and warns of the .ko's init-section symbol of that name", async () => {
    const report = await matchPatch({ ...pair, kallsyms: join(M, "module/kallsyms.txt"), moduleFiles: [ko] });
    const f = fn(report, "a.o", "helper");
    expect(f.target).toMatchObject({ objname: "fixmod", oldName: "helper", oldSympos: 1 });
    expect(f.flags.find((x) => x.code === "INIT_SYMBOL_HAZARD")?.message).toContain(
      "1 init-section symbol(s) named 'helper'",
    );
    expect(fn(report, "a.o", "cmp").flags.map((x) => x.code)).not.toContain("INIT_SYMBOL_HAZARD");
  });
});

describe("matchPatch on one object pair without --objname: which object it is built into", () => {
  const kallsyms = join(M, "module/kallsyms.txt");
  const objectCodes = (report: MatchReport) => report.objects[0]!.flags.map((x) => x.code);

  /**
   * An orig and a patched build tree under one temporary top: `object` (a path in each tree) is a
   * copy of the fixture object `from` (a path with %s for orig/patched), `files` are written as
   * given into both. Returns the top and the object pair.
   */
  async function buildTrees(object: string, from: string, files: Record<string, string>) {
    const top = await mkdtemp(join(tmpdir(), "klpmatch-objname-"));
    for (const side of ["orig", "patched"]) {
      await mkdir(dirname(join(top, side, object)), { recursive: true });
      await copyFile(join(M, from.replace("%s", side)), join(top, side, object));
      for (const [path, text] of Object.entries(files)) await writeFile(join(top, side, path), text);
    }
    return { top, orig: join(top, "orig", object), patched: join(top, "patched", object) };
  }

  it("a module's object: the .mod file beside it names the module", async () => {
    const report = await matchPatch({
      orig: join(M, "module/orig/a.o"),
      patched: join(M, "module/patched/a.o"),
      kallsyms,
    });
    expect(report.objects[0]!.objname).toBe("fixmod");
    expect(report.objects[0]!.objnameFrom).toMatch(/fixtures\/match\/module\/orig\/fixmod\.mod$/);
    expect(fn(report, "a.o", "helper").target).toMatchObject({ objname: "fixmod", oldSympos: 1 });
    expect(objectCodes(report)).not.toContain("OBJNAME_ASSUMED");
  });

  it("an object in a subdirectory of the module's, listed from the build's top (Kbuild ≥ 5.x)", async () => {
    const { top, orig, patched } = await buildTrees("drivers/fix/sub/a.o", "module/%s/a.o", {
      "drivers/fix/fix-mod.mod": "drivers/fix/sub/a.o drivers/fix/b.o\n",
      "Module.symvers": "",
    });
    const report = await matchPatch({ orig, patched, kallsyms });
    // module names use '_' where the .mod file's name has '-'
    expect(report.objects[0]!.objname).toBe("fix_mod");
    // a path from the top counts only under a build's top: without Module.symvers there, none is
    await rm(join(top, "orig", "Module.symvers"));
    const untopped = await matchPatch({ orig, patched, kallsyms });
    expect(untopped.objects[0]!.objname).toBe("vmlinux");
    expect(untopped.objects[0]!.flags.map((x) => x.code)).toContain("OBJNAME_ASSUMED");
  });

  it("a subdirectory's own modules.order is no build top: the module's .mod above it still names it", async () => {
    const pair = await buildTrees("drivers/fix/sub/a.o", "module/%s/a.o", {
      // Kbuild writes a modules.order into every directory that builds modules
      "drivers/fix/sub/modules.order": "drivers/fix/sub/other.o\n",
      "drivers/fix/fixmod.mod": "drivers/fix/sub/a.o\n",
      "Module.symvers": "",
    });
    const report = await matchPatch({ orig: pair.orig, patched: pair.patched, kallsyms });
    expect(report.objects[0]!.objname).toBe("fixmod");
  });

  it("an object no .mod up to the build's top lists is built into vmlinux, with no flag", async () => {
    const pair = await buildTrees("fs/a.o", "gcc/%s/a.o", {
      // another module's .mod on the way up lists other objects only
      "other.mod": "drivers/other/x.o\n",
      ".config": "CONFIG_MODULES=y\n",
      Makefile: "",
    });
    const report = await matchPatch({
      orig: pair.orig,
      patched: pair.patched,
      kallsyms: join(M, "gcc/kallsyms.txt"),
    });
    expect(report.objects[0]!.objname).toBe("vmlinux");
    expect(report.objects[0]!.objnameFrom).toMatch(/^no \*\.mod up to the build's top .* lists it: vmlinux$/);
    expect(objectCodes(report)).not.toContain("OBJNAME_ASSUMED");
  });

  it("an object outside any build tree: vmlinux, flagged OBJNAME_ASSUMED (a warning)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-objname-"));
    await copyFile(join(M, "gcc/orig/a.o"), join(dir, "orig.o"));
    await copyFile(join(M, "gcc/patched/a.o"), join(dir, "patched.o"));
    const report = await matchPatch({
      orig: join(dir, "orig.o"),
      patched: join(dir, "patched.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
    });
    expect(report.objects[0]!.objname).toBe("vmlinux");
    const flag = report.objects[0]!.flags.find((x) => x.code === "OBJNAME_ASSUMED");
    expect(flag?.severity).toBe("warning");
    expect(flag?.message).toContain("give --objname");
    // --objname says it, and the warning goes
    const named = await matchPatch({
      orig: join(dir, "orig.o"),
      patched: join(dir, "patched.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
      objname: "vmlinux",
    });
    expect(objectCodes(named)).not.toContain("OBJNAME_ASSUMED");
  });
});
