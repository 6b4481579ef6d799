// End to end: the built `klpmatch verify` on the fixtures — each input kind, each format, each exit code.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fullReport } from "../lib/full-report.js";
import { CLI, FIXTURES } from "../paths.js";

const DIR = join(FIXTURES, "verify");
const KALLSYMS = join(DIR, "kallsyms.txt");
const NOMOD = join(DIR, "kallsyms-nomod.txt");

async function verify(...args: string[]) {
  const r = await execa("node", [CLI, "verify", ...args], { reject: false, cwd: DIR });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

interface JsonTarget {
  objname: string;
  oldName: string;
  oldSympos: number;
  origin: string;
  outcome: string;
  address: string | null;
  kernelMessage: string | null;
  flags: { code: string; severity: string; message: string }[];
  onLoad: { outcome: string; kernelMessage: string | null } | null;
}

async function verifyJson(...args: string[]) {
  const r = await verify(...args, "--format", "json");
  return {
    ...r,
    report: JSON.parse(r.stdout) as {
      targets: JsonTarget[];
      patch: Record<string, unknown>;
      summary: Record<string, unknown>;
      rule: { name: string };
    },
  };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "klpmatch-verify-cli-"));
}

describe("klpmatch verify: input kinds", () => {
  it("a kernel-API livepatch module (klp_func): every target with outcome, address and kernel message; exit 1 on errors", async () => {
    const { code, report, stderr } = await verifyJson(
      "lp_api.ko",
      "--kallsyms",
      KALLSYMS,
      "--module-file",
      "fxt_target.ko",
    );
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(
      report.targets.map((t) => [t.origin, t.objname, t.oldName, t.oldSympos, t.outcome, t.address]),
    ).toEqual([
      ["klp_func", "vmlinux", "fxt_unique", 0, "resolved", "0x401160"],
      ["klp_func", "vmlinux", "fxt_dup", 2, "resolved", "0x401190"],
      ["klp_func", "vmlinux", "fxt_dup", 3, "position-not-found", null],
      ["klp_func", "vmlinux", "fxt_gone", 0, "not-found", null],
      ["klp_func", "vmlinux", "fxt_root", 2, "resolved", "0x402020"],
      ["klp_func", "vmlinux", "fxt_noinstr", 0, "resolved", "0x4011c0"],
      ["klp_func", "fxt_target", "fxt_dup", 1, "resolved", "0xffffffffc0000010"],
      ["klp_func", "fxt_target", "fxt_notrace", 0, "resolved", "0xffffffffc0000020"],
      ["klp_func", "fxt_target", "fxt_mod_only", 0, "resolved", "0xffffffffc0000000"],
    ]);
    expect(report.targets[3]!.kernelMessage).toBe("symbol 'fxt_gone' not found in symbol table");
    expect(report.targets[3]!.flags).toEqual([
      {
        code: "NOT_FOUND",
        severity: "error",
        message: "'fxt_gone' is not in vmlinux: \"symbol 'fxt_gone' not found in symbol table\"",
      },
    ]);
    expect(report.patch).toMatchObject({ result: "refused", stage: "resolve" });
    expect(report.rule.name).toBe("exact");
    expect(report.summary).toMatchObject({
      targets: 9,
      resolved: 7,
      positionNotFound: 1,
      notFound: 1,
      worst: "error",
    });
  });

  it("a module with .klp.sym references (klp.sym)", async () => {
    const { code, report } = await verifyJson("lp_klpsym.ko", "--kallsyms", KALLSYMS);
    expect(code).toBe(1);
    const refs = report.targets.filter((t) => t.origin === "klp.sym");
    expect(refs.map((t) => `${t.objname}:${t.oldName},${t.oldSympos} ${t.outcome}`)).toEqual([
      "vmlinux:fxt_dup,2 resolved",
      "vmlinux:fxt_counter,0 resolved",
      "vmlinux:fxt_gone,0 not-found",
      "vmlinux:fxt_dup,3 position-not-found",
      "fxt_target:fxt_dup,1 resolved",
      "fxt_target:fxt_mod_data,0 resolved",
    ]);
    expect(report.patch).toMatchObject({
      stage: "load",
      kernelMessage: "symbol 'fxt_gone' not found in symbol table",
    });
  });

  it("a kpatch-build module (kpatch.funcs)", async () => {
    const { code, report } = await verifyJson("lp_kpatch.ko", "--kallsyms", KALLSYMS);
    expect(code).toBe(1);
    expect(report.targets.map((t) => `${t.origin} ${t.oldName},${t.oldSympos} ${t.outcome}`)).toEqual([
      "kpatch.funcs fxt_dup,2 resolved",
      "kpatch.funcs fxt_mod_only,0 resolved",
      "kpatch.funcs fxt_dup,3 position-not-found",
    ]);
  });

  it("a klp-build module whose targets all resolve: exit 0", async () => {
    const { code, report } = await verifyJson(
      "lp_klpbuild.ko",
      "--kallsyms",
      KALLSYMS,
      "--module-file",
      "fxt_target.ko",
    );
    expect(code).toBe(0);
    expect(
      report.targets.map((t) => `${t.origin} ${t.objname}:${t.oldName},${t.oldSympos} ${t.outcome}`),
    ).toEqual([
      "klp_func vmlinux:fxt_dup,2 resolved",
      "klp_func vmlinux:fxt_unique,0 resolved",
      "klp_func fxt_target:fxt_mod_only,0 resolved",
    ]);
    expect(report.patch).toMatchObject({ result: "accepted", kernelMessage: null });
  });

  it("a TSV target list that resolves cleanly: exit 0", async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, "t.tsv"),
      "vmlinux\tfxt_dup\t2\nvmlinux\tfxt_unique\t0\nfxt_target\tfxt_mod_only\t0\n",
    );
    const { code, stdout } = await verify("--targets", join(dir, "t.tsv"), "--kallsyms", KALLSYMS);
    expect(code).toBe(0);
    expect(stdout).toContain("The kernel would accept every target of the loaded objects");
    expect(stdout).toMatch(/vmlinux\s+fxt_dup\s+2\s+list\s+resolved\s+0x401190 t fxt_dup/);
  });

  it("a match report as the target list, and as --expect", async () => {
    const dir = tmp();
    const report = fullReport({
      objects: [
        {
          functions: [
            {
              name: "fxt_dup",
              target: { objname: "vmlinux", oldName: "fxt_dup", oldSympos: 2, address: "0x401190" },
            },
            {
              name: "fxt_unique",
              target: { objname: "vmlinux", oldName: "fxt_unique", oldSympos: 0, address: "0x401160" },
            },
          ],
        },
      ],
      references: [
        {
          objname: "vmlinux",
          oldName: "fxt_counter",
          oldSympos: 0,
          address: "0x404010",
          klpSym: ".klp.sym.vmlinux.fxt_counter,0",
        },
      ],
    });
    writeFileSync(join(dir, "match.json"), JSON.stringify(report));
    const { code, report: out } = await verifyJson(
      "--targets",
      join(dir, "match.json"),
      "--kallsyms",
      KALLSYMS,
      "--expect",
      join(dir, "match.json"),
    );
    expect(code).toBe(0);
    expect(out.targets.map((t) => t.origin)).toEqual(["list", "list", "list"]);
    expect(
      out.targets.map((t) => (t as unknown as { expected: { agrees: boolean } }).expected.agrees),
    ).toEqual([true, true, true]);
    // the module's fxt_dup,3 reaches no symbol, but the report expects fxt_dup at 0x401190
    const lp = await verifyJson(
      "lp_kpatch.ko",
      "--kallsyms",
      KALLSYMS,
      "--expect",
      join(dir, "match.json"),
      "--fail-on",
      "error",
    );
    expect(lp.code).toBe(1);
    expect(lp.report.targets[2]!.flags.map((f) => f.code)).toEqual(["POSITION_NOT_FOUND", "EXPECT_MISMATCH"]);
  });

  it("a vmlinux ELF as the symbol source", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "t.tsv"), "vmlinux fxt_dup 2\nvmlinux fxt_root 2\nvmlinux fxt_unique 0\n");
    const { code, report } = await verifyJson(
      "--targets",
      join(dir, "t.tsv"),
      "--vmlinux",
      join(DIR, "fxt_vmlinux"),
    );
    expect(code).toBe(1);
    expect(report.targets.map((t) => [t.outcome, t.address, t.kernelMessage])).toEqual([
      ["resolved", "0x401190", null],
      ["resolved", "0x402020", "failed to find location for function 'fxt_root'"],
      ["resolved", "0x401160", null],
    ]);
  });

  it("--vmlinux with --kallsyms: the vmlinux's call sites, shifted to the booted (KASLR) addresses", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "t.tsv"), "vmlinux fxt_notrace_k 0\nvmlinux fxt_unique 0\n");
    const args = ["--targets", join(dir, "t.tsv"), "--kallsyms", join(DIR, "kallsyms-ftrace-kaslr.txt")];
    const { code, report } = await verifyJson(...args, "--vmlinux", join(DIR, "fxt_vmlinux_ftrace"));
    expect(code).toBe(1);
    expect(report.targets.map((t) => [t.address, t.kernelMessage])).toEqual([
      ["0x2401290", "failed to find location for function 'fxt_notrace_k'"],
      ["0x2401210", null],
    ]);
    expect((await verify(...args)).code).toBe(0);
  });

  it("a System.map as the symbol source; a not-loaded module checked with --module-file", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "t.tsv"), "vmlinux fxt_unique 0\nfxt_target fxt_dup 1\n");
    const plain = await verifyJson("--targets", join(dir, "t.tsv"), "--system-map", NOMOD);
    expect(plain.code).toBe(0);
    expect(plain.report.targets.map((t) => t.outcome)).toEqual(["resolved", "not-loaded"]);
    expect(plain.report.targets[1]!.flags.map((f) => `${f.severity} ${f.code}`)).toEqual([
      "warning NOT_LOADED",
    ]);
    const gated = await verify(
      "--targets",
      join(dir, "t.tsv"),
      "--system-map",
      NOMOD,
      "--fail-on",
      "warning",
    );
    expect(gated.code).toBe(1);
    const checked = await verifyJson(
      "--targets",
      join(dir, "t.tsv"),
      "--system-map",
      NOMOD,
      "--module-file",
      join(DIR, "fxt_target.ko"),
    );
    expect(checked.report.targets[1]!.onLoad).toMatchObject({ outcome: "resolved", kernelMessage: null });
    expect(checked.report.targets[1]!.flags.map((f) => f.code)).toEqual(["NOT_LOADED", "INIT_SYMBOL_HAZARD"]);
  });
});

describe("klpmatch verify: formats and --out", () => {
  const args = ["lp_api.ko", "--kallsyms", KALLSYMS, "--module-file", "fxt_target.ko"];

  it("markdown: a table row per target and the kernel's first message", async () => {
    const { stdout } = await verify(...args, "--format", "markdown");
    expect(stdout).toMatch(/^## ❌ klpmatch verify: `lp_api\.ko`/);
    expect(stdout).toContain(
      "| object | old_name | old_sympos | origin | outcome | symbol | kernel would print | flags |",
    );
    expect(
      stdout.split("\n").filter((l) => l.startsWith("| vmlinux") || l.startsWith("| fxt_target")),
    ).toHaveLength(9);
    expect(stdout).toContain("symbol position 3 for symbol 'fxt_dup' in object 'vmlinux' not found");
  });

  it("junit: one testcase per target, failures for the flagged ones", async () => {
    const { stdout } = await verify(...args, "--format", "junit");
    expect(stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(stdout.match(/<testcase /g)).toHaveLength(9);
    expect(stdout.match(/<failure /g)).toHaveLength(5);
    expect(stdout).toContain('<testsuites name="klpmatch verify" tests="9" failures="5">');
    expect(stdout).toContain("failed to find location for function &apos;fxt_root&apos;");
  });

  it("github: an annotation per flag", async () => {
    const { stdout } = await verify(...args, "--format", "github");
    const lines = stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("::error file=lp_api.ko,title=klpmatch verify "))).toHaveLength(
      5,
    );
    expect(lines.filter((l) => l.startsWith("::warning "))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("::notice "))).toHaveLength(1);
  });

  it("--out writes the report atomically; the JSON is the same on every run", async () => {
    const dir = tmp();
    const out = join(dir, "report.json");
    const a = await verify(...args, "--format", "json", "--out", out);
    expect(a.code).toBe(1);
    expect(a.stdout).toBe("");
    const first = readFileSync(out, "utf8");
    const b = await verify(...args, "--format", "json");
    expect(`${b.stdout}\n`).toBe(first);
    expect(JSON.parse(first).inputs.map((i: { role: string }) => i.role)).toEqual([
      "livepatch",
      "kallsyms",
      "module",
    ]);
  });

  it("--fail-on none exits 0 whatever was flagged", async () => {
    expect((await verify(...args, "--fail-on", "none")).code).toBe(0);
  });
});

describe("klpmatch verify: input errors exit 2 with one line and no report", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "missing kallsyms",
      ["lp_api.ko", "--kallsyms", "nope.txt"],
      /^klpmatch: nope\.txt: no such file or directory$/,
    ],
    ["no module nor list", ["--kallsyms", KALLSYMS], /^klpmatch: verify: give a livepatch module/],
    ["no kernel symbols", ["lp_api.ko"], /^klpmatch: verify: give the target kernel's symbols/],
    ["not an ELF file", ["kallsyms.txt", "--kallsyms", KALLSYMS], /^klpmatch: kallsyms\.txt: /],
    ["a kallsyms that is not one", ["lp_api.ko", "--kallsyms", "lp_api.ko"], /^klpmatch: lp_api\.ko: /],
    ["module and list together", ["lp_api.ko", "--targets", "x.tsv", "--kallsyms", KALLSYMS], /^klpmatch: /],
    ["an unknown format", ["lp_api.ko", "--kallsyms", KALLSYMS, "--format", "yaml"], /^klpmatch: /],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const dir = tmp();
      const out = join(dir, "report.txt");
      const r = await verify(...args, "--out", out);
      expect(r.code).toBe(2);
      expect(r.stderr.split("\n")[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
      expect(existsSync(out)).toBe(false);
    });
  }

  it("a bad --targets line, and an existing --out file left as it was", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "bad.tsv"), "vmlinux fxt_dup 2\nvmlinux fxt_dup two\n");
    const out = join(dir, "report.txt");
    writeFileSync(out, "old report\n");
    const r = await verify("--targets", join(dir, "bad.tsv"), "--kallsyms", KALLSYMS, "--out", out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `klpmatch: ${join(dir, "bad.tsv")}: line 2: sympos 'two' is not a non-negative decimal number`,
    );
    expect(readFileSync(out, "utf8")).toBe("old report\n");
  });
});
