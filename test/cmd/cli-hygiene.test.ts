// CLI hygiene for scripts (issue 12 item 5): unknown options suggest the nearest, every command's
// --help shows an example, its exit codes and environment, --version names the report schema,
// `completion bash` completes, and the exit codes of diff and sympos are the documented ones.
// (Repeated single-value options and `-` for stdin: test/cmd/reliability.test.ts.)
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { MATCH_SCHEMA_VERSION } from "../../lib/report/match-report.js";
import { CLI, FIXTURES } from "../paths.js";

function klpmatch(args: string[]) {
  return execa(process.execPath, [CLI, ...args], { reject: false });
}

const COMMANDS = ["match", "verify", "diff", "sympos", "snapshot", "symbols", "completion"];

describe("unknown options", () => {
  it("suggest the nearest option of the command, on the one usage line, exit 2", async () => {
    const m = await klpmatch(["match", "--orig", "a", "--patched", "b", "--formt", "json"]);
    expect(m.exitCode).toBe(2);
    expect(m.stderr.trimEnd()).toBe(
      "klpmatch: match: Unknown argument: formt; did you mean --format? (run 'klpmatch match --help' for usage)",
    );
    const v = await klpmatch(["verify", "x.ko", "--kalsyms", "k"]);
    expect(v.stderr.trimEnd()).toMatch(/Unknown argument: kalsyms; did you mean --kallsyms\?/);
    const two = await klpmatch(["verify", "x.ko", "--expct", "e", "--previus", "p"]);
    expect(two.stderr.trimEnd()).toMatch(
      /Unknown arguments: expct, previus; expct: did you mean --expect\?; previus: did you mean --previous\?/,
    );
  });

  it("nothing close: no suggestion", async () => {
    const r = await klpmatch(["verify", "x.ko", "--zzzzzz"]);
    expect(r.stderr.trimEnd()).toBe(
      "klpmatch: verify: Unknown argument: zzzzzz (run 'klpmatch verify --help' for usage)",
    );
  });
});

describe("--help and --version", () => {
  it.each(COMMANDS)("%s --help: an example, the exit codes, the environment", async (command) => {
    const r = await klpmatch([command, "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Examples:\\n {2}klpmatch ${command === "completion" ? "source|completion" : command}`,
        "m",
      ),
    );
    expect(r.stdout).toMatch(/^Exit codes:\n {2}0 {3}done/m);
    expect(r.stdout).toMatch(/^ {2}2 {3}usage or input error/m);
    expect(r.stdout).toMatch(/^ {2}70 {2}internal error/m);
    expect(r.stdout).toMatch(/^Environment:\n {2}NO_COLOR/m);
  });

  it("diff and sympos document their exit 1; symbols does not exit 1", async () => {
    expect((await klpmatch(["diff", "--help"])).stdout).toMatch(/^ {2}1 {3}a pair is unsupported/m);
    expect((await klpmatch(["sympos", "--help"])).stdout).toMatch(/^ {2}1 {3}the name has no symbol/m);
    expect((await klpmatch(["symbols", "--help"])).stdout).not.toMatch(/^ {2}1 /m);
  });

  it("--version: the version, then the report schemaVersion it writes and reads", async () => {
    const r = await klpmatch(["--version"]);
    expect(r.stdout.split("\n")[1]).toBe(`report schemaVersion ${MATCH_SCHEMA_VERSION} (reads 1, 2)`);
  });
});

describe("exit codes", () => {
  it("diff: an unsupported pair is exit 1; sympos: a name with no symbol is exit 1", async () => {
    const d = join(FIXTURES, "diff", "gcc");
    expect((await klpmatch(["diff", join(d, "data.orig.o"), join(d, "data.patched.o")])).exitCode).toBe(1);
    expect((await klpmatch(["diff", join(d, "replace.orig.o"), join(d, "replace.patched.o")])).exitCode).toBe(
      0,
    );
    const k = join(FIXTURES, "match", "gcc", "kallsyms.txt");
    expect((await klpmatch(["sympos", "no_such_fn", "--kallsyms", k])).exitCode).toBe(1);
    expect((await klpmatch(["sympos", "helper", "--kallsyms", k])).exitCode).toBe(0);
  });

  it("diff: linked objects with an unsupported unit are exit 1 too, and 0 without", async () => {
    // two files linked (ld -r): a linked object of two translation units, diffed unit by unit
    const d = join(FIXTURES, "diff", "gcc");
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-linked-exit-"));
    const link = (out: string, data: string) =>
      execFileSync("ld", ["-r", "-o", join(dir, out), join(d, data), join(d, "clones.orig.o")]);
    link("orig.o", "data.orig.o");
    link("patched.o", "data.patched.o");
    link("same.o", "data.orig.o");
    const unsupported = await klpmatch(["diff", join(dir, "orig.o"), join(dir, "patched.o")]);
    expect(unsupported.stdout).toMatch(/translation units/);
    expect(unsupported.exitCode).toBe(1);
    expect((await klpmatch(["diff", join(dir, "orig.o"), join(dir, "same.o")])).exitCode).toBe(0);
  });
});

describe("completion bash", () => {
  async function complete(words: string[]): Promise<string[]> {
    const script = (await klpmatch(["completion", "bash"])).stdout;
    const r = await execa(
      "bash",
      [
        "-c",
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _klpmatch; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { reject: false },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    return r.stdout.split("\n").filter((l) => l !== "");
  }

  it("completes the commands, then each command's own options", async () => {
    expect(await complete(["klpmatch", "ve"])).toEqual(["verify"]);
    expect(await complete(["klpmatch", "match", "--rep"])).toEqual(["--report"]);
    expect(await complete(["klpmatch", "verify", "--pre"])).toEqual(["--previous"]);
    expect(await complete(["klpmatch", "match", "--orig", "x", "--fail-on"])).toEqual([
      "--fail-on",
      "--fail-on-change",
    ]);
  });

  it("another shell is exit 2", async () => {
    const r = await klpmatch(["completion", "zsh"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trimEnd()).toBe("klpmatch: completion: no completion for 'zsh': bash only");
  });
});
