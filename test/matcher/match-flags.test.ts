// `match` flags that need a situation of their own: each driven through matchPatch on the compiled
// fixtures/match-flags objects (a gcc IPA clone, 520-character names, a reference to the linker's
// __per_cpu_start, a deleted function) against that program's own `nm -n` table, edited only to
// place the program in the situation the flag describes. RESOLVE_MISMATCH, which the pipeline
// can't reach (the pair comes from the very lookup it is checked with), is tested on its check.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import type { Flag } from "../../lib/flags.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import type { FunctionReport, MatchReport, ReferenceReport } from "../../lib/report/match-report.js";
import {
  checkedPair,
  type IdentifyContext,
  identify,
  profileObject,
  targetView,
} from "../../matcher/evidence/index.js";
import { klpSymNameMax, klpSymNotes, resolve } from "../../matcher/sympos.js";
import { matchPatch } from "../../pipeline/match.js";
import { FIXTURES } from "../paths.js";

const F = join(FIXTURES, "match-flags");
const MAP = join(F, "System.map");
const pair = { orig: join(F, "orig/flags.o"), patched: join(F, "patched/flags.o") };

async function tempFile(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "klpmatch-flags-")), name);
  await writeFile(path, text);
  return path;
}

/** The address the linked program's own table gives `name` (an oracle independent of the matcher). */
async function mapAddress(name: string): Promise<string> {
  const line = (await readFile(MAP, "utf8")).split("\n").find((l) => l.split(" ")[2] === name);
  if (line === undefined) throw new Error(`no ${name} in ${MAP}`);
  return `0x${BigInt(`0x${line.split(" ")[0]}`).toString(16)}`;
}

function fn(report: MatchReport, match: (name: string) => boolean): FunctionReport {
  const f = report.objects.flatMap((o) => o.functions).find((x) => match(x.name));
  if (f === undefined) throw new Error("no such function in the report");
  return f;
}

function ref(report: MatchReport, match: (name: string) => boolean): ReferenceReport {
  const r = report.references.find((x) => match(x.name));
  if (r === undefined) throw new Error("no such reference in the report");
  return r;
}

const codes = (flags: readonly { code: string; severity: string }[]) =>
  flags.map((f) => [f.code, f.severity]);
const isLong = (prefix: string) => (name: string) => name.startsWith(prefix) && name.length === 520;

describe("LTO_NAME_UNRELIABLE: a dotted old_name in a 6.2–6.10.6 clang-LTO kernel", () => {
  // any `.llvm.` name in vmlinux makes the table a clang-LTO kernel's
  const ltoMap = async () =>
    tempFile(
      "System.map",
      `${await readFile(MAP, "utf8")}0000000000404000 b stats.llvm.4185502697106095882\n`,
    );
  const run = async (kernel: string, systemMap: string) =>
    fn(await matchPatch({ ...pair, systemMap, kernel }), (n) => n === "scale.constprop.0");

  it("6.8 (llvm-stripped): the pair stands, with a warning that the dotted query may not be found", async () => {
    const systemMap = await ltoMap();
    const f = await run("6.8", systemMap);
    expect(f.target).toEqual({
      objname: "vmlinux",
      oldName: "scale.constprop.0",
      oldSympos: 0,
      address: await mapAddress("scale.constprop.0"),
    });
    expect(codes(f.flags)).toEqual([["LTO_NAME_UNRELIABLE", "warning"]]);
    expect(f.flags[0]!.message).toContain("6.5.1 – 6.10.6");
  });

  it("6.3 (first-dot) compares the name cut at its first dot: old_name 'scale', nothing unreliable", async () => {
    const systemMap = await ltoMap();
    const f = await run("6.3", systemMap);
    expect(f.target).toMatchObject({ oldName: "scale", oldSympos: 0 });
    expect(f.flags).toEqual([]);
    const table = await loadKernelSymbols({ systemMap });
    const back = resolve(table, "vmlinux", "scale", 0, "first-dot");
    expect(back.ok && `0x${back.symbol.address!.toString(16)}`).toBe(await mapAddress("scale.constprop.0"));
  });

  it("is not raised where the kernel compares exactly: 6.12 LTO, or 6.8 without LTO", async () => {
    for (const f of [await run("6.12", await ltoMap()), await run("6.8", MAP)]) {
      expect(f.target).toMatchObject({ oldName: "scale.constprop.0", oldSympos: 0 });
      expect(f.flags).toEqual([]);
    }
  });
});

describe("NAME_TOO_LONG: names the livepatch core can't take", () => {
  it("a 520-character function: klp_init_func() refuses the old_name, so no pair is emitted", async () => {
    // System.map (nm) lists it; scripts/kallsyms would drop it from a real kallsyms altogether
    const report = await matchPatch({ ...pair, systemMap: MAP });
    const f = fn(report, isLong("long_fn_"));
    expect(f.decision).toBe("unique");
    expect(f.target).toBeNull();
    expect(codes(f.flags)).toEqual([["NAME_TOO_LONG", "error"]]);
    expect(f.flags[0]!.message).toContain("old_name is 520 characters");
    expect(report.objects[0]!.verdict).toBe("failed");
  });

  it("a 520-character static referenced by a changed function: no .klp.sym name, which %511[^,] would cut", async () => {
    const report = await matchPatch({ ...pair, systemMap: MAP });
    const r = ref(report, isLong("long_var_"));
    expect(r.usedBy.map((u) => u.length)).toEqual([520]);
    expect(r.klpSym).toBeNull();
    expect(codes(r.flags)).toEqual([["NAME_TOO_LONG", "error"]]);
    expect(r.flags[0]!.message).toContain("longer than .klp.sym allows (511)");
    // a short static of the same object is expressed as usual
    expect(ref(report, (n) => n === "counter").klpSym).toBe(".klp.sym.vmlinux.counter,0");
  });

  it("a 200-character static: within the 511 of 6.1+, past the 127 of older kernels", async () => {
    const mid = async (kernel?: string) =>
      ref(await matchPatch({ ...pair, systemMap: MAP, ...(kernel !== undefined ? { kernel } : {}) }), (n) =>
        n.startsWith("mid_var_"),
      );
    const name = (await mid("6.12")).name;
    expect(name.length).toBe(200);
    // 6.12 parses %511[^,]: the reference is fine
    const modern = await mid("6.12");
    expect(modern.klpSym).toBe(`.klp.sym.vmlinux.${name},0`);
    expect(modern.flags).toEqual([]);
    // 5.15 parses %127[^,]: the name would be cut, so no reference
    const old = await mid("5.15");
    expect(old.klpSym).toBeNull();
    expect(codes(old.flags)).toEqual([["NAME_TOO_LONG", "error"]]);
    expect(old.flags[0]!.message).toContain("longer than .klp.sym allows before 6.1 (127)");
    // no version: the older limit is flagged, and the name stays for a 6.1+ kernel
    const unknown = await mid();
    expect(codes(unknown.flags)).toEqual([["NAME_TOO_LONG", "error"]]);
    expect(unknown.flags[0]!.message).toContain("the kernel's version was not given");
    expect(unknown.klpSym).toBe(`.klp.sym.vmlinux.${name},0`);
  });

  it("klpSymNameMax: 511 from 6.1, 127 before, null unknown", () => {
    expect([klpSymNameMax([6, 1, 0]), klpSymNameMax([7, 0, 0]), klpSymNameMax([6, 0, 19])]).toEqual([
      511, 511, 127,
    ]);
    expect(klpSymNameMax(null)).toBeNull();
    expect(klpSymNotes("vmlinux", "a".repeat(200), 511)).toEqual([]);
    expect(klpSymNotes("vmlinux", "a".repeat(512), 511).join()).toMatch(/allows \(511\)/);
  });

  it("a module whose name holds '.': .klp.sym.%55[^.] would read another object, so no reference", async () => {
    const lines = (await readFile(MAP, "utf8")).trimEnd().split("\n");
    const vmlinux = lines.filter((l) => /(__per_cpu_start|__fentry__|__ksymtab___fentry__)$/.test(l));
    const module = lines
      .filter(
        (l) =>
          /^\S+ [tTdDbBrR] /.test(l) &&
          !vmlinux.includes(l) &&
          !/ (_start|sink|_end|_edata|__bss_start)$/.test(l),
      )
      .map((l) => `${l}\t[fx.mod]`);
    const kallsyms = await tempFile("kallsyms", `${[...vmlinux, ...module].join("\n")}\n`);
    const report = await matchPatch({ ...pair, kallsyms, objname: "fx.mod" });
    expect(report.objects[0]!.objname).toBe("fx.mod");
    const counter = ref(report, (n) => n === "counter");
    expect(counter.objname).toBe("fx.mod");
    expect(counter.klpSym).toBeNull();
    expect(codes(counter.flags)).toEqual([["NAME_TOO_LONG", "error"]]);
    expect(counter.flags[0]!.message).toContain("object name 'fx.mod' contains '.'");
    // the functions themselves are klp_funcs of the object: no .klp.sym name involved
    expect(fn(report, (n) => n === "scale.constprop.0").target).toMatchObject({
      objname: "fx.mod",
      oldName: "scale.constprop.0",
    });
  });

  it("a name holding ',' can't be a .klp.sym reference (constructed table: C names hold no ',')", async () => {
    const table = await loadKernelSymbols({
      kallsyms: await tempFile(
        "kallsyms",
        "ffffffff81000000 T _stext\nffffffff81000100 d odd,name\nffffffff81000200 T _etext\n",
      ),
    });
    const ctx: IdentifyContext = {
      table,
      rule: "exact",
      profile: profileObject(await readElfFile(pair.orig)),
      view: (o) => {
        const obj = table.objects.get(o);
        return obj === undefined ? null : targetView(obj);
      },
      blocks: null,
      initLists: new Map(),
    };
    const query = { name: "odd,name", kind: "data", size: 0n, section: ".data", foreign: true } as const;
    const asRef = identify(ctx, "vmlinux", { ...query, reference: true });
    expect(codes(asRef.flags)).toEqual([["NAME_TOO_LONG", "error"]]);
    expect(asRef.flags[0]!.message).toContain("contains ','");
    // as a klp_func old_name a ',' is fine: no flag
    expect(identify(ctx, "vmlinux", { ...query, reference: false }).flags.map((f) => f.code)).not.toContain(
      "NAME_TOO_LONG",
    );
  });
});

describe("UNREACHABLE: no (old_name, old_sympos) reaches the symbol", () => {
  it("__per_cpu_start at address 0 (x86_64 SMP): the kernel's walk reads address 0 as 'not found'", async () => {
    const report = await matchPatch({ ...pair, systemMap: MAP });
    expect(await mapAddress("__per_cpu_start")).toBe("0x0");
    const r = ref(report, (n) => n === "__per_cpu_start");
    expect(r.usedBy).toEqual(["percpu_first"]);
    expect(r.decision).toBe("unique");
    expect(r.klpSym).toBeNull();
    expect(r.address).toBeNull();
    expect(codes(r.flags)).toEqual([["UNREACHABLE", "error"]]);
    expect(r.flags[0]!.message).toContain("address 0");
  });

  it("the same symbol at another per-CPU offset is reached as usual", async () => {
    const text = (await readFile(MAP, "utf8")).replace(
      /^0000000000000000 A __per_cpu_start$/m,
      "0000000000001000 A __per_cpu_start",
    );
    const report = await matchPatch({ ...pair, systemMap: await tempFile("System.map", text) });
    const r = ref(report, (n) => n === "__per_cpu_start");
    expect(r.klpSym).toBe(".klp.sym.vmlinux.__per_cpu_start,0");
    expect(r.flags).toEqual([]);
  });
});

describe("DELETED_FUNCTION", () => {
  it("a function the patch removes is reported for information, with no target", async () => {
    const report = await matchPatch({ ...pair, systemMap: MAP });
    const f = fn(report, (n) => n === "gone");
    expect(f.status).toBe("deleted");
    expect(f.decision).toBe("not-applicable");
    expect(f.target).toBeNull();
    expect(codes(f.flags)).toEqual([["DELETED_FUNCTION", "info"]]);
  });
});

describe("RESOLVE_MISMATCH: the safety net after positionOf", () => {
  // matchPatch can't reach it: identify takes the symbol from the object it then resolves in, and
  // positionOf counts with the same comparison resolve walks. The check is driven here with a
  // symbol of one object checked against another, the kind of slip the net exists for.
  it("a pair that resolves to another symbol is an error, and no pair is emitted", async () => {
    const table = await loadKernelSymbols({ kallsyms: join(FIXTURES, "match/module/kallsyms.txt") });
    const ctx: IdentifyContext = {
      table,
      rule: "exact",
      profile: profileObject(await readElfFile(join(FIXTURES, "match/module/orig/a.o"))),
      view: (o) => {
        const obj = table.objects.get(o);
        return obj === undefined ? null : targetView(obj);
      },
      blocks: null,
      initLists: new Map(),
    };
    const fixmod = table.objects.get("fixmod")!;
    const helper = fixmod.at(fixmod.positionsOf("helper")[0]!);
    const query = { name: "helper", kind: "text", size: 0n, section: ".text", reference: false } as const;

    const clean: Flag[] = [];
    const ok = checkedPair(ctx, "fixmod", helper, query, clean);
    expect(ok).toMatchObject({ objname: "fixmod", oldName: "helper", oldSympos: 1 });
    expect(clean).toEqual([]);

    const flags: Flag[] = [];
    expect(checkedPair(ctx, "vmlinux", helper, query, flags)).toBeNull();
    expect(codes(flags)).toEqual([["RESOLVE_MISMATCH", "error"]]);
    // (helper, 1) in vmlinux is vmlinux's own helper, not the module's
    const vmHelper = table.objects
      .get("vmlinux")!
      .at(table.objects.get("vmlinux")!.positionsOf("helper")[0]!);
    expect(flags[0]!.message).toContain(`resolves to t helper at 0x${vmHelper.address!.toString(16)}`);
    expect(flags[0]!.message).toContain(`not t helper at 0x${helper.address!.toString(16)}`);
  });
});
