// verify on the compiled fixtures (fixtures/verify): a stand-in vmlinux's kallsyms, a target module
// with init and notrace symbols, and livepatch objects of each kind.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readElf, readElfFile } from "../../elf/index.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import type { KernelTable } from "../../lib/kernel-table.js";
import { type LivepatchTargets, parseTargetList, readLivepatchTargets } from "../../lib/livepatch/index.js";
import { chooseRule } from "../../lib/rules.js";
import {
  type ModuleFileFacts,
  moduleFileFacts,
  type TargetVerdict,
  verifyTargets,
  vmlinuxCallSites,
} from "../../matcher/verify/index.js";
import { FIXTURES } from "../paths.js";

const DIR = join(FIXTURES, "verify");

let withModule: KernelTable;
let withoutModule: KernelTable;
let facts: ModuleFileFacts;

beforeAll(async () => {
  withModule = await loadKernelSymbols({ kallsyms: join(DIR, "kallsyms.txt") });
  withoutModule = await loadKernelSymbols({ kallsyms: join(DIR, "kallsyms-nomod.txt") });
  facts = moduleFileFacts(await readElfFile(join(DIR, "fxt_target.ko")));
});

function lp(name: string): LivepatchTargets {
  return readLivepatchTargets(readElf(new Uint8Array(readFileSync(join(DIR, name))), { path: name }));
}

function run(targets: LivepatchTargets, table: KernelTable, modules: ModuleFileFacts[] = []) {
  return verifyTargets(targets, { table, choice: chooseRule(table, {}), modules });
}

function codes(v: TargetVerdict): string[] {
  return v.flags.map((f) => f.code);
}

function byName(
  verdicts: readonly TargetVerdict[],
  objname: string,
  name: string,
  sympos: number,
): TargetVerdict {
  const v = verdicts.find(
    (x) => x.target.objname === objname && x.target.oldName === name && x.target.oldSympos === sympos,
  );
  if (v === undefined) throw new Error(`no verdict for ${objname}:${name},${sympos}`);
  return v;
}

describe("verify: klp_func targets against a kallsyms with the target module loaded", () => {
  it("gives each target the kernel's outcome, address and message", () => {
    const r = run(lp("lp_api.ko"), withModule, [facts]);
    const rows = r.verdicts.map((v) => [
      `${v.target.objname}:${v.target.oldName},${v.target.oldSympos}`,
      v.outcome,
      v.symbol?.address === undefined || v.symbol.address === null
        ? null
        : `0x${v.symbol.address.toString(16)}`,
      v.kernelMessage,
    ]);
    expect(rows).toEqual([
      ["vmlinux:fxt_unique,0", "resolved", "0x401160", null],
      ["vmlinux:fxt_dup,2", "resolved", "0x401190", null],
      [
        "vmlinux:fxt_dup,3",
        "position-not-found",
        null,
        "symbol position 3 for symbol 'fxt_dup' in object 'vmlinux' not found",
      ],
      ["vmlinux:fxt_gone,0", "not-found", null, "symbol 'fxt_gone' not found in symbol table"],
      ["vmlinux:fxt_root,2", "resolved", "0x402020", "failed to find location for function 'fxt_root'"],
      ["vmlinux:fxt_noinstr,0", "resolved", "0x4011c0", "failed to find location for function 'fxt_noinstr'"],
      ["fxt_target:fxt_dup,1", "resolved", "0xffffffffc0000010", null],
      [
        "fxt_target:fxt_notrace,0",
        "resolved",
        "0xffffffffc0000020",
        "failed to find location for function 'fxt_notrace'",
      ],
      ["fxt_target:fxt_mod_only,0", "resolved", "0xffffffffc0000000", null],
    ]);
    expect(codes(r.verdicts[2]!)).toEqual(["POSITION_NOT_FOUND"]);
    expect(codes(r.verdicts[3]!)).toEqual(["NOT_FOUND"]);
    expect(codes(r.verdicts[4]!)).toEqual(["FTRACE_REFUSED"]);
    expect(r.verdicts[5]!.flags[0]!.message).toContain(".noinstr.text");
    // the .ko's init-time list has a second fxt_dup in .init.text
    expect(codes(r.verdicts[6]!)).toEqual(["SYMPOS_ONE_UNIQUE", "INIT_SYMBOL_HAZARD"]);
    expect(r.verdicts[7]!.flags[0]!.message).toContain("records no ftrace call site");
    expect(r.verdicts[1]!.matches.map((m) => m.address)).toEqual([0x401140n, 0x401190n]);
  });

  it("predicts the first message: lookups of every object come before any ftrace registration", () => {
    const r = run(lp("lp_api.ko"), withModule, [facts]);
    expect(r.patch).toMatchObject({
      result: "refused",
      stage: "resolve",
      kernelMessage: "symbol position 3 for symbol 'fxt_dup' in object 'vmlinux' not found",
      deferred: [],
    });
    expect(r.patch.at).toMatch(/^objs\[0\]\.funcs\[2\]/);
  });

  it("without the module file, module call sites and init symbols are unknown: no verdict on them", () => {
    const r = run(lp("lp_api.ko"), withModule);
    expect(byName(r.verdicts, "fxt_target", "fxt_notrace", 0).kernelMessage).toBeNull();
    expect(codes(byName(r.verdicts, "fxt_target", "fxt_dup", 1))).toEqual(["SYMPOS_ONE_UNIQUE"]);
  });

  it("the i386 build gives the same verdicts", () => {
    const a = run(lp("lp_api.ko"), withModule, [facts]).verdicts.map((v) => [v.outcome, v.kernelMessage]);
    const b = run(lp("lp_api32.o"), withModule, [facts]).verdicts.map((v) => [v.outcome, v.kernelMessage]);
    expect(b).toEqual(a);
  });
});

describe("verify: a target module that is not loaded", () => {
  it("is 'not-loaded' and unchecked without its .ko", () => {
    const r = run(lp("lp_api.ko"), withoutModule);
    const mod = r.verdicts.filter((v) => v.target.objname === "fxt_target");
    expect(mod.map((v) => v.outcome)).toEqual(["not-loaded", "not-loaded", "not-loaded"]);
    expect(mod.every((v) => v.symbol === null && v.kernelMessage === null)).toBe(true);
    expect(codes(mod[0]!)).toEqual(["NOT_LOADED"]);
    expect(mod[0]!.flags[0]!.severity).toBe("warning");
    expect(r.patch.deferred).toEqual(["fxt_target"]);
  });

  it("with --module-file, is checked against the module's init-time list, where init symbols count", () => {
    const r = run(lp("lp_api.ko"), withoutModule, [facts]);
    const dup = byName(r.verdicts, "fxt_target", "fxt_dup", 1);
    expect(dup.outcome).toBe("not-loaded");
    // position 1 at init time is the .init.text fxt_dup of target_a.c, not the core one
    expect(dup.onLoad?.outcome).toBe("resolved");
    expect(dup.onLoad?.symbol?.name).toBe("fxt_dup");
    expect(facts.init[dup.onLoad!.symbol!.position]!.init).toBe(true);
    expect(codes(dup)).toEqual(["NOT_LOADED", "INIT_SYMBOL_HAZARD"]);
    expect(dup.flags[0]!.severity).toBe("info");
    const notrace = byName(r.verdicts, "fxt_target", "fxt_notrace", 0);
    expect(notrace.onLoad?.kernelMessage).toBe("failed to find location for function 'fxt_notrace'");
    expect(codes(notrace)).toContain("FTRACE_REFUSED");
    expect(byName(r.verdicts, "fxt_target", "fxt_mod_only", 0).onLoad?.kernelMessage).toBeNull();
    // the first refusal when fxt_target loads later: ftrace on fxt_notrace (lookups all pass)
    expect(r.patch.whenLoaded).toEqual([
      {
        objname: "fxt_target",
        kernelMessage: "failed to find location for function 'fxt_notrace'",
        at: notrace.target.source,
      },
    ]);
  });

  it("flags a module file that is not the loaded module", () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-verify-"));
    copyFileSync(join(DIR, "lp_kpatch.ko"), join(dir, "fxt_target.ko"));
    return readElfFile(join(dir, "fxt_target.ko")).then((elf) => {
      const r = run(lp("lp_api.ko"), withModule, [moduleFileFacts(elf)]);
      expect(r.flags.map((f) => f.code)).toContain("MODULE_FILE_MISMATCH");
      // its (absent) call sites are not used for the loaded module
      expect(byName(r.verdicts, "fxt_target", "fxt_notrace", 0).kernelMessage).toBeNull();
    });
  });
});

describe("verify: .klp.sym references and .kpatch.funcs", () => {
  it("resolves references without ftrace checks; a failing vmlinux reference fails the module load", () => {
    const r = run(lp("lp_klpsym.ko"), withModule, [facts]);
    const refs = r.verdicts.filter((v) => v.target.origin === "klp.sym");
    expect(refs.map((v) => [v.target.oldName, v.outcome])).toEqual([
      ["fxt_dup", "resolved"],
      ["fxt_counter", "resolved"],
      ["fxt_gone", "not-found"],
      ["fxt_dup", "position-not-found"],
      ["fxt_dup", "resolved"],
      ["fxt_mod_data", "resolved"],
    ]);
    // data is fine for a reference
    expect(refs[1]!.kernelMessage).toBeNull();
    expect(refs[5]!.kernelMessage).toBeNull();
    expect(r.patch).toMatchObject({
      result: "refused",
      stage: "load",
      kernelMessage: "symbol 'fxt_gone' not found in symbol table",
    });
  });

  it("checks .kpatch.funcs entries like klp_func", () => {
    const r = run(lp("lp_kpatch.ko"), withModule);
    expect(r.verdicts.map((v) => v.outcome)).toEqual(["resolved", "resolved", "position-not-found"]);
    expect(r.patch.kernelMessage).toBe(
      "symbol position 3 for symbol 'fxt_dup' in object 'vmlinux' not found",
    );
  });
});

describe("verify: hazards on target lists", () => {
  const list = (tsv: string) => parseTargetList("list.tsv", tsv);

  it("per-CPU symbols count and sort first: sympos 1 reaches one and the size lookup fails", () => {
    const r = run(list("vmlinux fxt_percpu_clash 1\nvmlinux fxt_percpu_clash 2\n"), withModule);
    const [one, two] = r.verdicts as [TargetVerdict, TargetVerdict];
    const zero = run(list("vmlinux fxt_percpu_clash 0\n"), withModule).verdicts[0]!;
    expect(one.outcome).toBe("resolved");
    expect(one.kernelMessage).toBe("kallsyms size lookup failed for 'fxt_percpu_clash'");
    expect(codes(one)).toEqual(["SIZE_LOOKUP_FAILED"]);
    expect(two.kernelMessage).toBeNull();
    expect(zero.kernelMessage).toBe(
      "unresolvable ambiguity for symbol 'fxt_percpu_clash' in object '(null)'",
    );
    expect(r.patch).toMatchObject({ stage: "resolve", kernelMessage: one.kernelMessage });
  });

  it("a per-CPU symbol is a fine .klp.sym reference target", () => {
    const r = run(list("vmlinux fxt_percpu_clash 1 reference\n"), withModule);
    expect(r.verdicts[0]!.kernelMessage).toBeNull();
    expect(r.patch.result).toBe("accepted");
  });

  it("init text: resolves, then ftrace has no location (its records are freed after boot)", () => {
    const r = run(list("vmlinux fxt_init_fn 0\n"), withModule);
    expect(r.verdicts[0]!.kernelMessage).toBe("failed to find location for function 'fxt_init_fn'");
    expect(r.verdicts[0]!.flags[0]!.message).toContain("init text");
    expect(r.patch.stage).toBe("ftrace");
  });

  it("old_sympos 0 and 1 name the same sysfs entry: a duplicate function", () => {
    const r = run(list("vmlinux fxt_unique 0\nvmlinux fxt_unique 1\n"), withModule);
    expect(codes(r.verdicts[1]!)).toContain("DUPLICATE_TARGET");
    expect(r.patch.kernelMessage).toBe(
      "sysfs: cannot create duplicate filename '/kernel/livepatch/<patch>/vmlinux/fxt_unique,1'",
    );
  });

  it("a .llvm. name whose hash the kernel no longer has: not found, kernel rebuilt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-verify-"));
    const path = join(dir, "kallsyms");
    writeFileSync(
      path,
      "ffffffff81000000 T _stext\nffffffff81000100 t helper.llvm.111\nffffffff81000200 t helper.llvm.222\nffffffff81000300 t other\n",
    );
    const table = await loadKernelSymbols({ kallsyms: path });
    const r = run(list("vmlinux helper.llvm.333 0\nvmlinux helper.llvm.222 0\n"), table);
    expect(codes(r.verdicts[0]!)).toEqual(["NOT_FOUND", "KERNEL_REBUILT"]);
    expect(r.verdicts[0]!.flags[1]!.message).toContain("'helper.llvm.111', 'helper.llvm.222'");
    expect(r.verdicts[1]!.outcome).toBe("resolved");
    expect(r.flags.map((f) => f.code)).toContain("LTO_RULE_ASSUMED");
  });

  it("the 6.5.1–6.10.6 LTO rule: a dotted query is unreliable there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-verify-"));
    const path = join(dir, "kallsyms");
    writeFileSync(
      path,
      "ffffffff81000000 T _stext\nffffffff81000100 t helper.llvm.111\nffffffff81001000 d cfg.llvm.222\n",
    );
    const table = await loadKernelSymbols({ kallsyms: path });
    const r = verifyTargets(list("vmlinux helper 0\nvmlinux helper.llvm.111 0\nvmlinux cfg 0\n"), {
      table,
      choice: chooseRule(table, { kernel: "6.8.0" }),
    });
    expect(r.verdicts[0]!.outcome).toBe("resolved");
    expect(r.verdicts[0]!.symbol?.name).toBe("helper.llvm.111");
    expect(r.verdicts[1]!.outcome).toBe("not-found");
    expect(codes(r.verdicts[1]!)).toContain("UNRELIABLE_QUERY");
    // the kernel prints func->old_name, not the kallsyms name it reached
    expect(r.verdicts[2]!.kernelMessage).toBe("failed to find location for function 'cfg'");
  });
});

describe("verify --expect", () => {
  const targets = () =>
    parseTargetList("list.tsv", "vmlinux fxt_dup 2\nvmlinux fxt_unique 0\nvmlinux fxt_counter 0 reference\n");

  it("agrees when each target reaches the expected symbol in kernel order, whatever its address; flags mismatches, missing and uncovered entries", () => {
    const r = verifyTargets(targets(), {
      table: withModule,
      choice: chooseRule(withModule, {}),
      expected: [
        {
          role: "function",
          objname: "vmlinux",
          oldName: "fxt_dup",
          oldSympos: 2,
          address: 0x401190n,
          type: "t",
          position: null,
          source: "r.json: a",
        },
        {
          role: "function",
          objname: "vmlinux",
          oldName: "fxt_unique",
          // recorded from a boot with another KASLR offset: the address is no identity
          oldSympos: 0,
          address: 0xffffffff81401160n,
          type: null,
          position: null,
          source: "r.json: b",
        },
        {
          role: "function",
          objname: "vmlinux",
          oldName: "fxt_other",
          oldSympos: 0,
          address: null,
          type: null,
          position: null,
          source: "r.json: c",
        },
      ],
    });
    expect(r.verdicts[0]!.expected).toMatchObject({ agrees: true, by: "kernel order and type" });
    expect(r.verdicts[1]!.expected).toMatchObject({ agrees: true, by: "kernel order" });
    expect(codes(r.verdicts[1]!)).toEqual([]);
    expect(codes(r.verdicts[2]!)).toEqual(["EXPECT_MISSING"]);
    expect(r.flags.map((f) => f.code)).toEqual(["EXPECT_UNCOVERED"]);
  });

  it("another sympos of the same name is a mismatch, its message naming both symbols", () => {
    const r = verifyTargets(targets(), {
      table: withModule,
      choice: chooseRule(withModule, {}),
      expected: [
        {
          role: "function",
          objname: "vmlinux",
          oldName: "fxt_dup",
          oldSympos: 1,
          address: null,
          type: null,
          position: null,
          source: "r.json: a",
        },
      ],
    });
    expect(r.verdicts[0]!.expected).toMatchObject({ agrees: false, by: "kernel order" });
    expect(codes(r.verdicts[0]!)).toEqual(["EXPECT_MISMATCH"]);
    expect(r.verdicts[0]!.flags[0]!.message).toMatch(
      /^fxt_dup,2 resolves to .*, but r\.json: a expects fxt_dup,1 \(/,
    );
  });
});

describe("verify with the vmlinux's recorded ftrace call sites (--vmlinux)", () => {
  const list = () =>
    parseTargetList(
      "list.tsv",
      "vmlinux fxt_notrace_k 0\nvmlinux fxt_unique 0\nvmlinux fxt_dup 2\nvmlinux fxt_root 2\n",
    );

  it("reads __mcount_loc and the text anchor; a vmlinux built without -mrecord-mcount records none", async () => {
    const calls = vmlinuxCallSites(await readElfFile(join(DIR, "fxt_vmlinux_ftrace")));
    expect(calls).not.toBeNull();
    expect(calls!.sites.length).toBeGreaterThan(8);
    expect([...calls!.sites]).toEqual([...calls!.sites].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(calls!.anchor?.name).toBe("_start");
    expect(vmlinuxCallSites(await readElfFile(join(DIR, "fxt_vmlinux")))).toBeNull();
  });

  for (const [what, source] of [
    ["the vmlinux itself as the table", { vmlinux: "fxt_vmlinux_ftrace" }],
    ["a KASLR-shifted kallsyms of it", { kallsyms: "kallsyms-ftrace-kaslr.txt" }],
  ] as const) {
    it(`refuses a function without a call site: ${what}`, async () => {
      const table = await loadKernelSymbols(
        "vmlinux" in source
          ? { vmlinux: join(DIR, source.vmlinux) }
          : { kallsyms: join(DIR, source.kallsyms) },
      );
      const calls = vmlinuxCallSites(await readElfFile(join(DIR, "fxt_vmlinux_ftrace")));
      const r = verifyTargets(list(), { table, choice: chooseRule(table, {}), vmlinuxCalls: calls });
      expect(r.verdicts.map((v) => v.kernelMessage)).toEqual([
        "failed to find location for function 'fxt_notrace_k'",
        null,
        null,
        "failed to find location for function 'fxt_root'",
      ]);
      expect(r.verdicts[0]!.flags[0]!.message).toContain("records no ftrace call site in 'fxt_notrace_k'");
      // without the call sites, nothing says fxt_notrace_k cannot be traced
      const blind = verifyTargets(list(), { table, choice: chooseRule(table, {}) });
      expect(blind.verdicts[0]!.kernelMessage).toBeNull();
    });
  }
});

describe("verify: the kernel's order of messages for .klp.rela sections of a module", () => {
  it("a module's .klp.rela section using a vmlinux symbol fails when that module's object is initialized", () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, "lp_klpsym.ko")));
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const at = buf.indexOf(".klp.sym.fxt_target.fxt_mod_data,0", 0, "latin1");
    expect(at).toBeGreaterThan(0);
    buf.write(".klp.sym.vmlinux.fxtfxt_mod_data,0", at, "latin1");
    const targets = readLivepatchTargets(readElf(bytes, { path: "lp_klpsym.ko" }));
    // drop the failing vmlinux references, so the module-object stage is reached
    const kept = {
      ...targets,
      targets: targets.targets.filter((t) => t.oldName !== "fxt_gone" && t.oldSympos !== 3),
    };
    const r = run(kept, withModule, [facts]);
    expect(r.patch).toMatchObject({
      result: "refused",
      stage: "resolve",
      kernelMessage:
        "invalid access to vmlinux symbol 'fxtfxt_mod_data' from module-specific livepatch relocation section",
    });
  });
});

describe("verify: klp_object problems klp_init_object() refuses", () => {
  it("two objects of one name, and a module name of MODULE_NAME_LEN or more", () => {
    const base = parseTargetList("l.tsv", "vmlinux fxt_unique 0\n");
    const dup = run({ ...base, moduleName: "lp_x", objects: ["vmlinux", "vmlinux"] }, withModule);
    expect(dup.flags.map((f) => f.code)).toEqual(["DUPLICATE_OBJECT"]);
    expect(dup.patch.kernelMessage).toBe(
      "sysfs: cannot create duplicate filename '/kernel/livepatch/lp_x/vmlinux'",
    );
    const long = "m".repeat(56);
    const tooLong = run({ ...parseTargetList("l.tsv", `${long} f 0\n`) }, withModule);
    expect(tooLong.flags.map((f) => f.code)).toContain("OBJNAME_TOO_LONG");
    expect(tooLong.patch).toMatchObject({ result: "refused", at: "objs[0]" });
    expect(run(parseTargetList("l.tsv", `${"m".repeat(55)} f 0\n`), withModule).patch.result).toBe(
      "accepted",
    );
  });
});
