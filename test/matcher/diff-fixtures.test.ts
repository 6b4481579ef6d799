// The diff step on the bundled fixtures (fixtures/diff: C compiled twice by gcc and clang-19):
// each case's verdict, changed/new/deleted sets and the reasons given.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/read-file.js";
import type { ObjectDiff } from "../../lib/report/diff-types.js";
import { diffObjects } from "../../matcher/diff.js";
import { FIXTURES } from "../paths.js";

const D = join(FIXTURES, "diff");

async function diffCase(dir: string, name: string): Promise<ObjectDiff> {
  const [o, p] = await Promise.all([
    readElfFile(join(D, dir, `${name}.orig.o`)),
    readElfFile(join(D, dir, `${name}.patched.o`)),
  ]);
  return diffObjects(o, p);
}

const names = (list: readonly { name: string }[]): string[] => list.map((x) => x.name).sort();

describe.each(["gcc", "clang"])("%s x86-64 fixtures", (compiler) => {
  it("clones renumbered between builds (.constprop.2→.5, .isra.3→.7, .part.1→.4) are correlated, not reported", async () => {
    const d = await diffCase(compiler, "clones");
    expect(d.verdict).toBe("patchable");
    expect(names(d.changed)).toEqual(["api_two"]);
    expect(d.new).toEqual([]);
    expect(d.deleted).toEqual([]);
    const renamed = Object.fromEntries(d.renamed.map((r) => [r.orig, r.patched]));
    expect(renamed).toMatchObject({
      "mix.constprop.2": "mix.constprop.5",
      "fold.isra.3": "fold.isra.7",
      "tail.part.1": "tail.part.4",
    });
    expect(d.renamed.find((r) => r.orig === "fold.isra.3")?.how).toMatch(/renumbered/);
  });

  it("a renumbered static local (count.0 → count.1) is correlated by its user; the new global function is new", async () => {
    const d = await diffCase(compiler, "statics");
    expect(d.verdict).toBe("patchable");
    expect(d.changed).toEqual([]);
    expect(names(d.new)).toEqual(["new_counter"]);
    if (compiler === "gcc") {
      expect(d.renamed).toContainEqual({
        orig: "count.0",
        patched: "count.1",
        how: "static local used by counter_user",
      });
    }
  });

  it("a data-only change is unsupported and names the data section", async () => {
    const d = await diffCase(compiler, "data");
    expect(d.verdict).toBe("unsupported");
    expect(d.changed).toEqual([]);
    expect(names(d.changedData)).toEqual(["limits"]);
    expect(d.unsupported.join("\n")).toMatch(/data section \.data\.limits changed/);
    expect(d.reasons.limits?.[0]).toMatch(/bytes at 0xc\.\.0xd/);
  });

  it("a replaced helper: the old one is deleted, the new one is new (carried by the changed caller)", async () => {
    const d = await diffCase(compiler, "replace");
    expect(d.verdict).toBe("patchable");
    expect(names(d.changed)).toEqual(["caller"]);
    expect(names(d.new)).toEqual(["new_helper"]);
    expect(names(d.deleted)).toEqual(["old_helper"]);
    expect(d.changed[0]!.reasons).toContain("relocations: +1 -1");
    // What the patched caller references: the new helper (carried, no orig twin), __fentry__ (external).
    const refs = d.changed[0]!.references;
    expect(refs.find((r) => r.name === "new_helper")).toMatchObject({
      origName: null,
      defined: true,
      type: "FUNC",
    });
    expect(refs.find((r) => r.name === "__fentry__")).toMatchObject({
      origName: "__fentry__",
      defined: false,
    });
  });

  it("a __LINE__-only shift is not a change", async () => {
    const d = await diffCase(compiler, "line");
    expect(d.verdict).toBe("no-change");
    expect(d.changed).toEqual([]);
    expect([...d.lineOnly].sort()).toEqual(["other", "sleeper"]);
  });

  it("init code and functions without an ftrace entry cannot be patched", async () => {
    const d = await diffCase(compiler, "unpatchable");
    expect(d.verdict).toBe("unsupported");
    const why = d.unsupported.join("\n");
    expect(why).toMatch(/changed init section \.init\.text: setup_thing/);
    expect(why).toMatch(/no patchable entry: untraced/);
    expect(names(d.changed)).toEqual(["untraced"]);
    expect(d.reasons.untraced).toContain("no patchable entry");
  });
});

describe("static locals and split parts", () => {
  it.each(["gcc", "clang"])(
    "%s: a patch that stops using a function-scope static is unsupported",
    async (compiler) => {
      const d = await diffCase(compiler, "static-removed");
      expect(d.verdict).toBe("unsupported");
      expect(d.unsupported.join("\n")).toMatch(
        /reference to static local variable (hits\.0|tally\.hits) in tally was removed/,
      );
    },
  );

  it("gcc: a changed .part.N with its own ftrace entry is reported on its own, its parent is not", async () => {
    const d = await diffCase("gcc", "part");
    expect(d.verdict).toBe("patchable");
    expect(names(d.changed)).toEqual(["check.part.0"]);
    expect(d.changed[0]!.reasons.join("\n")).toMatch(
      /split part of check with its own ftrace entry, changed alone/,
    );
  });
});

describe("gcc .cold child", () => {
  it("a change only in cold_user.cold makes cold_user changed, the child is not listed", async () => {
    const d = await diffCase("gcc", "cold");
    expect(d.verdict).toBe("patchable");
    expect(names(d.changed)).toEqual(["cold_user"]);
    expect(d.changed[0]!.reasons.join("\n")).toMatch(/child cold_user\.cold changed/);
    expect(names(d.changed)).not.toContain("cold_user.cold");
  });

  it("clang does not split cold code: the same source changes cold_user itself", async () => {
    const d = await diffCase("clang", "cold");
    expect(names(d.changed)).toEqual(["cold_user"]);
    expect(d.changed[0]!.reasons.join("\n")).not.toMatch(/child/);
  });
});

describe.each(["aarch64", "ppc64le", "s390x", "loongarch64"])(
  "__LINE__ filter on %s (clang-19 cross build)",
  (arch) => {
    it("the shifted line immediates are not changes", async () => {
      const d = await diffCase(join("cross", arch), "line");
      expect(d.verdict).toBe("no-change");
      expect([...d.lineOnly].sort()).toEqual(["other", "sleeper"]);
    });
  },
);
