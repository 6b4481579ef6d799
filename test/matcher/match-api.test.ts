// The package's main export offers the pipeline to programs: the same report as the CLI. Which
// names it exports is test/api.test.ts's check.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as klpmatch from "../../index.js";
import { FIXTURES } from "../paths.js";

describe("library API (index.ts)", () => {
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
