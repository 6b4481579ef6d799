// Acceptance on real kernels: every oracle pair (Linux 6.12, gcc and clang ThinLTO), matched against
// the booted kernel's kallsyms and its System.map, gives the pair the booted kernel resolved to this
// file's copy — or says ambiguous with that copy among the candidates. Never a wrong pair.
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { FunctionReport, MatchReport } from "../../lib/report/match-report.js";
import { matchPatch } from "../../pipeline/match.js";
import { corpusPath } from "../corpus.js";
import { CLI } from "../paths.js";

interface TruthChange {
  readonly function: string;
  readonly address: string;
  readonly oldName: string;
  readonly oldSympos: number;
  readonly agrees: boolean;
}

interface Case {
  readonly tree: "gcc" | "clang" | "clang-rebuilt";
  readonly pair: string;
  readonly dir: string;
  readonly object: string;
  readonly objname: string;
  readonly changed: readonly TruthChange[];
}

async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  for (const tree of ["gcc", "clang", "clang-rebuilt"] as const) {
    const root = corpusPath("oracle", tree, "pairs");
    const entries = await readdir(root, { withFileTypes: true });
    for (const pair of entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()) {
      const dir = join(root, pair);
      const truth = JSON.parse(await readFile(join(dir, "truth.json"), "utf8")) as {
        objname: string;
        changed: TruthChange[];
      };
      const [object] = await readdir(join(dir, "orig"));
      out.push({ tree, pair, dir, object: object!, objname: truth.objname, changed: truth.changed });
    }
  }
  return out;
}

const all = await cases();

type Outcome = "decided" | "ambiguous";

/** The function's outcome, failing the test on a wrong pair or a missing candidate. */
function check(report: MatchReport, c: Case, t: TruthChange, addressesKnown: boolean): Outcome {
  const fn: FunctionReport | undefined = report.objects
    .flatMap((o) => o.functions)
    .find((f) => f.name === t.function && f.status === "changed");
  expect(fn, `${c.tree}/${c.pair}: ${t.function} reported as changed`).toBeDefined();
  const truthLine = fn!.candidates.find((x) => x.oldName === t.oldName && x.oldSympos === t.oldSympos);
  if (fn!.target !== null) {
    expect({
      objname: fn!.target.objname,
      oldName: fn!.target.oldName,
      oldSympos: fn!.target.oldSympos,
    }).toEqual({
      objname: c.objname,
      oldName: t.oldName,
      oldSympos: t.oldSympos,
    });
    if (addressesKnown) expect(fn!.target.address).toBe(t.address);
    return "decided";
  }
  expect(fn!.decision, `${c.tree}/${c.pair}: ${t.function} neither decided nor ambiguous`).toBe("ambiguous");
  expect(fn!.flags.map((f) => f.code)).toContain("AMBIGUOUS");
  // the right symbol is among the candidates (the pair that reaches it, and its address)
  expect(truthLine, `${c.tree}/${c.pair}: truth among candidates`).toBeDefined();
  if (addressesKnown) expect(truthLine!.address).toBe(t.address);
  return "ambiguous";
}

function sourcesFor(c: Case, kind: "kallsyms" | "system-map"): { kallsyms?: string; systemMap?: string } {
  if (c.objname !== "vmlinux")
    return { kallsyms: corpusPath("oracle", c.tree, "module-target", "kallsyms.txt") };
  return kind === "kallsyms"
    ? { kallsyms: corpusPath("oracle", c.tree, "kallsyms.txt") }
    : { systemMap: corpusPath("oracle", c.tree, "System.map") };
}

describe("match on the oracle pairs (booted 6.12, gcc and clang ThinLTO)", () => {
  const tally: Record<string, number> = {};
  for (const kind of ["kallsyms", "system-map"] as const) {
    for (const c of all) {
      // System.map holds vmlinux only; the module pair is judged against the module's kallsyms
      if (kind === "system-map" && c.objname !== "vmlinux") continue;
      it(`${c.tree}/${c.pair} against ${kind}`, async () => {
        const report = await matchPatch({
          orig: join(c.dir, "orig", c.object),
          patched: join(c.dir, "patched", c.object),
          ...sourcesFor(c, kind),
          ...(c.objname !== "vmlinux" ? { objname: c.objname } : {}),
        });
        expect(c.changed.length).toBeGreaterThan(0);
        for (const t of c.changed) {
          const outcome = check(report, c, t, true);
          tally[`${c.tree} ${kind} ${outcome}`] = (tally[`${c.tree} ${kind} ${outcome}`] ?? 0) + 1;
        }
      });
    }
  }

  it("with kptr_restrict's zero addresses, still never a wrong pair (neighbourhood by line order)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-hidden-"));
    for (const tree of ["gcc", "clang", "clang-rebuilt"] as const) {
      const text = await readFile(corpusPath("oracle", tree, "kallsyms.txt"), "utf8");
      const hidden = join(dir, `${tree}.kallsyms`);
      await writeFile(hidden, text.replace(/^[0-9a-f]{16}/gm, "0000000000000000"));
      for (const c of all.filter((x) => x.tree === tree && x.objname === "vmlinux")) {
        const report = await matchPatch({
          orig: join(c.dir, "orig", c.object),
          patched: join(c.dir, "patched", c.object),
          kallsyms: hidden,
        });
        expect(report.flags.map((f) => f.code)).toContain("HIDDEN_ADDRESSES");
        for (const t of c.changed) check(report, c, t, false);
      }
    }
  });

  it("the module pair against the target's .ko (symtab order, no addresses) and its init-time list", async () => {
    for (const c of all.filter((x) => x.objname !== "vmlinux")) {
      const ko = corpusPath("oracle", c.tree, "module-target", "lpt_target.ko");
      const report = await matchPatch({
        orig: join(c.dir, "orig", c.object),
        patched: join(c.dir, "patched", c.object),
        kallsyms: corpusPath("oracle", c.tree, "kallsyms.txt"),
        moduleFiles: [ko],
        objname: c.objname,
      });
      expect(report.inputs.map((i) => i.role)).toContain("module");
      for (const t of c.changed) check(report, c, t, false);
    }
  });

  it("the module pair with kptr_restrict's zero addresses: the .ko's STT_FILE blocks decide it, rightly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-hidden-module-"));
    for (const c of all.filter((x) => x.objname !== "vmlinux")) {
      const text = await readFile(corpusPath("oracle", c.tree, "module-target", "kallsyms.txt"), "utf8");
      const hidden = join(dir, `${c.tree}.kallsyms`);
      await writeFile(hidden, text.replace(/^[0-9a-f]{16}/gm, "0000000000000000"));
      const pair = {
        orig: join(c.dir, "orig", c.object),
        patched: join(c.dir, "patched", c.object),
        kallsyms: hidden,
        objname: c.objname,
      };
      const ko = corpusPath("oracle", c.tree, "module-target", "lpt_target.ko");
      const [without, withKo] = await Promise.all([
        matchPatch(pair),
        matchPatch({ ...pair, moduleFiles: [ko] }),
      ]);
      for (const t of c.changed) {
        // line order alone leaves the same-named statics of the module's files apart from none
        expect(check(without, c, t, false)).toBe("ambiguous");
        expect(check(withKo, c, t, false)).toBe("decided");
        const fn = withKo.objects.flatMap((o) => o.functions).find((f) => f.name === t.function)!;
        expect(fn.decision).toBe("file-block");
      }
    }
  });

  it("the CLI gives the same pairs (JSON), exit 0 when decided and 1 when ambiguous", async () => {
    for (const c of all.filter((x) => x.objname === "vmlinux" && x.pair.startsWith("03-"))) {
      const run = await execa(
        "node",
        [
          CLI,
          "match",
          "--orig",
          join(c.dir, "orig", c.object),
          "--patched",
          join(c.dir, "patched", c.object),
          "--kallsyms",
          corpusPath("oracle", c.tree, "kallsyms.txt"),
          "--format",
          "json",
        ],
        { reject: false },
      );
      const report = JSON.parse(run.stdout) as MatchReport;
      const outcomes = c.changed.map((t) => check(report, c, t, true));
      expect(run.exitCode).toBe(outcomes.includes("ambiguous") ? 1 : 0);
    }
  });

  it("tally (printed for the record)", () => {
    console.log("oracle outcomes:", JSON.stringify(tally));
    expect(Object.keys(tally).some((k) => k.endsWith("decided"))).toBe(true);
  });
});
