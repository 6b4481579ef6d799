// `klpmatch symbols` on the corpus in a few invocations, compared byte for byte with readelf run on
// the same file lists: every uncompressed ELF file per corpus area, each .ko.xz module (against
// readelf on its decompressed bytes), and the linked program's dynamic symbols.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { corpusPath } from "../corpus.js";
import { corpusElfFiles } from "../elf/corpus-files.js";
import { CLI } from "../paths.js";

const files = corpusElfFiles();

async function run(cmd: string, args: string[]) {
  return execa(cmd, args, { reject: false, stripFinalNewline: false, maxBuffer: 1 << 30 });
}

function firstDifference(ours: string, theirs: string): string | null {
  if (ours === theirs) return null;
  const a = ours.split("\n");
  const b = theirs.split("\n");
  const i = a.findIndex((line, k) => line !== b[k]);
  return `line ${i + 1}: ours ${JSON.stringify(a[i])} readelf ${JSON.stringify(b[i])}`;
}

describe("klpmatch symbols -r over the corpus equals readelf -sW -rW", () => {
  const areas = new Map<string, string[]>();
  for (const f of files) {
    if (f.compressed) continue;
    const area = dirname(f.name);
    areas.set(area, [...(areas.get(area) ?? []), f.path]);
  }
  for (const [area, paths] of areas) {
    it(`${area} (${paths.length} files in one run)`, async () => {
      const [ours, theirs] = await Promise.all([
        run(process.execPath, [CLI, "symbols", "--relocs", ...paths]),
        run("readelf", ["-sW", "-rW", ...paths]),
      ]);
      expect(ours.stderr).toBe("");
      expect(ours.exitCode).toBe(0);
      expect(firstDifference(ours.stdout, theirs.stdout)).toBeNull();
    });
  }

  it("each .ko.xz module equals readelf on its decompressed bytes", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "klpmatch-xz-"));
    const compressed = files.filter((f) => f.compressed);
    expect(compressed.length).toBeGreaterThanOrEqual(7);
    for (const f of compressed) {
      const plain = join(tmp, "module.ko");
      writeFileSync(plain, (await execa("xz", ["-dc", f.path], { encoding: "buffer" })).stdout);
      const [ours, theirs] = await Promise.all([
        run(process.execPath, [CLI, "symbols", "-r", f.path]),
        run("readelf", ["-sW", "-rW", plain]),
      ]);
      expect(ours.exitCode, f.name).toBe(0);
      expect(firstDifference(ours.stdout, theirs.stdout), f.name).toBeNull();
    }
  });

  it("--dyn-syms on a linked program equals readelf --dyn-syms -W (versions included)", async () => {
    const prog = corpusPath("thinlto", "prog-orig");
    const [ours, theirs] = await Promise.all([
      run(process.execPath, [CLI, "symbols", "--dyn-syms", prog]),
      run("readelf", ["--dyn-syms", "-W", prog]),
    ]);
    expect(ours.stdout).toContain("__libc_start_main@GLIBC_2.34 (2)");
    expect(firstDifference(ours.stdout, theirs.stdout)).toBeNull();
  });
});
