// Candidate names: `.llvm.<hash>` ignored on both sides and nothing else stripped.
import { describe, expect, it } from "vitest";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { candidatePositions, kindOfType, nearMisses } from "../../matcher/candidates.js";

const TEXT = [
  "t foo",
  "t __pfx_foo",
  "t foo.llvm.1234567890",
  "d foo.var",
  "t foo.cold",
  "t bar.isra.1",
  "t bar.isra.1.cold",
  "t baz.constprop.0",
  "t baz",
  "t foo",
]
  .map((l, i) => `${(0xffffffff81000000 + i * 16).toString(16)} ${l}`)
  .join("\n");

const obj = parseSymbolText(Buffer.from(`${TEXT}\n`), "t", "kallsyms").objects.get("vmlinux")!;
const names = (ps: readonly number[]) => ps.map((p) => obj.nameAt(p));

describe("candidates", () => {
  it("compares with .llvm.<hash> removed, never stripping clang func.var, stubs or .cold", () => {
    expect(names(candidatePositions(obj, "foo"))).toEqual(["foo", "foo.llvm.1234567890", "foo"]);
    expect(names(candidatePositions(obj, "foo.llvm.999"))).toEqual(["foo", "foo.llvm.1234567890", "foo"]);
    expect(names(candidatePositions(obj, "foo.var"))).toEqual(["foo.var"]);
    expect(names(candidatePositions(obj, "foo", false))).toEqual(["foo", "foo"]);
  });

  it("near misses: another clone number or clone form, never a .cold part", () => {
    expect(candidatePositions(obj, "bar.isra.0")).toEqual([]);
    expect(names(nearMisses(obj, "bar.isra.0"))).toEqual(["bar.isra.1"]);
    expect(names(nearMisses(obj, "baz.isra.0"))).toEqual(["baz.constprop.0", "baz"]);
    expect(nearMisses(obj, "qux")).toEqual([]);
  });

  it("kinds of kallsyms type letters", () => {
    expect(["t", "T", "W"].map(kindOfType)).toEqual(["text", "text", "text"]);
    expect(["d", "B", "r", "A"].map(kindOfType)).toEqual(["data", "data", "data", "data"]);
    expect(kindOfType("?")).toBe("unknown");
  });
});
