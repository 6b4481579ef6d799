// A library user's view: only the built package, loaded by its name as a program that depends on it
// would ("klpmatch" and "klpmatch/elf", resolved through package.json's exports to dist/), runs
// match, verify and diff on the bundled fixtures. Its export list is the documented one below.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, ROOT } from "./paths.js";

// The names are held in variables so that typecheck does not need dist/ (it runs before the build);
// the types are index.ts's own, which dist/index.d.ts is compiled from.
const PACKAGE = "klpmatch";
const ELF_SUBPATH = "klpmatch/elf";
const api = (await import(PACKAGE)) as typeof import("../index.js");
const elf = (await import(ELF_SUBPATH)) as typeof import("../elf/index.js");

/** The package's main export, every name of it: values (they exist at run time) and types. */
const VALUES = [
  "chooseRule",
  "compareWithBaseline",
  "diffObjects",
  "diffTrees",
  "disassembleFunctions",
  "ElfFormatError",
  "emitReport",
  "explainFunction",
  "explainInTrees",
  "FLAG_CODES",
  "InputError",
  "LOOKUP_RULES",
  "loadKernelSymbols",
  "MATCH_SCHEMA_VERSION",
  "matchPatch",
  "objectLabel",
  "parseBaseline",
  "positionOf",
  "REPORT_FORMATS",
  "readElf",
  "readElfFile",
  "renderDiffJson",
  "renderDiffText",
  "renderExplanation",
  "renderExplanationJson",
  "renderMatchGithub",
  "renderMatchJson",
  "renderMatchJunit",
  "renderMatchMarkdown",
  "renderMatchReport",
  "renderMatchText",
  "renderSymposJson",
  "renderSymposText",
  "renderTreeJson",
  "renderTreeText",
  "renderVerifyReport",
  "resolve",
  "symposReport",
  "VERIFY_SCHEMA_VERSION",
  "verifyFails",
  "verifyPatch",
];
const TYPES = [
  "BaselineComparison",
  "DiffVerdict",
  "Disassembly",
  "ElfFile",
  "FailOn",
  "Flag",
  "FunctionChange",
  "FunctionExplanation",
  "KernelSymbol",
  "KernelSymbolSources",
  "KernelTable",
  "LookupRule",
  "MatchOptions",
  "MatchReport",
  "ObjectDiff",
  "PositionResult",
  "ReadElfOptions",
  "RenderOptions",
  "ReportFormat",
  "ResolveResult",
  "RuleChoice",
  "Severity",
  "SymposQueryOptions",
  "SymposReport",
  "TreeDiff",
  "TreeExplanation",
  "TreeLabels",
  "VerifyPatchOptions",
  "VerifyReport",
];

/** The names index.ts exports, read from its `export { … } from` statements (and no `export *`). */
function indexExports(): { values: string[]; types: string[]; star: boolean } {
  const text = readFileSync(join(ROOT, "index.ts"), "utf8");
  const names = [...text.matchAll(/^export\s*\{([^}]*)\}\s*from/gm)].flatMap((m) =>
    m[1]!
      .split(",")
      .map((n) => n.replace(/\/\/.*$/gm, "").trim())
      .filter((n) => n !== ""),
  );
  return {
    values: names.filter((n) => !n.startsWith("type ")).sort(),
    types: names
      .filter((n) => n.startsWith("type "))
      .map((n) => n.slice("type ".length).trim())
      .sort(),
    star: /^export\s*\*/m.test(text),
  };
}

const sorted = (names: readonly string[]) => [...names].sort();

describe("the package as a library", () => {
  it("exports exactly the documented names", () => {
    const index = indexExports();
    expect(index.star).toBe(false);
    expect(index.values).toEqual(sorted(VALUES));
    expect(index.types).toEqual(sorted(TYPES));
    // the built entry holds the same values, nothing more
    expect(Object.keys(api).sort()).toEqual(sorted(VALUES));
  });

  it("offers the ELF reader as klpmatch/elf", async () => {
    const file = await elf.readElfFile(join(FIXTURES, "match/gcc/orig/a.o"));
    expect(file.header.type).toBe(elf.ET_REL);
    expect(file.symbols().some((s) => s.name === "helper")).toBe(true);
    expect(elf.readElf).toBe(api.readElf);
  });

  it("matches a patch: each changed function's pair decided against the kernel's table", async () => {
    const M = join(FIXTURES, "match/gcc");
    const report = await api.matchPatch({
      orig: join(M, "orig/a.o"),
      patched: join(M, "patched/a.o"),
      kallsyms: join(M, "kallsyms.txt"),
    });
    expect(report.objects.map((o) => [o.objname, o.verdict])).toEqual([["vmlinux", "matched"]]);
    expect(
      report.objects[0]!.functions.map((f) => [f.name, f.decision, f.target?.oldName, f.target?.oldSympos]),
    ).toEqual([
      ["helper", "neighbourhood", "helper", 1],
      ["cmp", "neighbourhood", "cmp", 1],
    ]);
    expect(api.renderMatchReport(report, "text")).toContain("changed function: helper -> vmlinux:helper,1");
  });

  it("verifies a built livepatch: the kernel's outcome for each target and for the patch", async () => {
    const V = join(FIXTURES, "verify");
    const refused = await api.verifyPatch({ patch: join(V, "lp_api.ko"), kallsyms: join(V, "kallsyms.txt") });
    expect(refused.patch.result).toBe("refused");
    expect(refused.patch.kernelMessage).toBe(
      "symbol position 3 for symbol 'fxt_dup' in object 'vmlinux' not found",
    );
    expect(
      refused.targets.filter((t) => t.outcome !== "resolved").map((t) => [t.oldName, t.oldSympos, t.outcome]),
    ).toEqual([
      ["fxt_dup", 3, "position-not-found"],
      ["fxt_gone", 0, "not-found"],
    ]);
    expect(api.verifyFails(refused, "error")).toBe(true);
    const accepted = await api.verifyPatch({
      patch: join(V, "lp_klpbuild.ko"),
      kallsyms: join(V, "kallsyms.txt"),
    });
    expect(accepted.patch.result).toBe("accepted");
    expect(api.verifyFails(accepted, "error")).toBe(false);
  });

  it("diffs object pairs and build trees: the verdict and the changed functions", async () => {
    const D = join(FIXTURES, "diff/gcc");
    const pair = async (name: string) =>
      api.diffObjects(
        await elf.readElfFile(join(D, `${name}.orig.o`)),
        await elf.readElfFile(join(D, `${name}.patched.o`)),
      );
    const replace = await pair("replace");
    expect([replace.verdict, replace.changed.map((f) => f.name), replace.new.map((f) => f.name)]).toEqual([
      "patchable",
      ["caller"],
      ["new_helper"],
    ]);
    expect((await pair("line")).verdict).toBe("no-change");
    expect((await pair("unpatchable")).verdict).toBe("unsupported");

    const M = join(FIXTURES, "match/gcc");
    const tree = await api.diffTrees(join(M, "orig"), join(M, "patched"));
    expect(
      tree.pairs.filter((p) => p.verdict === "patchable").map((p) => p.changed.map((f) => f.name)),
    ).toEqual([["helper", "cmp"], ["b_solo"]]);
    const explained = await api.explainInTrees(join(M, "orig"), join(M, "patched"), "helper");
    expect([explained?.path, explained?.explanation.status]).toEqual(["a.o", "changed"]);
  });
});
