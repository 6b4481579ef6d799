import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readKallsyms } from "../../lib/kallsyms.js";
import type { KernelTable } from "../../lib/kernel-table.js";
import { chooseRule, LOOKUP_RULES, type LookupRule } from "../../lib/rules.js";
import { readSystemMap } from "../../lib/system-map.js";
import {
  candidatesByRule,
  klpSymNotes,
  positionOf,
  resolve,
  sameSymbol,
  symposReport,
} from "../../matcher/sympos.js";
import { FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kernel");

function names(table: KernelTable, objname: string, name: string, rule: LookupRule): string[] {
  return candidatesByRule(table, objname, name, rule).map((s) => `${s.position}:${s.name}`);
}

function pairOf(table: KernelTable, objname: string, position: number, rule: LookupRule) {
  const symbol = table.objects.get(objname)!.at(position);
  const pair = positionOf(table, symbol, rule);
  if (!pair.ok) throw new Error(pair.reason);
  const r = resolve(table, objname, pair.oldName, pair.oldSympos, rule);
  expect(r.ok && sameSymbol(r.symbol, symbol)).toBe(true);
  return [pair.oldName, pair.oldSympos] as const;
}

describe("duplicates counted in kallsyms order", () => {
  test("init_once ×12 (6.18): each reachable by its 1-based rank, 0 is ambiguous", async () => {
    const table = await readKallsyms(join(K, "kallsyms-6.18-init_once.txt"));
    const positions = table.objects.get("vmlinux")!.positionsOf("init_once");
    positions.forEach((p, i) => {
      expect(pairOf(table, "vmlinux", p, "exact")).toEqual(["init_once", i + 1]);
    });
    const amb = resolve(table, "vmlinux", "init_once", 0, "exact");
    expect(amb).toMatchObject({ ok: false, outcome: "ambiguous" });
    expect(!amb.ok && amb.message).toBe("unresolvable ambiguity for symbol 'init_once' in object '(null)'");
    expect(!amb.ok && amb.matches).toHaveLength(12);
    const past = resolve(table, "vmlinux", "init_once", 13, "exact");
    expect(!past.ok && past.message).toBe(
      "symbol position 13 for symbol 'init_once' in object 'vmlinux' not found",
    );
    // the __pfx_ stubs have their own name and do not change the count
    expect(pairOf(table, "vmlinux", positions[0]! - 1, "exact")).toEqual(["__pfx_init_once", 1]);
    expect(resolve(table, "vmlinux", "proc_reg_open", 0, "exact")).toMatchObject({ ok: true, warning: null });
    expect(resolve(table, "vmlinux", "proc_reg_open", 1, "exact")).toMatchObject({ ok: true });
    expect(resolve(table, "vmlinux", "nope", 0, "exact")).toMatchObject({
      ok: false,
      outcome: "not-found",
      message: "symbol 'nope' not found in symbol table",
    });
  });

  test("type_show ×18 and a text+data set_root (Debian 6.12 System.map): every type counts", async () => {
    const table = await readSystemMap(join(K, "system-map-6.12-type_show.txt"));
    expect(names(table, "vmlinux", "type_show", "exact")).toHaveLength(18);
    const setRoot = candidatesByRule(table, "vmlinux", "set_root", "exact");
    expect(setRoot.map((s) => s.type)).toEqual(["t", "d", "d", "d"]);
    const data = resolve(table, "vmlinux", "set_root", 2, "exact");
    expect(data).toMatchObject({ ok: true, warning: "failed to find location for function 'set_root'" });
  });
});

describe("clang ThinLTO names under each rule (oracle clang sample)", () => {
  const load = () => readKallsyms(join(K, "kallsyms-clang-lto.txt"));

  test("foo + foo.llvm.N", async () => {
    const t = await load();
    expect(names(t, "vmlinux", "c_start", "exact")).toEqual(["8:c_start"]);
    expect(names(t, "vmlinux", "c_start", "first-dot")).toEqual([
      "2:c_start.llvm.4068079621735001028",
      "8:c_start",
    ]);
    expect(names(t, "vmlinux", "c_start", "exact-or-llvm")).toEqual(
      names(t, "vmlinux", "c_start", "first-dot"),
    );
    expect(names(t, "vmlinux", "c_start", "llvm-stripped")).toEqual(
      names(t, "vmlinux", "c_start", "first-dot"),
    );
    const full = "c_start.llvm.4068079621735001028";
    expect(names(t, "vmlinux", full, "exact")).toEqual([`2:${full}`]);
    expect(names(t, "vmlinux", full, "exact-or-llvm")).toEqual([`2:${full}`]);
    expect(names(t, "vmlinux", full, "llvm-stripped")).toEqual([]);
    // the pair each era needs for the promoted copy
    expect(pairOf(t, "vmlinux", 2, "exact")).toEqual([full, 0]);
    expect(pairOf(t, "vmlinux", 2, "first-dot")).toEqual(["c_start", 1]);
    expect(pairOf(t, "vmlinux", 2, "exact-or-llvm")).toEqual(["c_start", 1]);
    expect(pairOf(t, "vmlinux", 2, "llvm-stripped")).toEqual(["c_start", 1]);
    expect(pairOf(t, "vmlinux", 8, "llvm-stripped")).toEqual(["c_start", 2]);
    // m_start ×2 plain + one promoted: the stripped eras count three
    expect(pairOf(t, "vmlinux", 7, "exact")).toEqual(["m_start.llvm.542612574486284820", 0]);
    expect(pairOf(t, "vmlinux", 7, "llvm-stripped")).toEqual(["m_start", 3]);
    expect(pairOf(t, "vmlinux", 6, "exact")).toEqual(["m_start", 2]);
    // 6.12 (exact): the stripped name of a promoted-only function is not found (oracle c02)
    expect(resolve(t, "vmlinux", "show_cpuinfo", 0, "exact")).toMatchObject({
      ok: false,
      outcome: "not-found",
    });
    expect(resolve(t, "vmlinux", "show_cpuinfo", 0, "llvm-stripped")).toMatchObject({ ok: true });
    // the full name in a stripped era: never matches
    const stripped = resolve(t, "vmlinux", full, 0, "llvm-stripped");
    expect(stripped).toMatchObject({ ok: false, outcome: "not-found" });
    expect(stripped.notes.join()).toMatch(/unreliable/);
  });

  test("clang func.var statics merge into func only under first-dot", async () => {
    const t = await load();
    expect(names(t, "vmlinux", "kthread", "exact")).toEqual(["4:kthread"]);
    expect(names(t, "vmlinux", "kthread", "first-dot")).toEqual(["4:kthread", "18:kthread.param"]);
    expect(names(t, "vmlinux", "kthread", "llvm-stripped")).toEqual(["4:kthread"]);
    expect(pairOf(t, "vmlinux", 4, "exact")).toEqual(["kthread", 0]);
    expect(pairOf(t, "vmlinux", 4, "first-dot")).toEqual(["kthread", 1]);
    expect(pairOf(t, "vmlinux", 18, "first-dot")).toEqual(["kthread", 2]);
    expect(resolve(t, "vmlinux", "kthread", 0, "first-dot")).toMatchObject({
      ok: false,
      outcome: "ambiguous",
    });
    expect(names(t, "vmlinux", "resource_string", "first-dot")).toHaveLength(4);
    // three same-named statics at one address: still three positions
    expect(pairOf(t, "vmlinux", 13, "exact")).toEqual(["task_index_to_char.state_char", 3]);
    expect(pairOf(t, "vmlinux", 13, "first-dot")).toEqual(["task_index_to_char", 3]);
  });

  test("a dotted query is flagged unreliable in the 6.2–6.10.6 eras only", async () => {
    const t = await load();
    const s = t.objects.get("vmlinux")!.at(12);
    for (const rule of LOOKUP_RULES) {
      const pair = positionOf(t, s, rule);
      expect(pair.ok).toBe(true);
      if (!pair.ok) continue;
      const unreliable = pair.notes.some((n) => n.includes("unreliable"));
      expect(unreliable).toBe(rule !== "exact" && rule !== "first-dot");
    }
  });
});

describe("modules, hidden addresses, per-CPU and init text", () => {
  test("module order is the module's own line (symtab) order; modules compare exactly in every era", async () => {
    const t = await readKallsyms(join(K, "kallsyms-module-target.txt"));
    for (const rule of LOOKUP_RULES) {
      expect(names(t, "lpt_target", "dupname", rule)).toEqual(["1:dupname", "3:dupname", "6:dupname"]);
    }
    // oracle m02–m04: symtab order puts the data first, the lower-addressed function second
    expect(resolve(t, "lpt_target", "dupname", 1, "exact")).toMatchObject({
      ok: true,
      symbol: { address: 0xffffffffa0002004n, type: "d" },
      warning: "failed to find location for function 'dupname'",
    });
    expect(resolve(t, "lpt_target", "dupname", 2, "exact")).toMatchObject({
      ok: true,
      symbol: { address: 0xffffffffa0000010n },
      warning: null,
    });
    const amb = resolve(t, "lpt_target", "dupname", 0, "exact");
    expect(!amb.ok && amb.message).toBe("unresolvable ambiguity for symbol 'dupname' in object 'lpt_target'");
    const past = resolve(t, "lpt_target", "dupname", 4, "exact");
    expect(!past.ok && past.message).toBe(
      "symbol position 4 for symbol 'dupname' in object 'lpt_target' not found",
    );
    expect(resolve(t, "ext4", "ext4_file_open", 0, "exact")).toMatchObject({
      ok: false,
      outcome: "not-loaded",
    });
    const dashed = resolve(t, "lpt-target", "dupname", 1, "exact");
    expect(!dashed.ok && dashed.message).toMatch(/the kernel names modules with '_' \('lpt_target'\)/);
  });

  test("vmlinux init text is freed after boot: resolved, then refused by ftrace (oracle g34)", async () => {
    const t = await readKallsyms(join(K, "kallsyms-module-target.txt"));
    expect(resolve(t, "vmlinux", "nofill", 1, "exact")).toMatchObject({
      ok: true,
      warning: "failed to find location for function 'nofill'",
    });
    expect(resolve(t, "vmlinux", "proc_reg_open", 0, "exact")).toMatchObject({ ok: true, warning: null });
  });

  test("hidden addresses: positions, pairs and resolution still work", async () => {
    const t = await readKallsyms(join(K, "kallsyms-module-target-hidden.txt"));
    expect(pairOf(t, "lpt_target", 6, "exact")).toEqual(["dupname", 3]);
    const r = resolve(t, "lpt_target", "dupname", 3, "exact");
    expect(r).toMatchObject({ ok: true, symbol: { position: 6, address: null } });
  });

  test("a per-CPU A symbol counts and sorts first; landing on it fails the size lookup (oracle p01–p03)", async () => {
    const t = await readKallsyms(join(K, "kallsyms-smp-percpu.txt"));
    expect(resolve(t, "vmlinux", "proc_reg_open", 0, "exact")).toMatchObject({
      ok: false,
      outcome: "ambiguous",
    });
    expect(resolve(t, "vmlinux", "proc_reg_open", 1, "exact")).toMatchObject({
      ok: true,
      symbol: { type: "A" },
      warning: "kallsyms size lookup failed for 'proc_reg_open'",
    });
    expect(resolve(t, "vmlinux", "proc_reg_open", 2, "exact")).toMatchObject({ ok: true, warning: null });
    // address 0 reads as "not found" in klp_find_object_symbol
    expect(resolve(t, "vmlinux", "fixed_percpu_data", 0, "exact")).toMatchObject({
      ok: false,
      outcome: "not-found",
    });
    expect(positionOf(t, t.objects.get("vmlinux")!.at(0), "exact")).toMatchObject({ ok: false });
  });
});

test(".klp.sym limits: name length per era, commas, dotted object names", () => {
  expect(klpSymNotes("vmlinux", "a".repeat(127))).toEqual([]);
  expect(klpSymNotes("vmlinux", "a".repeat(128)).join()).toMatch(/before 6\.1 \(127\)/);
  expect(klpSymNotes("vmlinux", "a".repeat(512)).join()).toMatch(/allows \(511\)/);
  expect(klpSymNotes("vmlinux", "a,b").join()).toMatch(/contains ','/);
  expect(klpSymNotes("my.mod", "f").join()).toMatch(/object name 'my\.mod' contains '\.'/);
});

describe("sympos NAME's gcc clones", () => {
  test("a ThinLTO variant (show_cpuinfo.llvm.<hash>) is listed as such, not a second time as a gcc clone", async () => {
    const table = await readKallsyms(join(FIXTURES, "kernel", "kallsyms-clang-lto.txt"));
    const r = symposReport(table, "show_cpuinfo", { choice: chooseRule(table, {}) });
    expect(r.llvmVariants.map((c) => c.symbol.name)).toEqual(["show_cpuinfo.llvm.4068079621735001028"]);
    expect(r.clones).toEqual([]);
  });
});
