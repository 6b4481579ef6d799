// End to end: the built CLI on the fixture builds — every format, --out atomicity, exit codes,
// --baseline, determinism.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { MatchReport } from "../../lib/report/match-report.js";
import { CLI, FIXTURES } from "../paths.js";

const M = join(FIXTURES, "match");
const DEMO = [
  "--orig",
  join(M, "gcc/orig"),
  "--patched",
  join(M, "gcc/patched"),
  "--kallsyms",
  join(M, "gcc/kallsyms.txt"),
  // the fixture tree has no *.mod files: say its objects are vmlinux's (else OBJNAME_ASSUMED)
  "--objname",
  "vmlinux",
];
const TWIN = [
  "--orig",
  join(M, "gcc/orig/e.o"),
  "--patched",
  join(M, "gcc/patched-twin/e.o"),
  "--kallsyms",
  join(M, "gcc/kallsyms.txt"),
];

function klpmatch(args: string[], env: Record<string, string> = {}) {
  return execa("node", [CLI, "match", ...args], { reject: false, env: { ...env } });
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "klpmatch-cli-"));
}

describe("klpmatch match: formats", () => {
  it("text leads with kpatch-style lines, then the table; no colour when not a terminal", async () => {
    const r = await klpmatch(DEMO);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/a\.o: changed function: (helper|cmp) -> vmlinux:(helper|cmp),1$/);
    expect(lines.slice(0, 3).every((l) => l.includes(": changed function: "))).toBe(true);
    expect(r.stdout).toMatch(
      /object\s+function\s+status\s+objname\s+old_name\s+sympos\s+address\s+decision\s+flags/,
    );
    expect(r.stdout).toContain(".klp.sym.vmlinux.b_table,0");
    expect(r.stdout).not.toContain("\u001b[");
  });

  it("json keeps the required names", async () => {
    const r = await klpmatch([...DEMO, "--format", "json"]);
    const report = JSON.parse(r.stdout) as MatchReport;
    expect(report.schemaVersion).toBe(2);
    expect(report.rule.name).toBe("exact");
    expect(report.inputs.every((i) => /^[0-9a-f]{64}$/.test(i.sha256))).toBe(true);
    expect(report.inputs.map((i) => i.role)).toContain("kallsyms");
    for (const o of report.objects) {
      expect(Object.keys(o)).toEqual(
        expect.arrayContaining(["orig", "patched", "objname", "verdict", "functions"]),
      );
      for (const f of o.functions) {
        expect(Object.keys(f)).toEqual(
          expect.arrayContaining(["name", "status", "target", "candidates", "evidence", "flags"]),
        );
        if (f.target !== null) {
          expect(Object.keys(f.target).sort()).toEqual(["address", "objname", "oldName", "oldSympos"]);
        }
      }
    }
    for (const ref of report.references) {
      expect(ref).toMatchObject({
        objname: expect.any(String),
        oldName: expect.any(String),
        klpSym: expect.any(String),
      });
    }
    expect(report.summary).toMatchObject({ functions: 3, decided: 3, ambiguous: 0 });
  });

  it("markdown is a PR comment with the table and the candidates of duplicated names", async () => {
    const r = await klpmatch([...DEMO, "--format", "markdown"]);
    expect(r.stdout).toMatch(/^## ✅ klpmatch: 3\/3 changed function\(s\) matched/);
    expect(r.stdout).toContain(
      "| object | function | status | objname | old_name | sympos | address | decision | flags |",
    );
    expect(r.stdout).toContain("<details><summary>`helper`");
  });

  it("junit has one testcase per function and fails the ambiguous one", async () => {
    const ok = await klpmatch([...DEMO, "--format", "junit"]);
    expect((ok.stdout.match(/<testcase /g) ?? []).length).toBe(3);
    expect(ok.stdout).not.toContain("<failure");
    const bad = await klpmatch([...TWIN, "--format", "junit"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/<testcase classname="[^"]*" name="twin">\n\s*<failure type="AMBIGUOUS"/);
  });

  it("github prints annotations", async () => {
    const r = await klpmatch([...TWIN, "--format", "github"]);
    expect(r.stdout).toMatch(/^::error file=[^,]*e\.o,title=klpmatch AMBIGUOUS%3A twin::twin: 2 candidates/m);
    expect(r.stdout).toMatch(/^::notice title=klpmatch summary::0\/1 changed function/m);
  });
});

describe("klpmatch match: exit codes", () => {
  it("0 when nothing at --fail-on, 1 when something is, --fail-on none never fails", async () => {
    expect((await klpmatch(DEMO)).exitCode).toBe(0);
    expect((await klpmatch(TWIN)).exitCode).toBe(1);
    expect((await klpmatch([...TWIN, "--fail-on", "none"])).exitCode).toBe(0);
    // a table without __ksymtab_ lines only warns (EXPORTS_UNKNOWN): fails at warning, not at error
    const dir = await tempDir();
    const noExports = join(dir, "kallsyms");
    const text = await readFile(join(M, "gcc/kallsyms.txt"), "utf8");
    await writeFile(noExports, text.replace(/^.* __ksymtab_.*\n/gm, ""));
    const warned = [...DEMO.slice(0, 4), "--kallsyms", noExports];
    expect((await klpmatch(warned)).exitCode).toBe(0);
    const gated = await klpmatch([...warned, "--fail-on", "warning"]);
    expect(gated.exitCode).toBe(1);
    expect(gated.stdout).toContain("warning EXPORTS_UNKNOWN");
  });

  it("2 with one line naming the problem, and no report file, for usage and input errors", async () => {
    const dir = await tempDir();
    const out = join(dir, "r.json");
    const garbage = join(dir, "kallsyms");
    await writeFile(garbage, "ffffffff81000000 T ok\nthis is not a kallsyms line\n");
    const cases: [string[], RegExp][] = [
      [
        [
          "--orig",
          join(M, "gcc/orig/a.o"),
          "--patched",
          join(M, "gcc/patched/a.o"),
          "--kallsyms",
          join(dir, "missing"),
        ],
        /missing: no such file or directory/,
      ],
      [[...DEMO, "--fail-on", "fatal"], /--fail-on: expected one of error, warning, info, none/],
      [
        ["--orig", join(M, "gcc/orig/a.o"), "--patched", join(M, "gcc/patched/a.o")],
        /give the kernel's symbols/,
      ],
      [
        ["--orig", join(M, "gcc/orig/a.o"), "--patched", join(M, "gcc/patched/a.o"), "--kallsyms", garbage],
        /kallsyms: line 2: /,
      ],
      [
        [
          "--orig",
          join(M, "gcc/kallsyms.txt"),
          "--patched",
          join(M, "gcc/kallsyms.txt"),
          "--kallsyms",
          join(M, "gcc/kallsyms.txt"),
        ],
        /kallsyms\.txt: /,
      ],
      [
        [
          "--orig",
          join(M, "gcc/orig"),
          "--patched",
          join(M, "gcc/patched/a.o"),
          "--kallsyms",
          join(M, "gcc/kallsyms.txt"),
        ],
        /both be object files or both build trees/,
      ],
      [[...DEMO, "--format", "yaml"], /Invalid values|format/],
    ];
    for (const [args, message] of cases) {
      const r = await klpmatch([...args, "--out", out]);
      expect(r.exitCode, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe("klpmatch match: --out", () => {
  it("writes the report file whole; a process killed while writing leaves the old file", async () => {
    const dir = await tempDir();
    const out = join(dir, "report.json");
    const old = '{"old": true}\n';
    await writeFile(out, old);
    // a big table makes the run long enough to be killed at different moments
    const base = await readFile(join(M, "gcc/kallsyms.txt"), "utf8");
    const filler = Array.from(
      { length: 300_000 },
      (_, i) => `ffffffff9${i.toString(16).padStart(7, "0")} t filler_${i}`,
    );
    const big = join(dir, "big.kallsyms");
    await writeFile(big, `${base}${filler.join("\n")}\n`);
    const args = [CLI, "match", ...DEMO.slice(0, 4), "--kallsyms", big, "--format", "json", "--out", out];
    const full = await execa("node", args, { reject: false });
    expect(full.exitCode).toBe(0);
    const complete = await readFile(out, "utf8");
    expect(JSON.parse(complete).schemaVersion).toBe(2);
    for (const delay of [50, 150, 300, 450, 600]) {
      await writeFile(out, old);
      const child = spawn("node", args, { stdio: "ignore" });
      const exited = new Promise((r) => child.on("exit", r));
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await exited;
      const now = await readFile(out, "utf8");
      expect([old, complete]).toContain(now);
    }
    expect((await readdir(dir)).filter((n) => n.startsWith("report.json")).sort()).toEqual(["report.json"]);
  });

  it("is deterministic: two runs write byte-identical reports", async () => {
    const dir = await tempDir();
    for (const format of ["json", "text", "markdown", "junit", "github"]) {
      const a = join(dir, `a.${format}`);
      const b = join(dir, `b.${format}`);
      await klpmatch([...DEMO, "--format", format, "--out", a]);
      await klpmatch([...DEMO, "--format", format, "--out", b]);
      expect(await readFile(a, "utf8"), format).toBe(await readFile(b, "utf8"));
    }
  });
});

describe("klpmatch match: --baseline", () => {
  it("prints a unified diff of changed decisions and fails with --fail-on-change", async () => {
    const dir = await tempDir();
    const baseline = join(dir, "baseline.json");
    expect((await klpmatch([...DEMO, "--format", "json", "--out", baseline])).exitCode).toBe(0);

    const same = await klpmatch([
      ...DEMO,
      "--baseline",
      baseline,
      "--fail-on-change",
      "--out",
      join(dir, "same.txt"),
    ]);
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain("decisions unchanged");

    // a new kernel build: one more static `helper` before a.c's shifts its sympos
    const text = await readFile(join(M, "gcc/kallsyms.txt"), "utf8");
    const rebuilt = join(dir, "kallsyms.new");
    await writeFile(rebuilt, `0000000000400f00 t helper\n${text}`);
    const args = [
      ...DEMO.slice(0, 4),
      "--kallsyms",
      rebuilt,
      "--baseline",
      baseline,
      "--out",
      join(dir, "new.txt"),
    ];
    const changed = await klpmatch(args);
    expect(changed.exitCode).toBe(0);
    expect(changed.stdout).toMatch(/^--- .*baseline\.json/m);
    expect(changed.stdout).toMatch(/^\+\+\+ current/m);
    expect(changed.stdout).toMatch(/^-vmlinux a\.o helper -> helper,1 = helper#0$/m);
    expect(changed.stdout).toMatch(/^\+vmlinux a\.o helper -> helper,2 = helper#1$/m);
    const gated = await klpmatch([...args, "--fail-on-change"]);
    expect(gated.exitCode).toBe(1);
    const gatedText = await readFile(join(dir, "new.txt"), "utf8");
    expect(gatedText).toContain("BASELINE_CHANGED");
    expect(gatedText).toContain(
      "vmlinux a.o helper: sympos moved (helper,1 = helper#0 -> helper,2 = helper#1)",
    );
  });

  it("refuses a baseline that is not a match report (exit 2)", async () => {
    const dir = await tempDir();
    const bad = join(dir, "bad.json");
    await writeFile(bad, '{"targets": []}');
    const r = await klpmatch([...DEMO, "--baseline", bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: not a klpmatch match report/);
  });
});

describe("klpmatch match: progress on a terminal", () => {
  // `script` gives the CLI a pseudo-terminal for stderr
  it("draws a bar on a TTY for many objects; NO_COLOR drops its colour; nothing when not a TTY", async () => {
    expect(existsSync("/usr/bin/script"), "script(1) from util-linux gives the pseudo-terminal").toBe(true);
    const dir = await tempDir();
    for (const side of ["orig", "patched"]) {
      await mkdir(join(dir, side));
      for (let i = 0; i < 12; i++) await copyFile(join(M, `gcc/${side}/a.o`), join(dir, side, `a${i}.o`));
    }
    const command = `node ${CLI} match --orig ${dir}/orig --patched ${dir}/patched --kallsyms ${M}/gcc/kallsyms.txt --out ${dir}/r.txt`;
    const tty = await execa("script", ["-qc", command, "/dev/null"], {
      reject: false,
      env: { NO_COLOR: "" },
    });
    expect(tty.stdout).toContain("0/12 a0.o");
    expect(tty.stdout).toContain("\u001b[32m#");
    const plain = await execa("script", ["-qc", command, "/dev/null"], {
      reject: false,
      env: { NO_COLOR: "1" },
    });
    expect(plain.stdout).toContain("] 11/12 ");
    expect(plain.stdout).not.toContain("\u001b[32m");
    const piped = await klpmatch([
      "--orig",
      `${dir}/orig`,
      "--patched",
      `${dir}/patched`,
      "--kallsyms",
      `${M}/gcc/kallsyms.txt`,
    ]);
    expect(piped.stderr).toBe("");
  });
});

describe("klpmatch match: hidden addresses", () => {
  it("the AMBIGUOUS message and the candidate table name candidates the same way (their table lines)", async () => {
    const dir = await tempDir();
    const hidden = join(dir, "kallsyms-hidden.txt");
    const text = await readFile(join(M, "gcc/kallsyms.txt"), "utf8");
    await writeFile(hidden, text.replace(/^[0-9a-f]+ /gm, "0000000000000000 "));
    const r = await klpmatch([...TWIN.slice(0, 4), "--kallsyms", hidden]);
    const message = /error AMBIGUOUS: twin: 2 candidates .*\((.*)\)/.exec(r.stdout);
    expect(message).not.toBeNull();
    const inMessage = [...message![1]!.matchAll(/(line \d+) score/g)].map((m) => m[1]);
    const inTable = [...r.stdout.matchAll(/^ {6}(line \d+) t twin /gm)].map((m) => m[1]);
    expect(inMessage).toHaveLength(2);
    expect(inMessage).toEqual(inTable);
  });
});
