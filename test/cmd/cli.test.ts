// The command line as the package ships it (dist/bin: two CommonJS bundles, yargs inside the second):
// version, help, and the text-width function that stands in for string-width in the bundle.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import textWidth from "../../cmd/text-width.js";
import { CLI, ROOT } from "../paths.js";

const ownVersion = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string })
  .version;

function klpmatch(args: string[], cwd?: string) {
  return execa(process.execPath, [CLI, ...args], { reject: false, cwd });
}

describe("klpmatch --version and --help", () => {
  it("prints klpmatch's own version, even run from inside another package", async () => {
    // yargs, left to guess, would read the package.json it finds first from the bundle or the cwd
    const other = mkdtempSync(join(tmpdir(), "klpmatch-cli-"));
    writeFileSync(join(other, "package.json"), JSON.stringify({ name: "other", version: "9.9.9" }));
    const run = await klpmatch(["--version"], other);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(ownVersion);
  });

  it("lists every command, each with its description, in the bundled yargs' layout", async () => {
    const run = await klpmatch(["--help"]);
    expect(run.exitCode).toBe(0);
    for (const command of ["match", "diff", "sympos", "verify", "symbols"]) {
      expect(run.stdout).toMatch(new RegExp(`^ {2}klpmatch ${command} {2,}\\S`, "m"));
    }
    // the options column lines up: every option's description starts in the same column
    const starts = run.stdout
      .split("\n")
      .map((line) => /^ {2}--\S+ {2,}/.exec(line)?.[0].length)
      .filter((start) => start !== undefined);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(starts).size).toBe(1);
  });

  it("a command's help names its own options", async () => {
    const run = await klpmatch(["match", "--help"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("--kallsyms");
    expect(run.stdout).toContain("--fail-on");
  });

  it("an unknown command is one line and exit 2", async () => {
    const run = await klpmatch(["frobnicate"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.split("\n")[0]).toMatch(/^klpmatch: /);
  });
});

describe("textWidth (string-width's stand-in for yargs' help layout)", () => {
  it("counts ASCII one column a character", () => {
    expect(textWidth("")).toBe(0);
    expect(textWidth("--kallsyms FILE")).toBe(15);
  });

  it("gives escape sequences no columns", () => {
    expect(textWidth("\u001b[1mbold\u001b[22m")).toBe(4);
    expect(textWidth("\u001b]8;;https://kernel.org\u0007link\u001b]8;;\u0007")).toBe(4);
  });

  it("gives East Asian wide characters two columns and combining marks none", () => {
    expect(textWidth("内核")).toBe(4);
    expect(textWidth("e\u0301")).toBe(1);
    expect(textWidth("ｋｌｐ")).toBe(6);
    expect(textWidth("naïve")).toBe(5);
  });
});
