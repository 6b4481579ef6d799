// Corrupt livepatch objects: every outcome is the ELF reader's typed error or a result — never
// another exception, never a hang.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ElfFormatError, readElf } from "../../elf/index.js";
import { parseTargetList, readLivepatchTargets } from "../../lib/livepatch/index.js";
import { FIXTURES } from "../paths.js";

const DIR = join(FIXTURES, "verify");
const OBJECTS = [
  "lp_api.ko",
  "lp_api32.o",
  "lp_api.s390x.o",
  "lp_klpsym.ko",
  "lp_kpatch.ko",
  "lp_klpbuild.ko",
];

function readMutated(bytes: Uint8Array, name: string): "error" | "read" {
  let elf: ReturnType<typeof readElf>;
  try {
    elf = readElf(bytes, { path: name });
  } catch (error) {
    expect(error).toBeInstanceOf(ElfFormatError);
    return "error";
  }
  try {
    const t = readLivepatchTargets(elf);
    expect(Array.isArray(t.targets)).toBe(true);
  } catch (error) {
    // lazily decoded structures (symbols, relocations) may still report the file as corrupt
    expect(error).toBeInstanceOf(ElfFormatError);
    return "error";
  }
  return "read";
}

describe("readLivepatchTargets on corrupted objects", () => {
  for (const name of OBJECTS) {
    const original = new Uint8Array(readFileSync(join(DIR, name)));
    it(`${name}: byte flips`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ at: fc.nat({ max: original.length - 1 }), value: fc.nat({ max: 255 }) }), {
            minLength: 1,
            maxLength: 8,
          }),
          (flips) => {
            const bytes = original.slice();
            for (const { at, value } of flips) bytes[at] = value;
            readMutated(bytes, name);
          },
        ),
        { numRuns: 150, seed: 0x6b6c70 },
      );
    });
    it(`${name}: truncation at every 16th byte`, () => {
      for (let end = 0; end < original.length; end += 16) readMutated(original.slice(0, end), name);
    });
  }

  it("target lists: arbitrary text is a list or an InputError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseTargetList("fuzz.txt", text);
        } catch (error) {
          expect((error as Error).name).toBe("InputError");
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
