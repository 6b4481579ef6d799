// Every kpatch macro form on every architecture (fixtures/kpatch-macros, built with the Debian cross
// compilers and clang-19 --target=): what a macro marks is ignored, its markers are never changes,
// and KPATCH_IGNORE_SECTION's string is found however the compiler reaches it.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { diffObjects } from "../../matcher/diff.js";
import { FIXTURES } from "../paths.js";

const M = join(FIXTURES, "kpatch-macros");
const ARCHES = ["x86_64", "aarch64", "ppc64le", "s390x", "loongarch64"];
const BUILDS = ARCHES.flatMap((arch) => readdirSync(join(M, arch)).map((cc) => `${arch}/${cc}`));

/** What each form's patched object must diff to: [changed, new]. */
const EXPECTED: Record<string, [string[], string[]]> = {
  "ignore-function": [["real"], []],
  "ignore-section": [["real"], []],
  "force-unsafe": [["forced"], []],
  syscall: [["sys_frob"], ["__kpatch_do_sys_frob"]],
};

async function diffForm(build: string, form: string) {
  const [o, p] = await Promise.all([
    readElfFile(join(M, build, "orig", `${form}.o`)),
    readElfFile(join(M, build, "patched", `${form}.o`)),
  ]);
  return { diff: diffObjects(o, p), patched: p };
}

describe("kpatch macros on every architecture", () => {
  it("has fixtures for all five architectures, gcc and clang", () => {
    for (const arch of ARCHES) expect(BUILDS).toContain(`${arch}/clang`);
    for (const arch of ARCHES.filter((a) => a !== "loongarch64")) expect(BUILDS).toContain(`${arch}/gcc`);
  });

  for (const build of BUILDS) {
    for (const [form, [changed, added]] of Object.entries(EXPECTED)) {
      it(`${build} ${form}`, async () => {
        const { diff } = await diffForm(build, form);
        expect(diff.unsupported).toEqual([]);
        expect(diff.verdict).toBe("patchable");
        expect(diff.changed.map((c) => c.name)).toEqual(changed);
        expect(diff.new.map((c) => c.name)).toEqual(added);
        // markers and .kpatch.* sections are never changes
        const reported = [
          ...diff.changedData.map((d) => d.name),
          ...diff.newData,
          ...Object.keys(diff.reasons),
        ];
        expect(reported.filter((n) => n.includes("kpatch_ignore") || n.includes("kpatch_force"))).toEqual([]);
        expect(reported.filter((n) => n.startsWith(".kpatch."))).toEqual([]);
      });
    }
  }

  it("KPATCH_IGNORE_SECTION's strings come as section+addend, .LC/.L label and symbol", async () => {
    const forms = new Set<string>();
    for (const build of BUILDS) {
      const { patched } = await diffForm(build, "ignore-section");
      const list = patched.sectionByName(".kpatch.ignore.sections");
      expect(list).toBeDefined();
      const symbols = patched.symbols();
      const relocs = patched.relocationsFor(list!);
      expect(relocs).toHaveLength(4);
      for (const r of relocs) {
        const sym = symbols[r.symbolIndex]!;
        const sec = sym.sectionIndex === null ? "" : patched.sections[sym.sectionIndex]!.name;
        if (sym.type === 3)
          forms.add(sec.startsWith(".rodata.str") ? "section+addend (merged)" : "section (plain)");
        else if (sym.name.startsWith(".L")) forms.add("label");
        else forms.add("symbol");
      }
    }
    expect([...forms].sort()).toEqual(["label", "section (plain)", "section+addend (merged)", "symbol"]);
  });
});
