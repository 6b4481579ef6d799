// Correlation on the fixtures: renumbered clones by name family, statics by use, the object model
// (bundles, children, section-symbol relocations rewritten) it rests on.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/read-file.js";
import { correlate, isStaticLocal, isUncorrelatedStatic } from "../../matcher/correlate.js";
import { isBundled, modelObject, splitParentName } from "../../matcher/object-model.js";
import { FIXTURES } from "../paths.js";

const D = join(FIXTURES, "diff");

async function models(dir: string, name: string) {
  const [o, p] = await Promise.all([
    readElfFile(join(D, dir, `${name}.orig.o`)),
    readElfFile(join(D, dir, `${name}.patched.o`)),
  ]);
  const orig = modelObject(o);
  const patched = modelObject(p);
  return { orig, patched, correlation: correlate(orig, patched) };
}

describe("object model", () => {
  it("gcc's split part is a child of its function, in .text.unlikely.<parent>", async () => {
    const { orig } = await models("gcc", "cold");
    const cold = orig.units.find((u) => u.name === "cold_user.cold")!;
    expect(cold.parent?.name).toBe("cold_user");
    expect(cold.section.name).toBe(".text.unlikely.cold_user");
    expect(cold.bundled).toBe(true);
    expect(orig.units.find((u) => u.name === "cold_user")!.children.map((c) => c.name)).toEqual([
      "cold_user.cold",
    ]);
  });

  it("relocations through section symbols are rewritten to the static they land in", async () => {
    const { orig } = await models("gcc", "statics");
    const user = orig.units.find((u) => u.name === "counter_user")!;
    const targets = orig
      .relocationsOf(user)
      .map((r) => (r.target.kind === "symbol" ? r.target.symbol.name : r.target.kind));
    // The object says `.bss.count.0-4`; the model says count.0 (-4: the PC-relative bias stays in the addend).
    expect(targets).toContain("count.0");
    expect(targets).not.toContain(".bss.count.0");
    const r = orig
      .relocationsOf(user)
      .find((x) => x.target.kind === "symbol" && x.target.symbol.name === "count.0")!;
    expect(r.addend).toBe(-4n);
  });

  it("string-section relocations become the string itself", async () => {
    const { orig } = await models("gcc", "cold");
    const cold = orig.units.find((u) => u.name === "cold_user.cold")!;
    const strings = orig
      .relocationsOf(cold)
      .flatMap((r) => (r.target.kind === "string" ? [r.target.text] : []));
    expect(strings).toEqual(["cold_user: negative count"]);
  });

  it("every traced function has a patchable entry; the notrace one does not", async () => {
    const { orig } = await models("gcc", "unpatchable");
    const byName = (n: string) => orig.units.find((u) => u.name === n)!;
    expect(orig.hasPatchableEntry(byName("setup_thing"))).toBe(true);
    expect(orig.hasPatchableEntry(byName("untraced"))).toBe(false);
  });

  it("arm64 functions start after their patchable-entry nops; the entry record still finds them", async () => {
    const { orig } = await models(join("cross", "aarch64"), "line");
    const sleeper = orig.units.find((u) => u.name === "sleeper")!;
    expect(sleeper.start).toBeGreaterThan(0n);
    expect(sleeper.ownedFrom).toBe(0n);
    expect(orig.hasPatchableEntry(sleeper)).toBe(true);
  });

  it("bundling and split-part names follow kpatch's rules", () => {
    expect(isBundled("foo", "function", ".text.foo")).toBe(true);
    expect(isBundled("foo.cold", "function", ".text.unlikely.foo")).toBe(true);
    expect(isBundled("foo", "function", ".text")).toBe(false);
    expect(isBundled("foo", "function", ".sched.text")).toBe(false);
    expect(isBundled("bar", "object", ".data.bar")).toBe(true);
    expect(isBundled("bar", "object", ".data..read_mostly")).toBe(false);
    expect(splitParentName("foo.cold")).toBe("foo");
    expect(splitParentName("foo.part.0.cold")).toBe("foo.part.0");
    expect(splitParentName("foo.part.3")).toBe("foo");
    expect(splitParentName("foo.isra.0")).toBeNull();
  });
});

describe("correlation", () => {
  it("renumbered clones pair within their family; plain names pair by name", async () => {
    const { orig, correlation } = await models("gcc", "clones");
    const twin = (n: string) => correlation.twinOfOrig.get(orig.units.find((u) => u.name === n)!)?.name;
    expect(twin("mix.constprop.2")).toBe("mix.constprop.5");
    expect(twin("fold.isra.3")).toBe("fold.isra.7");
    expect(twin("tail.part.1")).toBe("tail.part.4");
    expect(twin("scale.isra.0")).toBe("scale.isra.0");
    expect(twin("api_one")).toBe("api_one");
  });

  it("a static local is paired through the function that uses it, not by its number", async () => {
    const { orig, patched, correlation } = await models("gcc", "statics");
    const count0 = orig.units.find((u) => u.name === "count.0")!;
    expect(isStaticLocal(count0)).toBe(true);
    expect(correlation.twinOfOrig.get(count0)?.name).toBe("count.1");
    expect(correlation.how.get(count0)).toBe("static local used by counter_user");
    // The patched count.0 belongs to the new function: it has no orig twin.
    const newCount = patched.units.find((u) => u.name === "count.0")!;
    expect(correlation.twinOfPatched.has(newCount)).toBe(false);
  });

  it("clang names statics func.var: correlated by use as well", async () => {
    const { orig, correlation } = await models("clang", "statics");
    const count = orig.units.find((u) => u.name === "counter_user.count")!;
    expect(isStaticLocal(count)).toBe(true);
    expect(correlation.twinOfOrig.get(count)?.name).toBe("counter_user.count");
  });

  it("special statics are never correlated", async () => {
    const { orig } = await models("gcc", "statics");
    const fake = { ...orig.units[0]!, kind: "object" as const };
    expect(isUncorrelatedStatic({ ...fake, name: "__warned.12" })).toBe(true);
    expect(isUncorrelatedStatic({ ...fake, name: "__func__.3" })).toBe(true);
    expect(isUncorrelatedStatic({ ...fake, name: "count.1" })).toBe(false);
    expect(isUncorrelatedStatic({ ...fake, name: "__UNIQUE_ID_ddebug12" })).toBe(false);
  });
});
