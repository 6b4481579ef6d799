// Decisions compared by identity, not by address or path (issue 12 item 1): a KASLR offset, a
// System.map against a kallsyms of the same build, the same tree from another path: no change; a
// sympos that really moved, a new ambiguity: each caught with its own message and exit 1.
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { shiftTable } from "../kaslr.js";
import { CLI, FIXTURES } from "../paths.js";

const G = join(FIXTURES, "match", "gcc");
const PAIR = ["--orig", join(G, "orig"), "--patched", join(G, "patched")];

function klpmatch(args: string[], cwd?: string) {
  return execa("node", [CLI, ...args], { reject: false, ...(cwd !== undefined ? { cwd } : {}) });
}

let dir: string;
let baseline: string;
let kaslr: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "klpmatch-identity-"));
  // the report is made from System.map, the checks run on a kallsyms of a KASLR boot
  baseline = join(dir, "base.json");
  const made = await klpmatch([
    "match",
    ...PAIR,
    "--system-map",
    join(G, "System.map"),
    "--format",
    "json",
    "--out",
    baseline,
  ]);
  expect(made.exitCode).toBe(0);
  kaslr = join(dir, "kallsyms.kaslr");
  await writeFile(kaslr, shiftTable(await readFile(join(G, "kallsyms.txt"), "utf8"), 0xffffffff80c00000n));
});

describe("identity: no change where only addresses or paths differ", () => {
  it("System.map report against a KASLR-shifted kallsyms: --fail-on-change passes", async () => {
    const r = await klpmatch([
      "match",
      ...PAIR,
      "--kallsyms",
      kaslr,
      "--baseline",
      baseline,
      "--fail-on-change",
      "--out",
      join(dir, "kaslr.txt"),
    ]);
    expect(r.stdout).toBe(`decisions unchanged against ${baseline}`);
    expect(r.exitCode).toBe(0);
    // the shift really is there: the addresses of the two runs differ
    const json = JSON.parse(await readFile(baseline, "utf8")) as {
      objects: { functions: { target: { address: string } }[] }[];
    };
    expect(json.objects[0]!.functions[0]!.target.address).toMatch(/^0x40/);
    expect(await readFile(join(dir, "kaslr.txt"), "utf8")).toMatch(/0xffffffff8100/);
  });

  it("verify --expect of the System.map report passes on the KASLR kallsyms", async () => {
    const r = await klpmatch([
      "verify",
      "--targets",
      baseline,
      "--kallsyms",
      kaslr,
      "--expect",
      baseline,
      "--format",
      "json",
    ]);
    const out = JSON.parse(r.stdout) as { targets: { expected: { agrees: boolean; by: string } }[] };
    expect(out.targets.length).toBeGreaterThan(3);
    expect(out.targets.every((t) => t.expected.agrees)).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it("the same tree from an absolute and from a relative path: no change", async () => {
    const moved = join(dir, "elsewhere");
    await cp(G, moved, { recursive: true });
    const r = await klpmatch(
      [
        "match",
        "--orig",
        "orig",
        "--patched",
        "patched",
        "--system-map",
        "System.map",
        "--baseline",
        baseline,
        "--fail-on-change",
        "--format",
        "json",
        "--out",
        join(dir, "moved.json"),
      ],
      moved,
    );
    expect(r.stdout).toBe(`decisions unchanged against ${baseline}`);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(await readFile(join(dir, "moved.json"), "utf8")) as {
      objects: { orig: string; relative: string }[];
    };
    expect(json.objects.map((o) => [o.orig, o.relative])).toContainEqual(["orig/a.o", "a.o"]);
  });
});

describe("identity: a real change is caught, each with its own message", () => {
  it("a sympos that really moved: BASELINE_CHANGED 'sympos moved', exit 1", async () => {
    // one more static helper before a.c's: the same symbol is helper,2 now
    const text = await readFile(kaslr, "utf8");
    const rebuilt = join(dir, "kallsyms.moved");
    await writeFile(rebuilt, `ffffffff81000f00 t helper\n${text}`);
    const r = await klpmatch([
      "match",
      ...PAIR,
      "--kallsyms",
      rebuilt,
      "--baseline",
      baseline,
      "--fail-on-change",
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      "vmlinux a.o helper: sympos moved (helper,1 = helper#0 -> helper,2 = helper#1)",
    );
    expect(r.stderr).toMatch(/^\+vmlinux a\.o helper -> helper,2 = helper#1$/m);
  });

  it("a new ambiguity: BASELINE_CHANGED 'now ambiguous', exit 1", async () => {
    // a second copy of b.c's symbols: b_solo has two candidates and nothing to tell them apart
    const copy = [
      "ffffffff81001a00 t beta_first",
      "ffffffff81001a10 t b_api",
      "ffffffff81001a30 t b_run",
      "ffffffff81001a60 t b_solo",
      "ffffffff81001a90 t beta_second",
    ];
    const lines = (await readFile(kaslr, "utf8")).trimEnd().split("\n");
    const twice = join(dir, "kallsyms.twice");
    await writeFile(twice, `${[...lines, ...copy].sort().join("\n")}\n`);
    const r = await klpmatch([
      "match",
      ...PAIR,
      "--kallsyms",
      twice,
      "--baseline",
      baseline,
      "--fail-on-change",
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("vmlinux b.o b_solo: now ambiguous (b_solo,0 = b_solo#0 -> AMBIGUOUS (2))");
  });

  it("verify --expect: a target with another sympos than the report decided is EXPECT_MISMATCH, exit 1", async () => {
    const list = join(dir, "moved.tsv");
    await writeFile(list, "vmlinux helper 2\n");
    const r = await klpmatch(["verify", "--targets", list, "--kallsyms", kaslr, "--expect", baseline]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      /EXPECT_MISMATCH: vmlinux:helper,2: helper,2 resolves to .* t helper, but .*base\.json: \S+ expects helper,1 \(0x\S+ t helper\)/,
    );
  });
});

describe("identity: a schemaVersion-1 baseline (no `relative`)", () => {
  it("is still read; its objects are keyed by the current report's relative path that ends theirs", async () => {
    const v1 = JSON.parse(await readFile(baseline, "utf8")) as {
      schemaVersion: number;
      objects: { relative?: string; orig: string }[];
    };
    v1.schemaVersion = 1;
    for (const o of v1.objects) {
      o.orig = `/some/old/workspace/orig/${o.relative}`;
      delete o.relative;
    }
    const old = join(dir, "v1.json");
    await writeFile(old, JSON.stringify(v1));
    const r = await klpmatch([
      "match",
      ...PAIR,
      "--kallsyms",
      kaslr,
      "--baseline",
      old,
      "--fail-on-change",
      "--out",
      join(dir, "v1.txt"),
    ]);
    expect(r.stdout).toBe(`decisions unchanged against ${old}`);
    expect(r.exitCode).toBe(0);
  });
});
