// The diff step on the oracle pairs (real 6.12 kernel files built by gcc 12 and by clang 19 with
// ThinLTO, one function patched each; truth.json says which) and on the ThinLTO objects whose
// every promoted name changes hash on rebuild.
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElf } from "../../elf/file.js";
import { readElfFile } from "../../elf/read-file.js";
import { diffObjects } from "../../matcher/diff.js";
import { modelObject } from "../../matcher/object-model.js";
import { corpusPath } from "../corpus.js";

describe.each(["gcc", "clang", "clang-rebuilt"])("oracle pairs, %s tree", (tree) => {
  const root = corpusPath("oracle", tree, "pairs");
  for (const pair of readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    it(`${pair}: exactly the functions truth.json lists changed`, async () => {
      const dir = join(root, pair);
      const truth = JSON.parse(readFileSync(join(dir, "truth.json"), "utf8")) as {
        changed: { function: string }[];
        renamed: Record<string, string>;
      };
      const object = readdirSync(join(dir, "orig"))[0]!;
      const d = diffObjects(
        await readElfFile(join(dir, "orig", object)),
        await readElfFile(join(dir, "patched", object)),
      );
      expect(d.changed.map((f) => f.name).sort()).toEqual(truth.changed.map((c) => c.function).sort());
      expect(d.new).toEqual([]);
      // a promoted string literal renamed only by its hash (.str.1.llvm.<hash>) is no new data
      expect(d.newData).toEqual([]);
      expect(d.verdict).toBe("patchable");
      // Every ThinLTO rename truth.json records is a correlation, not a change.
      for (const [from, to] of Object.entries(truth.renamed ?? {})) {
        expect(d.renamed.find((x) => x.orig === from)?.patched, from).toBe(to);
      }
    });
  }
});

describe("ThinLTO rebuild (clang 19)", () => {
  const obj = (side: string, name: string) => corpusPath("thinlto", side, name);

  it("a.native.o: only helper() changed although every promoted name got a new hash", async () => {
    const d = diffObjects(
      await readElfFile(obj("orig", "a.native.o")),
      await readElfFile(obj("patched", "a.native.o")),
    );
    expect(d.changed.map((f) => f.name)).toEqual([expect.stringMatching(/^helper\.llvm\.\d+$/)]);
    expect(d.new).toEqual([]);
    expect(d.deleted).toEqual([]);
    const hashes = d.renamed
      .filter((r) => r.how === "ThinLTO hash changed")
      .map((r) => r.orig.replace(/\.llvm\.\d+$/, ""));
    expect(hashes.sort()).toEqual(["cmp", "counter", "helper"]);
    // A userspace build has no ftrace entry: the tool says why it could not be live-patched.
    expect(d.unsupported.join("\n")).toMatch(/no patchable entry: helper\.llvm\./);
  });

  it("combined-r.o (a.c and c.c both define helper/cmp): a's copies pair by module hash, c's by full name", async () => {
    const d = diffObjects(
      await readElfFile(obj("orig", "combined-r.o")),
      await readElfFile(obj("patched", "combined-r.o")),
    );
    expect(d.changed).toHaveLength(1);
    const aHash = d.changed[0]!.name.replace(/^helper\.llvm\./, "");
    expect(d.renamed.map((r) => r.orig).sort()).toEqual(
      ["cmp", "counter", "helper"].map((n) => `${n}.llvm.${aHash}`).sort(),
    );
    const newHash = d.renamed[0]!.patched.replace(/^\w+\.llvm\./, "");
    expect(d.renamed.every((r) => r.patched.endsWith(`.llvm.${newHash}`))).toBe(true);
  });

  it("b.native.o and c.native.o did not change", async () => {
    for (const f of ["b.native.o", "c.native.o"]) {
      const d = diffObjects(await readElfFile(obj("orig", f)), await readElfFile(obj("patched", f)));
      expect(d.verdict, f).toBe("no-change");
    }
  });
});

describe("kCFI stubs", () => {
  it("__cfi_<fn> stubs belong to their function and are never units of their own", async () => {
    const m = modelObject(await readElfFile(corpusPath("thinlto", "statics.kcfi.o")));
    const f1 = m.units.find((u) => u.name === "f1")!;
    expect(f1.stubs.map((s) => s.name)).toEqual(["__cfi_f1"]);
    expect(f1.ownedFrom).toBe(0n);
    expect(m.units.some((u) => u.name.startsWith("__cfi_"))).toBe(false);
  });

  it("a changed type hash in __cfi_f1 changes f1", async () => {
    const path = corpusPath("thinlto", "statics.kcfi.o");
    const orig = await readElfFile(path);
    const bytes = new Uint8Array(await readFile(path));
    const text = orig.sections.find((s) => s.name === ".text.f1")!;
    // __cfi_f1 is `mov $hash, %eax` after padding: flip a byte of the hash.
    const stub = orig.symbols().find((s) => s.name === "__cfi_f1")!;
    const at = Number(text.offset + stub.value) + Number(stub.size) - 4;
    bytes[at] = (bytes[at]! + 1) & 0xff;
    const d = diffObjects(orig, readElf(bytes, { path: "statics.kcfi.patched.o" }));
    expect(d.reasons.f1 ?? []).toContain("prefix __cfi_f1 changed");
  });
});
