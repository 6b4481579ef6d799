// A series of patches (issue 12 item 3): --expect once per report of the series, --previous OLD for
// a cumulative module: each function it no longer patches (unless --dropped), each that moved sympos.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { fullReport } from "../lib/full-report.js";
import { CLI, FIXTURES } from "../paths.js";

const DIR = join(FIXTURES, "verify");
const NEW = ["verify", "lp_klpbuild.ko", "--kallsyms", "kallsyms.txt"];

async function verify(...args: string[]) {
  const r = await execa("node", [CLI, ...NEW, ...args], { reject: false, cwd: DIR });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

interface Flag {
  code: string;
  severity: string;
  message: string;
}

async function verifyJson(...args: string[]) {
  const r = await verify(...args, "--format", "json");
  const report = JSON.parse(r.stdout) as {
    flags: Flag[];
    targets: {
      oldName: string;
      oldSympos: number;
      flags: Flag[];
      expected: { agrees: boolean; source: string } | null;
    }[];
  };
  return { code: r.code, report };
}

function report(dir: string, name: string, fns: { name: string; sympos: number }[]): string {
  const path = join(dir, name);
  const functions = fns.map((f) => ({
    name: f.name,
    target: { objname: "vmlinux", oldName: f.name, oldSympos: f.sympos },
  }));
  writeFileSync(path, JSON.stringify(fullReport({ objects: [{ functions }] })));
  return path;
}

describe("verify --expect, once per report of a series", () => {
  it("every report's decisions are checked; a later report decides where two name a function", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-series-"));
    const r1 = report(dir, "r1.json", [{ name: "fxt_dup", sympos: 3 }]);
    const r2 = report(dir, "r2.json", [
      { name: "fxt_dup", sympos: 2 },
      { name: "fxt_unique", sympos: 0 },
    ]);
    const { code, report: out } = await verifyJson("--expect", r1, "--expect", r2);
    expect(code).toBe(0);
    const byName = new Map(out.targets.map((t) => [t.oldName, t.expected]));
    expect(byName.get("fxt_dup")).toMatchObject({ agrees: true, source: expect.stringContaining("r2.json") });
    expect(byName.get("fxt_unique")).toMatchObject({ agrees: true });
    expect(out.flags.filter((f) => f.code.startsWith("EXPECT_"))).toEqual([]);
    // the earlier report alone: fxt_dup,2 does not reach what r1 decided
    const alone = await verifyJson("--expect", r1);
    expect(alone.code).toBe(1);
  });
});

describe("verify --previous: a cumulative module against the one it replaces", () => {
  it("a function the previous module patched and this one does not: REPLACE_REVERTS, exit 1", async () => {
    const { code, report: out } = await verifyJson("--previous", "lp_kpatch.ko");
    expect(code).toBe(1);
    expect(out.flags.map((f) => [f.code, f.severity, f.message])).toEqual([
      [
        "REPLACE_REVERTS",
        "error",
        "lp_kpatch.ko patches vmlinux:fxt_dup,3, this module does not: replacing it adds a nop for it, and that fix is reverted on load; give --dropped vmlinux:fxt_dup,3 if that is intended",
      ],
    ]);
  });

  it("--dropped says it was on purpose: info, exit 0; a --dropped naming nothing dropped is exit 2", async () => {
    const { code, report: out } = await verifyJson(
      "--previous",
      "lp_kpatch.ko",
      "--dropped",
      "vmlinux:fxt_dup,3",
    );
    expect(code).toBe(0);
    expect(out.flags.map((f) => [f.code, f.severity])).toEqual([["REPLACE_REVERTS", "info"]]);
    const bad = await verify("--previous", "lp_kpatch.ko", "--dropped", "fxt_unique");
    expect(bad.code).toBe(2);
    expect(bad.stderr.trimEnd()).toBe(
      "klpmatch: --dropped: fxt_unique: names no function lp_kpatch.ko patches and this module does not",
    );
    const alone = await verify("--dropped", "fxt_unique");
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--dropped: needs --previous/);
  });

  it("old_sympos 1 then 0 for one unique function: a warning (klp_find_func matches them since upstream 139560e8b973)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-series-"));
    const old = join(dir, "old.tsv");
    writeFileSync(old, "vmlinux fxt_dup 2\nvmlinux fxt_unique 1\nfxt_target fxt_mod_only 0\n");
    const { report: out } = await verifyJson("--previous", old);
    expect(out.flags.map((f) => [f.code, f.severity])).toEqual([["SYMPOS_DIFFERS_LOADED", "warning"]]);
    expect(out.flags[0]!.message).toMatch(
      /old_sympos 0 here, 1 in .*: the sympos moved .*both name the one copy/,
    );
  });

  it("a function whose sympos moved since the previous patch: SYMPOS_DIFFERS_LOADED, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-series-"));
    const old = join(dir, "old.tsv");
    writeFileSync(old, "vmlinux fxt_dup 1\nvmlinux fxt_unique 0\nfxt_target fxt_mod_only 0\n");
    const { code, report: out } = await verifyJson("--previous", old);
    expect(code).toBe(1);
    expect(out.flags.map((f) => [f.code, f.message])).toEqual([
      [
        "SYMPOS_DIFFERS_LOADED",
        expect.stringMatching(
          /^vmlinux:fxt_dup: old_sympos 2 here, 1 in .*old\.tsv: the sympos moved between two patches/,
        ),
      ],
    ]);
  });
});
