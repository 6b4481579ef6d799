// Pairs the diff step refuses: another machine, another ELF class, not a relocatable object.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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
