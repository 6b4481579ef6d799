// Issue 14 through the shipped CLI: bad JSON inputs, nonsense values, one-line errors, `-` for
// standard input, --out that never clobbers, FIFOs and devices as inputs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

const M = join(FIXTURES, "match", "gcc");
const KALLSYMS = join(M, "kallsyms.txt");
const PAIR = ["--orig", join(M, "orig"), "--patched", join(M, "patched")];
const MATCH = ["match", ...PAIR, "--kallsyms", KALLSYMS];
const VERIFY_KALLSYMS = join(FIXTURES, "verify", "kallsyms.txt");
const tmp = () => mkdtempSync(join(tmpdir(), "klpmatch-rel-cli-"));

function klpmatch(args: string[], input?: string | Buffer) {
  return execa(process.execPath, [CLI, ...args], { reject: false, input: input ?? "", encoding: "utf8" });
}

/** The run failed with exit 2 and exactly one line on stderr matching `line`. */
function expectOneLine(run: { exitCode?: number; stderr: string; stdout: string }, line: RegExp): void {
  expect(run.exitCode, run.stderr).toBe(2);
  expect(run.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  expect(run.stderr.trimEnd()).toMatch(line);
  expect(run.stderr.length).toBeLessThanOrEqual(320);
  expect(run.stderr).not.toMatch(/internal error/);
}

describe("structured input (item 1)", () => {
  it("a --baseline whose entries lack fields: one line naming the file and the path", async () => {
    const dir = tmp();
    const baseline = join(dir, "old.json");
    writeFileSync(baseline, '{"schemaVersion":1,"objects":[{}],"references":[]}');
    expectOneLine(
      await klpmatch([...MATCH, "--baseline", baseline]),
      /^klpmatch: .*old\.json: not a klpmatch match report: tool: missing$/,
    );
  });

  it("schemaVersion 99 as --targets and as --expect is an error", async () => {
    const dir = tmp();
    const report = join(dir, "r.json");
    writeFileSync(report, '{"schemaVersion":99,"objects":[{}],"references":[]}');
    const version =
      /r\.json: not a klpmatch match report: schemaVersion: unknown version 99 \(this klpmatch reads 1, 2\)$/;
    expectOneLine(await klpmatch(["verify", "--targets", report, "--kallsyms", VERIFY_KALLSYMS]), version);
    const list = join(dir, "t.tsv");
    writeFileSync(list, "vmlinux fxt_unique 0\n");
    expectOneLine(
      await klpmatch(["verify", "--targets", list, "--kallsyms", VERIFY_KALLSYMS, "--expect", report]),
      version,
    );
  });
});

describe("one line, always (item 3)", () => {
  it("a JSON syntax error is line:column, and a UTF-8 BOM before JSON is accepted", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "bad.json"), '{"a":\n 1,}');
    expectOneLine(
      await klpmatch([...MATCH, "--baseline", join(dir, "bad.json")]),
      /bad\.json: not valid JSON at 2:4: unexpected '\}'$/,
    );
    writeFileSync(join(dir, "t.json"), '\ufeff[{"objname":"vmlinux","oldName":"fxt_unique","oldSympos":0}]');
    const run = await klpmatch(["verify", "--targets", join(dir, "t.json"), "--kallsyms", VERIFY_KALLSYMS]);
    expect(run.exitCode, run.stderr).toBe(0);
  });

  it("control characters in a name are escaped as readelf does", async () => {
    const run = await klpmatch([
      "diff",
      join(M, "orig", "a.o"),
      join(M, "patched", "a.o"),
      "--explain",
      "a\nb\u001b",
    ]);
    expectOneLine(run, /^klpmatch: a\^Jb\^\[: no function of that name/);
  });

  it("usage errors are one line with the command's --help hint", async () => {
    expectOneLine(
      await klpmatch([...MATCH, "--bogus"]),
      /^klpmatch: match: Unknown argument: bogus \(run 'klpmatch match --help' for usage\)$/,
    );
    expectOneLine(
      await klpmatch([...MATCH, "--format", "nope"]),
      /^klpmatch: match: Invalid values:; Argument: format, Given: "nope".*\(run 'klpmatch match --help' for usage\)$/,
    );
  });
});

describe("- is standard input (item 4)", () => {
  it("match --kallsyms -, verify --targets -, diff - X and symbols -", async () => {
    const kallsyms = readFileSync(KALLSYMS);
    const fromFile = await klpmatch([...MATCH, "--format", "json"]);
    const fromStdin = await klpmatch(["match", ...PAIR, "--kallsyms", "-", "--format", "json"], kallsyms);
    expect(fromStdin.exitCode, fromStdin.stderr).toBe(0);
    const decisions = (out: string) => (JSON.parse(out) as { objects: unknown[] }).objects;
    expect(decisions(fromStdin.stdout)).toEqual(decisions(fromFile.stdout));

    const verify = await klpmatch(["verify", "--targets", "-", "--kallsyms", KALLSYMS], "vmlinux helper 1\n");
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/1 target\(s\): 1 resolved/);

    const orig = join(FIXTURES, "diff", "gcc", "data.orig.o");
    const patched = join(FIXTURES, "diff", "gcc", "data.patched.o");
    const diff = await klpmatch(["diff", "-", patched], readFileSync(orig));
    // the data pair is unsupported: exit 1, a result (exit 2 would be an input error)
    expect(diff.exitCode, diff.stderr).toBe(1);
    expect(diff.stdout).toMatch(/changed data: limits/);

    const symbols = await klpmatch(["symbols", "-"], readFileSync(orig));
    expect(symbols.exitCode, symbols.stderr).toBe(0);
    expect(symbols.stdout).toMatch(/Symbol table '\.symtab'/);
  });

  it("a - after a command's own flag (verify --live -) is the standard input, not the flag's value", async () => {
    const root = join(FIXTURES, "live", "root");
    const ko = readFileSync(join(FIXTURES, "live", "lp_new.ko"));
    const named = await klpmatch(["verify", "--root", root, "--live", join(FIXTURES, "live", "lp_new.ko")]);
    const piped = await klpmatch(["verify", "--root", root, "--live", "-"], ko);
    expect(piped.exitCode, piped.stderr).toBe(named.exitCode);
    expect(piped.stdout).toMatch(/^klpmatch verify: \/dev\/stdin \(klp_func\)/);
  });

  it("standard input named twice is an error", async () => {
    expectOneLine(
      await klpmatch(["verify", "--targets", "-", "--kallsyms", "-"]),
      /^klpmatch: verify: -: standard input named twice/,
    );
    expectOneLine(await klpmatch(["diff", "-", "-"]), /^klpmatch: diff: -: standard input named twice/);
  });
});

describe("--out never clobbers (item 5)", () => {
  it("an unwritable --out names the path given; /dev/stdout is written through", async () => {
    const out = join(tmp(), "missing-dir", "r.txt");
    expectOneLine(
      await klpmatch([...MATCH, "--out", out]),
      new RegExp(
        `^klpmatch: ${out.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: cannot write the report: its directory does not exist$`,
      ),
    );
    const run = await klpmatch([...MATCH, "--out", "/dev/stdout"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/3 changed function\(s\): 3 decided/);
  });
});

describe("files that are not files (item 6)", () => {
  it("a FIFO or a character device given by name is refused at once", async () => {
    const fifo = join(tmp(), "fifo");
    execFileSync("mkfifo", [fifo]);
    expectOneLine(
      await klpmatch(["verify", "--targets", fifo, "--kallsyms", VERIFY_KALLSYMS]),
      /fifo: is a FIFO \(named pipe\), not a file: give it as - \(standard input\) to stream it$/,
    );
    expectOneLine(
      await klpmatch(["match", ...PAIR, "--kallsyms", "/dev/zero"]),
      /\/dev\/zero: is a character device/,
    );
  });
});

describe("non-UTF-8 file names (item 6)", () => {
  it("an existing file whose name is not UTF-8 is read, not 'no such file'", async () => {
    const dir = tmp();
    const name = Buffer.concat([Buffer.from(`${dir}/ob`), Buffer.from([0xff]), Buffer.from("j.o")]);
    writeFileSync(name, readFileSync(join(FIXTURES, "diff", "gcc", "data.orig.o")));
    // execa passes the argument as UTF-8: the name as the shell would hand its bytes to node
    const run = execa(
      "sh",
      [
        "-c",
        `exec "$0" "$1" diff "$(printf '%s/ob\\377j.o' "$2")" "$3"`,
        process.execPath,
        CLI,
        dir,
        join(FIXTURES, "diff", "gcc", "data.patched.o"),
      ],
      { reject: false },
    );
    const done = await run;
    // read, and diffed: the data pair is unsupported (exit 1), not an input error (2)
    expect(done.exitCode, done.stderr).toBe(1);
    expect(done.stdout).toMatch(/changed data: limits/);
  });
});

describe("nonsense values (item 7)", () => {
  it("--kernel out of range, or given twice, is a usage error naming the option", async () => {
    expectOneLine(
      await klpmatch([...MATCH, "--kernel", "99999999999999999999.1"]),
      /^klpmatch: match: --kernel: '99999999999999999999\.1' is not a kernel version: its numbers are out of range/,
    );
    expectOneLine(
      await klpmatch([...MATCH, "--kernel", "6.1", "--kernel", "6.12"]),
      /^klpmatch: match: --kernel: given more than once; it takes one value/,
    );
    // --objname takes several values for match, one for sympos
    expectOneLine(
      await klpmatch([
        "sympos",
        "helper",
        "--kallsyms",
        KALLSYMS,
        "--objname",
        "vmlinux",
        "--objname",
        "vmlinux",
      ]),
      /^klpmatch: sympos: --objname: given more than once; it takes one value/,
    );
  });

  it("an empty Module.symvers, an empty tree, an empty or /dev/null report are errors", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "Module.symvers"), "");
    expectOneLine(
      await klpmatch([...MATCH, "--symvers", join(dir, "Module.symvers")]),
      /Module\.symvers: is empty/,
    );
    expectOneLine(
      await klpmatch(["match", "--orig", dir, "--patched", join(M, "patched"), "--kallsyms", KALLSYMS]),
      /holds no kernel object files \(\*\.o\): not a build tree$/,
    );
    writeFileSync(join(dir, "empty.json"), "");
    expectOneLine(
      await klpmatch(["verify", "--targets", join(dir, "empty.json"), "--kallsyms", VERIFY_KALLSYMS]),
      /empty\.json: is empty, expected a target list/,
    );
    const list = join(dir, "t.tsv");
    writeFileSync(list, "vmlinux fxt_unique 0\n");
    expectOneLine(
      await klpmatch(["verify", "--targets", list, "--kallsyms", VERIFY_KALLSYMS, "--expect", "/dev/null"]),
      /\/dev\/null: is a character device/,
    );
  });
});
