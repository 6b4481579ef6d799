// readLivepatchTargets on every real ELF object of the corpus: kernel modules that are no livepatch
// and kernel objects of five arches give no targets and no exception; the oracle's livepatch
// modules each give their experiment's targets.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { readLivepatchTargets } from "../../lib/livepatch/index.js";
import { corpusPath } from "../corpus.js";

function files(dir: string, match: RegExp): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path, match));
    else if (match.test(entry)) out.push(path);
  }
  return out;
}

describe("readLivepatchTargets on the corpus", () => {
  it("Debian modules and kpatch-unit kernel objects carry no livepatch targets", async () => {
    const paths = [
      ...files(corpusPath("modules"), /\.ko(\.xz)?$/),
      ...files(corpusPath("kpatch-unit"), /\.o$/),
    ];
    expect(paths.length).toBeGreaterThan(100);
    for (const path of paths) {
      const t = readLivepatchTargets(await readElfFile(path));
      expect(t.targets, path).toEqual([]);
      expect(
        t.flags.map((f) => f.code),
        path,
      ).toEqual(["NO_TARGETS"]);
    }
  });

  it("every oracle livepatch module: its klp_func targets, the experiment's first", async () => {
    const paths = files(corpusPath("oracle"), /^lp_.*\.ko$/);
    expect(paths.length).toBeGreaterThan(90);
    for (const path of paths) {
      const t = readLivepatchTargets(await readElfFile(path));
      expect(t.found, path).toEqual(["klp_func"]);
      expect(t.flags, path).toEqual([]);
      expect(t.targets.length, path).toBeGreaterThanOrEqual(1);
      expect(t.targets.length, path).toBeLessThanOrEqual(2);
      expect(t.moduleName).toBe(path.replace(/^.*\//, "").replace(/\.ko$/, ""));
    }
  });
});
