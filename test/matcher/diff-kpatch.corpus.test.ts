// The diff step against kpatch's own create-diff-object on its unit-test objects: 58 real kernel
// object pairs (x86_64, ppc64le, s390x, aarch64, loongarch64) with kpatch's verdict, changed and
// new lists (../shared/corpus/kpatch-unit/expected.json). At least 56 must agree exactly; every
// accepted disagreement is listed below with its reason, and a listed case that starts agreeing
// fails the test so the list stays true.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/read-file.js";
import type { DiffVerdict } from "../../lib/report/diff-types.js";
import { diffObjects } from "../../matcher/diff.js";
import { corpusPath } from "../corpus.js";

interface Expected {
  readonly arch: string;
  readonly case: string;
  readonly patched: string;
  readonly verdict: "patchable" | "no-change" | "unsupported" | "error";
  readonly changed: readonly string[];
  readonly new: readonly string[];
}

/**
 * Cases where klpmatch is allowed to differ from kpatch, keyed `<arch>/<case>`, with why.
 * Empty: every case agrees today. Add an entry only with a reason a reviewer can check.
 */
const ACCEPTED_DISAGREEMENTS: Readonly<Record<string, string>> = {};

/**
 * kpatch refuses a pair two ways: exit 2 ("unreconcilable difference", unsupported) and exit 1
 * (an error it found while building the output, e.g. a ppc64le sibling call). klpmatch has one
 * refusal verdict, `unsupported`, with the cause named.
 */
function expectedVerdict(v: Expected["verdict"]): DiffVerdict {
  return v === "error" ? "unsupported" : v;
}

const expected: Expected[] = JSON.parse(readFileSync(corpusPath("kpatch-unit", "expected.json"), "utf8"));

interface Outcome {
  readonly agrees: boolean;
  readonly got: { verdict: string; changed: string[]; new: string[] };
  readonly want: { verdict: string; changed: string[]; new: string[] };
}

const outcomes = new Map<string, Outcome>();

async function run(e: Expected): Promise<Outcome> {
  const dir = corpusPath("kpatch-unit", e.arch);
  const [o, p] = await Promise.all([
    readElfFile(`${dir}/${e.case}.ORIG.o`),
    readElfFile(`${dir}/${e.patched}`),
  ]);
  const d = diffObjects(o, p);
  const got = {
    verdict: d.verdict as string,
    changed: d.changed.map((f) => f.name).sort(),
    new: d.new.map((f) => f.name).sort(),
  };
  const want = {
    verdict: expectedVerdict(e.verdict) as string,
    changed: [...e.changed].sort(),
    new: [...e.new].sort(),
  };
  const agrees = JSON.stringify(got) === JSON.stringify(want);
  const outcome = { agrees, got, want };
  outcomes.set(`${e.arch}/${e.case}`, outcome);
  return outcome;
}

describe("kpatch-unit: every case", () => {
  it("has 58 cases over five arches", () => {
    expect(expected).toHaveLength(58);
    expect(new Set(expected.map((e) => e.arch))).toEqual(
      new Set(["x86_64", "ppc64le", "s390x", "aarch64", "loongarch64"]),
    );
  });

  for (const e of expected) {
    const key = `${e.arch}/${e.case}`;
    const accepted = ACCEPTED_DISAGREEMENTS[key];
    it(`${key}: ${accepted ? `differs (accepted: ${accepted})` : "agrees with kpatch"}`, async () => {
      const outcome = await run(e);
      if (accepted)
        expect(outcome.agrees, `${key} now agrees: remove it from ACCEPTED_DISAGREEMENTS`).toBe(false);
      else expect(outcome.got).toEqual(outcome.want);
    });
  }

  it("at least 56 of 58 agree exactly on verdict, changed set and new set", async () => {
    for (const e of expected) if (!outcomes.has(`${e.arch}/${e.case}`)) await run(e);
    const agreeing = [...outcomes.values()].filter((o) => o.agrees).length;
    expect(agreeing).toBeGreaterThanOrEqual(56);
    expect(Object.keys(ACCEPTED_DISAGREEMENTS).length).toBeLessThanOrEqual(2);
  });
});

describe("kpatch-unit: the reasons behind the verdicts", () => {
  const diffOf = async (arch: string, c: string) => {
    const e = expected.find((x) => x.arch === arch && x.case === c)!;
    const dir = corpusPath("kpatch-unit", arch);
    return diffObjects(await readElfFile(`${dir}/${c}.ORIG.o`), await readElfFile(`${dir}/${e.patched}`));
  };

  it("a changed __init function: unsupported, changed init section named", async () => {
    const d = await diffOf("x86_64", "meminfo-init");
    expect(d.unsupported.join("\n")).toMatch(/changed init section \.init\.text/);
  });

  it("ppc64le sibling call in a changed function: unsupported, the call site named", async () => {
    const d = await diffOf("ppc64le", "ppc64le-sibling-call-issue-1003");
    expect(d.unsupported.join("\n")).toMatch(/sibling call at xs_tcp_shutdown\+0xac/);
  });

  it("WARN line shifts only: no change, the shifted functions listed as line-only", async () => {
    const d = await diffOf("x86_64", "warn-detect");
    expect(d.verdict).toBe("no-change");
    expect(d.lineOnly.length).toBeGreaterThan(10);
  });

  it("constprop clones renumbered with their sizes swapped are paired by content (kpatch issue 935)", async () => {
    const d = await diffOf("ppc64le", "gcc-constprop-2-issue-935");
    expect(d.renamed).toContainEqual(
      expect.objectContaining({
        orig: "timekeeping_update.constprop.10",
        patched: "timekeeping_update.constprop.11",
      }),
    );
  });

  it("__UNIQUE_ID_ counters renumbered by the patch are correlated, not new", async () => {
    const d = await diffOf("x86_64", "line-detect-issue-1253");
    const unique = d.renamed.filter((r) => r.orig.startsWith("__UNIQUE_ID_"));
    expect(unique.length).toBeGreaterThan(0);
    expect(unique.every((r) => r.patched.startsWith("__UNIQUE_ID_") && r.orig !== r.patched)).toBe(true);
  });

  it("a .cold child added to a changed function is folded into it", async () => {
    const d = await diffOf("x86_64", "cold-add");
    expect(d.reasons.meminfo_proc_open?.join("\n")).toMatch(/child meminfo_proc_open\.cold\.0 added/);
  });
});
