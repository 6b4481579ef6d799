// `--report FORMAT=FILE` (issue 12 item 2): one run writes every format, each byte-identical to the
// single-format run; `-` is stdout; malformed specs and two reports on one file are usage errors.
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { REPORT_FORMATS } from "../../lib/report/common.js";
import { CLI, FIXTURES } from "../paths.js";

const G = join(FIXTURES, "match", "gcc");
// a run with a warning (OBJNAME_ASSUMED on an object given alone) and an error (the twin's ambiguity)
const MATCH = [
  "match",
  "--orig",
  join(G, "orig/e.o"),
  "--patched",
  join(G, "patched-twin/e.o"),
  "--kallsyms",
  join(G, "kallsyms.txt"),
];
const VERIFY = [
  "verify",
  join(FIXTURES, "verify", "lp_kpatch.ko"),
  "--kallsyms",
  join(FIXTURES, "verify", "kallsyms.txt"),
];

function klpmatch(args: string[]) {
  return execa("node", [CLI, ...args], { reject: false, stripFinalNewline: false });
}

describe.each([
  ["match", MATCH],
  ["verify", VERIFY],
])("%s --report", (_name, base) => {
  it("one run writes every format; each is byte-identical to its single-format run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-reports-"));
    const specs = REPORT_FORMATS.flatMap((f) => ["--report", `${f}=${join(dir, `r.${f}`)}`]);
    const all = await klpmatch([...base, ...specs]);
    expect(all.stdout).toBe("");
    expect((await readdir(dir)).sort()).toEqual(REPORT_FORMATS.map((f) => `r.${f}`).sort());
    for (const format of REPORT_FORMATS) {
      const single = await klpmatch([...base, "--format", format]);
      expect(single.exitCode).toBe(all.exitCode);
      expect(await readFile(join(dir, `r.${format}`), "utf8"), format).toBe(single.stdout);
    }
    expect(all.exitCode).toBe(1);
  });

  it("- writes one of them to stdout; --out adds one more in --format", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-reports-"));
    const r = await klpmatch([
      ...base,
      "--report",
      "github=-",
      "--report",
      `junit=${join(dir, "r.xml")}`,
      "--format",
      "json",
      "--out",
      join(dir, "r.json"),
    ]);
    expect(r.stdout).toBe((await klpmatch([...base, "--format", "github"])).stdout);
    expect(await readFile(join(dir, "r.xml"), "utf8")).toBe(
      (await klpmatch([...base, "--format", "junit"])).stdout,
    );
    expect(JSON.parse(await readFile(join(dir, "r.json"), "utf8"))).toHaveProperty("schemaVersion");
  });

  it("a spec without FORMAT=FILE, an unknown format, two reports on one file: one usage line, exit 2", async () => {
    for (const [args, message] of [
      [["--report", "json"], /--report: expected FORMAT=FILE .* got 'json'/],
      [["--report", "yaml=r.yaml"], /--report: expected FORMAT=FILE .* got 'yaml=r\.yaml'/],
      [["--report", "json=-", "--report", "text=-"], /--report: two reports to standard output/],
      [
        ["--report", "json=/tmp/same", "--report", "junit=/tmp/same"],
        /--report: \/tmp\/same: named for two reports/,
      ],
    ] as const) {
      const r = await klpmatch([...base, ...args]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });
});
