// `--only`: tree-relative paths, directories and globs select a tree run's objects.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { onlyFilter } from "../../matcher/only-filter.js";
import { matchPatch } from "../../pipeline/match.js";
import { FIXTURES } from "../paths.js";

const PATHS = ["kernel/core.o", "drivers/m1/m1main.o", "drivers/m1/sub/x.o", "fs/m2/m2.o", "fs/m2x.o"];

function pick(patterns: string[]): string[] {
  const f = onlyFilter(patterns);
  return PATHS.filter((p) => f.matches(p));
}

describe("onlyFilter", () => {
  it("takes paths, directories and globs", () => {
    expect(pick(["kernel/core.o"])).toEqual(["kernel/core.o"]);
    expect(pick(["./fs/m2/"])).toEqual(["fs/m2/m2.o"]);
    expect(pick(["drivers/*/*.o"])).toEqual(["drivers/m1/m1main.o"]);
    expect(pick(["drivers/*"])).toEqual(["drivers/m1/m1main.o", "drivers/m1/sub/x.o"]);
    expect(pick(["**/x.o", "fs/m?x.o"])).toEqual(["drivers/m1/sub/x.o", "fs/m2x.o"]);
    expect(pick(["drivers/**"])).toEqual(["drivers/m1/m1main.o", "drivers/m1/sub/x.o"]);
    expect(pick(["fs/m2.o"])).toEqual([]);
  });

  it("tells the patterns that matched nothing", () => {
    const f = onlyFilter(["kernel", "net/*"]);
    for (const p of PATHS) f.matches(p);
    expect(f.unmatched()).toEqual(["net/*"]);
  });
});

describe("matchPatch --only", () => {
  const T = join(FIXTURES, "kpatch-tree");
  const base = { orig: join(T, "orig"), patched: join(T, "patched"), kallsyms: join(T, "kallsyms.txt") };

  it("limits the tree run to the objects named", async () => {
    const report = await matchPatch({ ...base, buildDir: join(T, "build"), only: ["drivers", "fs/**/*.o"] });
    expect(report.objects.map((o) => o.objname)).toEqual(["m1", "m2_fs"]);
  });

  it("refuses a pattern that names no changed object, and a single pair", async () => {
    await expect(matchPatch({ ...base, only: ["kernel/other.o"] })).rejects.toThrow(
      "--only: kernel/other.o: matches no changed object of the trees",
    );
    await expect(
      matchPatch({
        ...base,
        orig: join(T, "orig/fs/m2/m2.o"),
        patched: join(T, "patched/fs/m2/m2.o"),
        only: ["x"],
      }),
    ).rejects.toThrow(/^--only: limits a tree run/);
  });
});
