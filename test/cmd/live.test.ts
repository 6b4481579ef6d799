// End to end: the built `klpmatch verify --live --root`, `match --live` and `snapshot` — exit codes
// and one-line errors.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

const LIVE = join(FIXTURES, "live");
const ROOT = join(LIVE, "root");

async function run(...args: string[]) {
  const r = await execa("node", [CLI, ...args], { reject: false, cwd: LIVE });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

describe("klpmatch verify --live", () => {
  it("exit 1 when the live system says the kernel refuses, with the prediction", async () => {
    const r = await run("verify", "lp_new.ko", "--live", "--root", ROOT);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FTRACE_NOT_LISTED");
    expect(r.stdout).toContain("STACKED");
    expect(r.stdout).toContain("The kernel would refuse this patch (ftrace stage");
    expect(r.stderr).toBe("");
  });

  it("options of the other mode are refused, not dropped: --expect with --live, --allow-revert without", async () => {
    const expect1 = await run("verify", "lp_new.ko", "--live", "--root", ROOT, "--expect", "lp_new.ko");
    expect(expect1.code).toBe(2);
    expect(expect1.stderr.trim()).toBe("klpmatch: --expect: is not read with --live");
    const revert = await run(
      "verify",
      "lp_new.ko",
      "--allow-revert",
      "--kallsyms",
      join(ROOT, "proc", "kallsyms"),
    );
    expect(revert.code).toBe(2);
    expect(revert.stderr.trim()).toBe("klpmatch: --allow-revert: is read only with --live");
  });

  it("--root alone implies --live; --allow-revert turns the revert into info (exit 0)", async () => {
    expect((await run("verify", "lp_cumulative.ko", "--root", ROOT)).code).toBe(1);
    const r = await run("verify", "lp_cumulative.ko", "--root", ROOT, "--allow-revert", "--format", "json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { flags: { code: string; severity: string }[] };
    expect(report.flags.find((f) => f.code === "REPLACE_REVERTS")?.severity).toBe("info");
  });

  it("every format renders the live findings", async () => {
    for (const format of ["markdown", "junit", "github"]) {
      const r = await run("verify", "lp_badmagic.ko", "--live", "--root", ROOT, "--format", format);
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).toContain("VERMAGIC_MISMATCH");
    }
  });

  it("an unreadable kallsyms: one line naming it, exit 2, no stack trace", async () => {
    const r = await run("verify", "lp_new.ko", "--live", "--root", "/nonexistent-klpmatch-root");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "klpmatch: /nonexistent-klpmatch-root/proc/kallsyms: no such file or directory: verify --live needs the kernel's symbols (or give --kallsyms, --system-map or --vmlinux)",
    );
    expect(r.stdout).toBe("");
  });

  it("no patch given: one line, exit 2", async () => {
    const r = await run("verify", "--live", "--root", ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("klpmatch: verify --live: give the livepatch module (PATCH.ko)");
  });
});

describe("klpmatch match --live and snapshot", () => {
  it("match --live reads the kernel's symbols under --root", async () => {
    const r = await run(
      "match",
      "--orig",
      "lp_new.ko",
      "--patched",
      "lp_new.ko",
      "--root",
      ROOT,
      "--format",
      "json",
    );
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as {
      inputs: { role: string; path: string }[];
      rule: { why: string };
    };
    expect(report.inputs.find((i) => i.role === "kallsyms")?.path).toBe(join(ROOT, "proc/kallsyms"));
    expect(report.rule.why).toContain("kernel 6.12.117");
  });

  it("snapshot writes a root, then refuses a non-empty directory with exit 2", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "klpmatch-snapcli-")), "s");
    const r = await run("snapshot", "--root", ROOT, "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^klpmatch snapshot: \d+ file\(s\)/);
    expect((await run("verify", "lp_new.ko", "--root", out)).code).toBe(1);
    const again = await run("snapshot", "--root", ROOT, "--out", out);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`klpmatch: ${out}: not empty: give a new or empty directory for the snapshot`);
  });
});
