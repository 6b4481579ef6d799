// vmlinux and kallsyms together on the booted kernels that have their vmlinux in the corpus (gcc,
// clang-rebuilt): every oracle pair decided, and right — also against a KASLR-shifted copy of the
// kallsyms (the vmlinux evidence aligned by one offset). A vmlinux of another build is refused.
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchPatch } from "../../pipeline/match.js";
import { corpusPath } from "../corpus.js";

interface TruthChange {
  readonly function: string;
  readonly address: string;
  readonly oldName: string;
  readonly oldSympos: number;
}

const KASLR = 0x2a00000n;

/** The kallsyms with every kernel-image address moved by `offset`, as KASLR moves it at boot. */
async function shifted(kallsyms: string, offset: bigint): Promise<string> {
  const text = await readFile(kallsyms, "utf8");
  const out = text.replace(/^([0-9a-f]{16}) (\S \S+)$/gm, (line, addr: string, rest: string) => {
    const v = BigInt(`0x${addr}`);
    return v >= 0xffffffff80000000n ? `${(v + offset).toString(16).padStart(16, "0")} ${rest}` : line;
  });
  const path = join(await mkdtemp(join(tmpdir(), "klpmatch-kaslr-")), "kallsyms.txt");
  await writeFile(path, out);
  return path;
}

for (const tree of ["gcc", "clang-rebuilt"]) {
  describe(`--kallsyms with --vmlinux: ${tree}`, async () => {
    const root = corpusPath("oracle", tree);
    const pairs = (await readdir(join(root, "pairs"), { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.includes("-module-"))
      .map((e) => e.name)
      .sort();
    const kaslr = await shifted(join(root, "kallsyms.txt"), KASLR);
    for (const [label, kallsyms, offset] of [
      ["booted", join(root, "kallsyms.txt"), 0n],
      ["KASLR-shifted", kaslr, KASLR],
    ] as const) {
      it(`every pair decided and right (${label} kallsyms)`, async () => {
        expect(pairs.length).toBeGreaterThanOrEqual(7);
        for (const pair of pairs) {
          const dir = join(root, "pairs", pair);
          const truth = JSON.parse(await readFile(join(dir, "truth.json"), "utf8")) as {
            changed: TruthChange[];
          };
          const report = await matchPatch({
            orig: join(dir, "orig"),
            patched: join(dir, "patched"),
            kallsyms,
            vmlinux: join(root, "vmlinux"),
            objname: "vmlinux",
          });
          const aligned = report.flags.filter((f) => f.code === "VMLINUX_ALIGNED");
          expect(aligned.length, pair).toBe(offset === 0n ? 0 : 1);
          for (const t of truth.changed) {
            const fn = report.objects.flatMap((o) => o.functions).find((f) => f.name === t.function);
            expect(fn?.target, `${pair}: ${t.function}`).toEqual({
              objname: "vmlinux",
              oldName: t.oldName,
              oldSympos: t.oldSympos,
              address: `0x${(BigInt(t.address) + offset).toString(16)}`,
            });
          }
        }
      });
    }
  });
}

describe("a vmlinux of another build than the kallsyms", () => {
  const pair = (tree: string) => ({
    orig: corpusPath("oracle", tree, "pairs", "03-cacheinfo-type_show", "orig"),
    patched: corpusPath("oracle", tree, "pairs", "03-cacheinfo-type_show", "patched"),
  });

  it("clang kallsyms with vmlinux-rebuilt: the differing .llvm.<hash> names say so", async () => {
    await expect(
      matchPatch({
        ...pair("clang"),
        kallsyms: corpusPath("oracle", "clang", "kallsyms.txt"),
        vmlinux: corpusPath("oracle", "clang", "vmlinux-rebuilt"),
      }),
    ).rejects.toThrow(
      /vmlinux-rebuilt: another build than .*kallsyms\.txt: \d+ of its 993 \.llvm\.<hash> names are not in this vmlinux/,
    );
  });

  it("gcc kallsyms with the clang kernel's vmlinux: no one offset lines the text up", async () => {
    await expect(
      matchPatch({
        ...pair("gcc"),
        kallsyms: corpusPath("oracle", "gcc", "kallsyms.txt"),
        vmlinux: corpusPath("oracle", "clang-rebuilt", "vmlinux"),
      }),
    ).rejects.toThrow(
      /clang-rebuilt\/vmlinux: another build than .*: only \d+ of \d+ unique text symbols lie at one offset/,
    );
  });
});

describe("size fit after kpatch's -ffunction-sections", () => {
  it("gcc 09 cpumask_show: 24 orig bytes in a 21-byte gap, explained by its relocated tail jmp", async () => {
    const dir = corpusPath("oracle", "gcc", "pairs", "09-workqueue-cpumask_show");
    const report = await matchPatch({
      orig: join(dir, "orig"),
      patched: join(dir, "patched"),
      kallsyms: corpusPath("oracle", "gcc", "kallsyms.txt"),
    });
    const fn = report.objects[0]!.functions.find((f) => f.name === "cpumask_show")!;
    expect(fn.flags.map((f) => f.code)).not.toContain("BUILD_MISMATCH");
    expect(fn.evidence.find((e) => e.kind === "size-fit")).toMatchObject({
      result: "supports",
      detail: expect.stringMatching(
        /^21 bytes .* hold the orig 24 bytes less the 3 its relocated long jumps/,
      ),
    });
  });
});

describe("size fit decides when it rules all but one candidate out", () => {
  it("clang-rebuilt 05 m_start, kallsyms alone: two of three gaps too small, the third is this file's copy", async () => {
    const dir = corpusPath("oracle", "clang-rebuilt", "pairs", "05-task_mmu-m_start");
    const truth = JSON.parse(await readFile(join(dir, "truth.json"), "utf8")) as { changed: TruthChange[] };
    const report = await matchPatch({
      orig: join(dir, "orig"),
      patched: join(dir, "patched"),
      kallsyms: corpusPath("oracle", "clang-rebuilt", "kallsyms.txt"),
    });
    const fn = report.objects[0]!.functions.find((f) => f.name === "m_start")!;
    expect(fn.decision).toBe("size-fit");
    expect(fn.target).toMatchObject({
      oldName: truth.changed[0]!.oldName,
      oldSympos: truth.changed[0]!.oldSympos,
    });
    expect(fn.evidence.find((e) => e.kind === "size-fit")?.detail).toMatch(/2 other\(s\) too small/);
  });
});
