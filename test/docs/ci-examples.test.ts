// docs/ci/*.yml run: the klpmatch commands of each CI example (the lines between `# >>> NAME` and
// `# <<< NAME`), run by bash on the fixture series with the built CLI as `klpmatch`: the reports
// are written, the step summary gets the Markdown, and a changed decision fails the job.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI, FIXTURES, ROOT } from "../paths.js";

const S = join(FIXTURES, "series");

/** The lines of `yaml` between `# >>> name` and `# <<< name`, dedented. */
function block(yaml: string, name: string): string {
  const lines = yaml.split("\n");
  const start = lines.findIndex((l) => l.trim() === `# >>> ${name}`);
  const end = lines.findIndex((l) => l.trim() === `# <<< ${name}`);
  expect(start, `# >>> ${name}`).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)![0].length));
  return body.map((l) => l.slice(indent)).join("\n");
}

/** Runs a block as the CI shell would (bash -e), in `cwd`, with the fixture series as its inputs. */
function run(script: string, cwd: string, baseline: string, extraEnv: Record<string, string> = {}) {
  const prelude = `set -eo pipefail\nklpmatch() { "${process.execPath}" "${CLI}" "$@"; }\n`;
  return execa("bash", ["-c", prelude + script], {
    cwd,
    reject: false,
    env: {
      KLP_ORIG: join(S, "orig"),
      KLP_PATCHED: join(S, "patched-2"),
      KLP_KALLSYMS: join(S, "kallsyms.txt"),
      KLP_PATCHES: S,
      KLP_BASELINE: baseline,
      ...extraEnv,
    },
  });
}

let accepted: string;
let stale: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "klpmatch-ci-"));
  const tree = ["--orig", join(S, "orig"), "--kallsyms", join(S, "kallsyms.txt"), "--format", "json"];
  // the accepted report of the whole series, and a stale one of the first patch only
  accepted = join(dir, "accepted.json");
  const all = await execa(process.execPath, [
    CLI,
    "match",
    ...tree,
    "--patched",
    join(S, "patched-2"),
    "--out",
    accepted,
  ]);
  expect(all.exitCode).toBe(0);
  stale = join(dir, "stale.json");
  await execa(process.execPath, [CLI, "match", ...tree, "--patched", join(S, "patched-1"), "--out", stale]);
});

describe.each([
  ["github-actions.yml", "github"],
  ["gitlab-ci.yml", "text"],
])("docs/ci/%s", (file, stdoutFormat) => {
  const yaml = readFileSync(join(ROOT, "docs", "ci", file), "utf8");

  it("its klpmatch step passes on unchanged decisions and writes JSON, JUnit and Markdown", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "klpmatch-ci-job-"));
    const r = await run(block(yaml, "klpmatch"), cwd, accepted);
    expect(r.exitCode, r.stderr).toBe(0);
    for (const f of ["klpmatch.json", "klpmatch.xml", "klpmatch.md"])
      expect(existsSync(join(cwd, f)), f).toBe(true);
    const json = JSON.parse(readFileSync(join(cwd, "klpmatch.json"), "utf8")) as {
      objects: { relative: string }[];
    };
    expect(json.objects.map((o) => o.relative)).toEqual(["kernel/sched.o", "lib/util.o"]);
    expect(readFileSync(join(cwd, "klpmatch.xml"), "utf8")).toContain('file="lib/util.c"');
    if (stdoutFormat === "github") expect(r.stdout).toMatch(/^::notice file=kernel\/sched\.c,line=\d+/m);
    else expect(r.stdout).toMatch(/changed function: util_sum -> vmlinux:util_sum,0/);
    expect(r.stderr).toContain("decisions unchanged against");
  });

  it("its klpmatch step fails on a changed decision, and still writes the reports", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "klpmatch-ci-job-"));
    const r = await run(block(yaml, "klpmatch"), cwd, stale);
    expect(r.exitCode).toBe(1);
    expect(readFileSync(join(cwd, "klpmatch.xml"), "utf8")).toMatch(/<failure type="BASELINE_CHANGED"/);
    expect(readFileSync(join(cwd, "klpmatch.json"), "utf8")).toContain("lib/util.o util_sum: new");
  });

  it("keeps the JUnit and JSON (and the Markdown) of a failed run", () => {
    expect(yaml).toMatch(/klpmatch\.json/);
    expect(yaml).toMatch(/klpmatch\.xml/);
    if (file === "gitlab-ci.yml") {
      expect(yaml).toMatch(/when: always/);
      expect(yaml).toMatch(/junit: klpmatch\.xml/);
    } else expect(yaml).toMatch(/upload-artifact@v4\n\s+if: always\(\)/);
  });
});

describe("docs/ci/github-actions.yml step summary", () => {
  it("appends the Markdown report to $GITHUB_STEP_SUMMARY", async () => {
    const yaml = readFileSync(join(ROOT, "docs", "ci", "github-actions.yml"), "utf8");
    const cwd = mkdtempSync(join(tmpdir(), "klpmatch-ci-job-"));
    await run(block(yaml, "klpmatch"), cwd, stale);
    const summary = join(cwd, "summary.md");
    writeFileSync(summary, "");
    const r = await run(block(yaml, "summary"), cwd, stale, { GITHUB_STEP_SUMMARY: summary });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(summary, "utf8")).toBe(readFileSync(join(cwd, "klpmatch.md"), "utf8"));
    expect(readFileSync(summary, "utf8")).toMatch(/^## ❌ klpmatch: /);
  });
});
