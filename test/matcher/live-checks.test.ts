// matcher/verify/live-checks and live-module-checks: the checks against a running kernel's loaded
// livepatches, module gate and ftrace list, as pure functions over data in the kernel's formats.
import { describe, expect, it } from "vitest";
import { parseSymbolText } from "../../lib/kallsyms.js";
import type { LoadedPatch } from "../../lib/live/livepatch-sysfs.js";
import { parseFilterFunctions } from "../../lib/live/tracefs.js";
import { parseTargetList } from "../../lib/livepatch/index.js";
import type { ModuleIdentity } from "../../lib/livepatch/modinfo.js";
import { chooseRule } from "../../lib/rules.js";
import { checkLoadedPatches, exactKey } from "../../matcher/verify/live-checks.js";
import { checkModuleGate, ftraceListCheck, noTargetsFlag } from "../../matcher/verify/live-module-checks.js";
import { verifyTargets } from "../../matcher/verify/verify-targets.js";

const KALLSYMS = `ffffffff81000000 T _stext
ffffffff81000100 t fxl_show
ffffffff81000140 t fxl_dup
ffffffff81000180 t fxl_dup
ffffffff810001c0 T fxl_notrace
ffffffff81000200 T fxl_fixed
ffffffff81000240 T _etext
`;
const table = parseSymbolText(Buffer.from(KALLSYMS), "kallsyms", "kallsyms");
const choice = chooseRule(table, {});

function patch(name: string, funcs: string[], extra: Partial<LoadedPatch> = {}): LoadedPatch {
  return {
    name,
    enabled: true,
    transition: false,
    replace: false,
    path: `/sys/kernel/livepatch/${name}`,
    objects: [
      {
        objname: "vmlinux",
        patched: true,
        funcs: funcs.map((f) => {
          const [n, s] = f.split(",");
          return { name: n!, sysfsSympos: Number(s), path: `/sys/kernel/livepatch/${name}/vmlinux/${f}` };
        }),
      },
    ],
    ...extra,
  };
}

function run(
  tsv: string,
  loaded: LoadedPatch[],
  opts: { replace?: boolean | null; exact?: Map<string, number>; allowRevert?: boolean } = {},
) {
  const targets = { ...parseTargetList("new.tsv", tsv), moduleName: "lp_new" };
  const verdicts = verifyTargets(targets, { table, choice }).verdicts;
  const findings = checkLoadedPatches(targets, verdicts, {
    loaded,
    exact: opts.exact ?? new Map(),
    replace: opts.replace === undefined ? false : opts.replace,
    allowRevert: opts.allowRevert ?? false,
    table,
    rule: choice.rule,
  });
  const codes = (i: number) => (findings.targetFlags.get(targets.targets[i]!) ?? []).map((f) => f.code);
  return { targets, verdicts, findings, codes };
}

describe("loaded livepatches", () => {
  it("stacking: the new function runs over the loaded patch's, found by the symbol both reach", () => {
    const r = run("vmlinux fxl_show 0\nvmlinux fxl_dup 1\n", [patch("lp_a", ["fxl_show,1", "fxl_dup,2"])]);
    expect(r.codes(0)).toEqual(["STACKED"]);
    expect(r.findings.targetFlags.get(r.targets.targets[0]!)![0]!.message).toContain("over lp_a's");
    // fxl_dup,1 and lp_a's fxl_dup,2 are different functions
    expect(r.codes(1)).toEqual([]);
    expect(r.findings.stacked.size).toBe(1);
    expect(r.findings.flags).toEqual([]);
  });

  it("atomic replace reverting a fix: an error naming it, info with --allow-revert", () => {
    const loaded = [patch("lp_a", ["fxl_show,1", "fxl_fixed,1"])];
    const r = run("vmlinux fxl_show 0\n", loaded, { replace: true });
    expect(r.findings.flags.map((f) => [f.code, f.severity])).toEqual([["REPLACE_REVERTS", "error"]]);
    expect(r.findings.flags[0]!.message).toContain("lp_a's vmlinux:fxl_fixed,1");
    expect(r.findings.flags[0]!.message).not.toContain("fxl_show");
    const allowed = run("vmlinux fxl_show 0\n", loaded, { replace: true, allowRevert: true });
    expect(allowed.findings.flags.map((f) => [f.code, f.severity])).toEqual([["REPLACE_REVERTS", "info"]]);
    // without replace nothing is reverted
    expect(run("vmlinux fxl_show 0\n", loaded).findings.flags).toEqual([]);
  });

  it("a disabled loaded patch is not replaced and not stacked on", () => {
    const r = run(
      "vmlinux fxl_show 0\n",
      [patch("lp_a", ["fxl_show,1", "fxl_fixed,1"], { enabled: false })],
      {
        replace: true,
      },
    );
    expect(r.findings.flags).toEqual([]);
    expect(r.codes(0)).toEqual([]);
  });

  it("sympos 0 against 1 between patches, with replace: a warning naming both kernels' outcomes, no predicted refusal", () => {
    const loaded = [patch("lp_a", ["fxl_show,1"])];
    const exact = new Map([[exactKey("lp_a", "vmlinux", "fxl_show", 1), 0]]);
    const r = run("vmlinux fxl_show 1\n", loaded, { replace: true, exact });
    expect(r.codes(0)).toEqual(["STACKED", "SYMPOS_DIFFERS_LOADED"]);
    // klp_find_func() matches 0 and 1 since upstream 139560e8b973; before it the nop's sysfs entry collides
    const flag = r.findings.targetFlags.get(r.targets.targets[0]!)![1]!;
    expect(flag.severity).toBe("warning");
    expect(flag.message).toContain("139560e8b973");
    expect(flag.message).toContain(
      "sysfs: cannot create duplicate filename '/kernel/livepatch/lp_new/vmlinux/fxl_show,1'",
    );
    expect(r.findings.refusals).toEqual([]);
    // the same sympos: no finding
    expect(run("vmlinux fxl_show 0\n", loaded, { replace: true, exact }).codes(0)).toEqual(["STACKED"]);
    // stacking only (no replace): loads, a warning for a later cumulative patch
    const stacked = run("vmlinux fxl_show 1\n", loaded, { exact });
    expect(stacked.findings.targetFlags.get(stacked.targets.targets[0]!)![1]!.severity).toBe("warning");
    expect(stacked.findings.refusals).toEqual([]);
  });

  it("sympos 0 or 1 unknown (sysfs shows both as ,1, no .ko): a warning under replace", () => {
    const r = run("vmlinux fxl_show 0\n", [patch("lp_a", ["fxl_show,1"])], { replace: true });
    const f = r.findings.targetFlags.get(r.targets.targets[0]!)!;
    expect(f.map((x) => [x.code, x.severity])).toEqual([
      ["STACKED", "info"],
      ["SYMPOS_DIFFERS_LOADED", "warning"],
    ]);
    expect(r.findings.refusals).toEqual([]);
  });

  it("a transition in progress: -EBUSY, no message", () => {
    const r = run("vmlinux fxl_show 0\n", [patch("lp_a", ["fxl_fixed,1"], { transition: true })]);
    expect(r.findings.flags.map((f) => f.code)).toEqual(["TRANSITION_IN_PROGRESS"]);
    expect(r.findings.refusals[0]).toMatchObject({ kind: "busy" });
    expect(r.findings.refusals[0]!.message).toContain("-EBUSY");
  });
});

describe("the module gate", () => {
  const id = (o: Partial<ModuleIdentity> = {}): ModuleIdentity => ({
    name: "lp_x",
    vermagic: "6.12.117 mod_unload ",
    livepatch: true,
    depends: [],
    signed: false,
    hasCrcs: false,
    ...o,
  });
  const gate = (o: Partial<Parameters<typeof checkModuleGate>[0]>) =>
    checkModuleGate({
      identity: id(),
      release: "6.12.117",
      kernelMagic: null,
      sigEnforce: null,
      lockdown: null,
      ...o,
    });

  it("vermagic mismatch: the kernel's message, and which words differ", () => {
    const g = gate({ kernelMagic: { text: "6.12.117 SMP mod_unload ", from: "config" } });
    expect(g.refusal).toBe("lp_x: version magic '6.12.117 mod_unload ' should be '6.12.117 SMP mod_unload '");
    expect(g.flags.map((f) => f.code)).toEqual(["VERMAGIC_MISMATCH"]);
    expect(g.flags[0]!.message).toContain("SMP: module no, kernel yes");
    expect(gate({ kernelMagic: { text: "6.12.117 mod_unload ", from: "config" } }).refusal).toBeNull();
  });

  it("vermagic without the kernel's config: the release word alone decides", () => {
    expect(gate({ release: "6.12.118" }).flags.map((f) => f.code)).toEqual(["VERMAGIC_MISMATCH"]);
    const same = gate({});
    expect(same.flags).toEqual([]);
    expect(same.notes.join("\n")).toContain("not checked");
    // with symbol CRCs the release may differ
    expect(gate({ release: "6.12.118", identity: id({ hasCrcs: true }) }).flags).toEqual([]);
  });

  it("an unsigned module: refused under sig_enforce or lockdown, info otherwise", () => {
    expect(gate({ sigEnforce: true }).refusal).toBe("Loading of unsigned module is rejected");
    expect(gate({ sigEnforce: false, lockdown: "integrity" }).refusal).toContain(
      "Lockdown: insmod: unsigned module",
    );
    const taint = gate({ sigEnforce: false });
    expect(taint.refusal).toBeNull();
    expect(taint.flags.map((f) => [f.code, f.severity])).toEqual([["MODULE_UNSIGNED", "info"]]);
    expect(gate({ sigEnforce: true, identity: id({ signed: true }) }).refusal).toBeNull();
  });

  it("no targets is an error", () => {
    expect(noTargetsFlag([])?.severity).toBe("error");
    expect(noTargetsFlag(parseTargetList("t.tsv", "vmlinux fxl_show 0\n").targets)).toBeNull();
  });
});

describe("ftrace's filter list", () => {
  const verdict = (tsv: string) =>
    verifyTargets(parseTargetList("t.tsv", tsv), { table, choice }).verdicts[0]!;
  const obj = table.objects.get("vmlinux");

  it("with addresses: a record inside the function's text, or 'failed to find location'", () => {
    const f = parseFilterFunctions("ffffffff81000104 fxl_show\nffffffff81000184 fxl_dup\n", "addrs", true);
    expect(ftraceListCheck(verdict("vmlinux fxl_show 0\n"), obj, f)).toBeNull();
    expect(ftraceListCheck(verdict("vmlinux fxl_dup 2\n"), obj, f)).toBeNull();
    const first = ftraceListCheck(verdict("vmlinux fxl_dup 1\n"), obj, f);
    expect(first?.message).toBe("failed to find location for function 'fxl_dup'");
    expect(first?.flag.code).toBe("FTRACE_NOT_LISTED");
  });

  it("names only: a missing name is certain, a short count of duplicates is not", () => {
    const f = parseFilterFunctions("fxl_show\nfxl_dup\n", "names", false);
    expect(ftraceListCheck(verdict("vmlinux fxl_notrace 0\n"), obj, f)?.message).toBe(
      "failed to find location for function 'fxl_notrace'",
    );
    const dup = ftraceListCheck(verdict("vmlinux fxl_dup 1\n"), obj, f);
    expect([dup?.flag.severity, dup?.message]).toEqual(["info", null]);
    expect(ftraceListCheck(verdict("vmlinux fxl_show 0\n"), obj, f)).toBeNull();
  });

  it("non-root zero addresses: the list is checked by name only", () => {
    const hidden = parseSymbolText(
      Buffer.from(KALLSYMS.replace(/^ffffffff81000[0-9a-f]{3}/gm, "0000000000000000")),
      "k",
      "kallsyms",
    );
    expect(hidden.addressesHidden).toBe(true);
    const v = verifyTargets(parseTargetList("t.tsv", "vmlinux fxl_dup 1\n"), { table: hidden, choice })
      .verdicts[0]!;
    const f = parseFilterFunctions("ffffffff81000184 fxl_dup\n", "addrs", true);
    // one record for two fxl_dup: without addresses it cannot say which
    expect(ftraceListCheck(v, hidden.objects.get("vmlinux"), f)?.flag.severity).toBe("info");
  });
});
