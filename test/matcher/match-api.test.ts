// The package's main export offers the pipeline to programs: the same report as the CLI.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as klpmatch from "../../index.js";
import { FIXTURES } from "../paths.js";

describe("library API (index.ts)", () => {
  it("exports the pipeline, its parts and the renderers", () => {
    for (const name of [
      "matchPatch",
      "diffObjects",
      "diffTrees",
      "loadKernelSymbols",
      "readElf",
      "readElfFile",
      "resolve",
      "positionOf",
      "chooseRule",
      "renderMatchReport",
      "renderMatchText",
      "renderMatchJson",
      "renderMatchMarkdown",
      "renderMatchJunit",
      "renderMatchGithub",
      "compareWithBaseline",
      "FLAG_CODES",
      "emitReport",
    ]) {
      expect(typeof (klpmatch as Record<string, unknown>)[name], name).not.toBe("undefined");
    }
  });

  it("matchPatch with a table loaded once, rendered by the library", async () => {
    const M = join(FIXTURES, "match/gcc");
    const table = await klpmatch.loadKernelSymbols({ kallsyms: join(M, "kallsyms.txt") });
    const report = await klpmatch.matchPatch({
      orig: join(M, "orig/a.o"),
      patched: join(M, "patched/a.o"),
      table,
    });
    expect(report.objects[0]!.functions.map((f) => [f.name, f.target?.oldName, f.target?.oldSympos])).toEqual(
      [
        ["helper", "helper", 1],
        ["cmp", "cmp", 1],
      ],
    );
    expect(klpmatch.renderMatchReport(report, "text")).toContain(
      "changed function: helper -> vmlinux:helper,1",
    );
  });
});
