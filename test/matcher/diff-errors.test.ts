// Pairs the diff step refuses: another machine, another ELF class, not a relocatable object.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ElfFormatError } from "../../elf/errors.js";
import { readElf } from "../../elf/file.js";
import { readElfFile } from "../../elf/read-file.js";
import { InputError } from "../../lib/input-error.js";
import { diffObjects } from "../../matcher/diff.js";
import { FIXTURES } from "../paths.js";

const D = join(FIXTURES, "diff");

describe("refused pairs", () => {
  it("objects of two machines", async () => {
    const o = await readElfFile(join(D, "gcc", "line.orig.o"));
    const p = await readElfFile(join(D, "cross", "aarch64", "line.patched.o"));
    expect(() => diffObjects(o, p)).toThrow(InputError);
    expect(() => diffObjects(o, p)).toThrow(
      /built for aarch64 ELF64 little-endian, but .*line\.orig\.o is x86_64/,
    );
  });

  it("objects of two ELF classes", async () => {
    const o = await readElfFile(join(D, "gcc", "line.orig.o"));
    const p = await readElfFile(join(D, "cross", "i386", "line.patched.o"));
    expect(() => diffObjects(o, p)).toThrow(/i386 ELF32/);
  });

  it("i386 objects: REL relocations keep addends in the code, and livepatch does not run on i386", async () => {
    const o = await readElfFile(join(D, "cross", "i386", "line.orig.o"));
    const p = await readElfFile(join(D, "cross", "i386", "line.patched.o"));
    expect(o.relocationSections().some((rs) => !rs.isRela)).toBe(true);
    expect(() => diffObjects(o, p)).toThrow(InputError);
    expect(() => diffObjects(o, p)).toThrow(/line\.orig\.o: i386 object with REL relocations/);
  });

  it("a 32-bit object with RELA relocations (powerpc) is still compared", async () => {
    const f = await readElfFile(join(FIXTURES, "elf", "sample-powerpc.o"));
    expect(f.header.class).toBe(32);
    expect(diffObjects(f, f).verdict).toBe("no-change");
  });

  it("objects of two byte orders", async () => {
    const o = await readElfFile(join(D, "cross", "s390x", "line.orig.o"));
    const p = await readElfFile(join(D, "cross", "ppc64le", "line.patched.o"));
    expect(() => diffObjects(o, p)).toThrow(/big-endian|little-endian/);
  });

  it("a file that is not a relocatable object (e_type EXEC)", async () => {
    const bytes = new Uint8Array(await readFile(join(D, "gcc", "line.orig.o")));
    bytes[16] = 2; // e_type = ET_EXEC (little-endian half at offset 16)
    const exec = readElf(bytes, { path: "line-exec.o" });
    const p = await readElfFile(join(D, "gcc", "line.patched.o"));
    expect(() => diffObjects(exec, p)).toThrow(/line-exec\.o: not a relocatable object \(ELF type EXEC\)/);
  });

  it("the same object twice is no change", async () => {
    const o = await readElfFile(join(D, "gcc", "clones.orig.o"));
    const d = diffObjects(o, o);
    expect(d.verdict).toBe("no-change");
    expect(d.changed).toEqual([]);
    expect(d.unsupported).toEqual([]);
  });
});

describe("mutated objects", () => {
  it("a changed .cold child whose function is gone from the patched object stands on its own", async () => {
    // Rename cold_user (the symbol, not its section) in the patched object: the child keeps its twin,
    // its parent has none.
    const bytes = new Uint8Array(await readFile(join(D, "gcc", "cold.patched.o")));
    const f = readElf(bytes, { path: "cold.patched.o" });
    const strtab = f.sections.find((x) => x.name === ".strtab")!;
    const text = new TextDecoder("latin1").decode(strtab.data!);
    const nameAt = text.indexOf("\u0000cold_user\u0000") + 1;
    expect(nameAt).toBeGreaterThan(0);
    bytes[Number(strtab.offset) + nameAt + 8] = "x".charCodeAt(0);
    const d = diffObjects(
      await readElfFile(join(D, "gcc", "cold.orig.o")),
      readElf(bytes, { path: "cold.renamed.o" }),
    );
    expect(d.changed.map((c) => c.name)).toContain("cold_user.cold");
    expect(d.deleted.map((c) => c.name)).toEqual(["cold_user"]);
  });

  it("a corrupted patched object is refused with a file error or diffed, never crashes the diff", async () => {
    const cases = [
      "gcc/clones",
      "gcc/cold",
      "gcc/statics",
      "cross/ppc64le/line",
      "cross/s390x/line",
      "clang/replace",
    ];
    const objects = await Promise.all(
      cases.map(async (c) => ({
        orig: new Uint8Array(await readFile(join(D, `${c}.orig.o`))),
        patched: new Uint8Array(await readFile(join(D, `${c}.patched.o`))),
      })),
    );
    fc.assert(
      fc.property(
        fc.nat(cases.length - 1),
        fc.array(fc.tuple(fc.nat(1 << 16), fc.nat(255)), { minLength: 1, maxLength: 8 }),
        (which, flips) => {
          const { orig, patched } = objects[which]!;
          const bytes = patched.slice();
          for (const [at, value] of flips) bytes[at % bytes.length] = value;
          try {
            diffObjects(readElf(orig, { path: "orig.o" }), readElf(bytes, { path: "mutated.o" }));
          } catch (error) {
            if (!(error instanceof ElfFormatError || error instanceof InputError)) throw error;
          }
        },
      ),
      { seed: 4242, numRuns: 400 },
    );
  });
});
