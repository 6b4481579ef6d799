// `match --patch` on the fixture series (fixtures/series: two patches, the second cumulative): the
// github annotations, JUnit testcases and Markdown point at the .c lines the patches changed, and
// JUnit keeps the warnings below --fail-on.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

const S = join(FIXTURES, "series");
const P1 = join(S, "0001-sched-helper-negative.patch");
const P2 = join(S, "0002-util-sum-clamp.patch");
const KALLSYMS = join(S, "kallsyms.txt");
const CUMULATIVE = [
  "match",
  "--orig",
  join(S, "orig"),
  "--patched",
  join(S, "patched-2"),
  "--patch",
  P1,
  "--patch",
  P2,
];

function klpmatch(args: string[]) {
  return execa("node", [CLI, ...args], { reject: false });
}

/** The 1-based line of `text` in the orig source: the patches insert two lines right before it. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(join(S, "src", file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

describe("match --patch on a series", () => {
  const sched = lineOf("kernel/sched.c", "return x * 3 + sched_ticks");
  // util.c's lines are the same after 0001 (which does not touch it)
  const util = lineOf("lib/util.c", "return helper(a) + b;");

  it("github: each changed function's notice sits on the .c lines its patch changed", async () => {
    const r = await klpmatch([...CUMULATIVE, "--kallsyms", KALLSYMS, "--format", "github"]);
    expect(r.exitCode).toBe(0);
    const notices = r.stdout.split("\n").filter((l) => l.startsWith("::notice file="));
    expect(notices).toEqual([
      `::notice file=kernel/sched.c,line=${sched},endLine=${sched + 1},title=klpmatch%3A helper::helper in kernel/sched.o: vmlinux:helper,1 (neighbourhood)`,
      `::notice file=lib/util.c,line=${util},endLine=${util + 1},title=klpmatch%3A util_sum::util_sum in lib/util.o: vmlinux:util_sum,0 (unique)`,
    ]);
  });

  it("github: a flag on a function is annotated on its source line, not on the .o", async () => {
    // a kernel without util_sum: NOT_FOUND on it
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-series-"));
    const table = join(dir, "kallsyms");
    writeFileSync(table, readFileSync(KALLSYMS, "utf8").replace(/^.* util_sum\n/m, ""));
    const r = await klpmatch([...CUMULATIVE, "--kallsyms", table, "--format", "github"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^::error file=lib/util\\.c,line=${util},endLine=${util + 1},title=klpmatch NOT_FOUND%3A util_sum::`,
        "m",
      ),
    );
  });

  it("the first patch alone ties only the function it changed", async () => {
    const r = await klpmatch([
      "match",
      "--orig",
      join(S, "orig"),
      "--patched",
      join(S, "patched-1"),
      "--patch",
      P1,
      "--kallsyms",
      KALLSYMS,
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.stdout) as {
      objects: { relative: string; functions: { name: string; at?: unknown }[] }[];
    };
    expect(report.objects.map((o) => [o.relative, o.functions.map((f) => [f.name, f.at])])).toEqual([
      ["kernel/sched.o", [["helper", [{ file: "kernel/sched.c", line: sched, endLine: sched + 1 }]]]],
    ]);
  });

  it("junit: testcases carry file and line; warnings below --fail-on stay in <system-out>", async () => {
    const r = await klpmatch([...CUMULATIVE, "--kallsyms", KALLSYMS, "--format", "junit"]);
    expect(r.stdout).toContain(`name="helper" file="kernel/sched.c" line="${sched}">`);
    expect(r.stdout).toContain(`name="util_sum" file="lib/util.c" line="${util}">`);
    // EXPORTS_UNKNOWN is a warning: no failure, but kept
    expect(r.stdout).not.toContain("<failure");
    expect(r.stdout).toMatch(/<system-out>warning EXPORTS_UNKNOWN: /);
  });

  it("junit keeps an object's warning (OBJNAME_ASSUMED of an object given alone)", async () => {
    const r = await klpmatch([
      "match",
      "--orig",
      join(S, "orig/lib/util.o"),
      "--patched",
      join(S, "patched-2/lib/util.o"),
      "--kallsyms",
      KALLSYMS,
      "--format",
      "junit",
    ]);
    expect(r.stdout).toMatch(
      /<testcase classname="vmlinux" name="[^"]*util\.o">\n\s*<system-out>warning OBJNAME_ASSUMED: /,
    );
  });

  it("markdown: a table of where the patch changed each function", async () => {
    const r = await klpmatch([...CUMULATIVE, "--kallsyms", KALLSYMS, "--format", "markdown"]);
    expect(r.stdout).toContain("### Where the patch changed them");
    expect(r.stdout).toContain(
      `| helper (kernel/sched.o) | kernel/sched.c:${sched}-${sched + 1} | vmlinux:helper,1 |`,
    );
  });

  it("a --patch that is no unified diff is exit 2 naming it", async () => {
    const r = await klpmatch([...CUMULATIVE.slice(0, 5), "--patch", KALLSYMS, "--kallsyms", KALLSYMS]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trimEnd()).toBe(
      `klpmatch: ${KALLSYMS}: no hunk of a unified diff (--- / +++ / @@ lines) in it`,
    );
  });
});
