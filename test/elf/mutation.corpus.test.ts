// The property tests of mutation.test.ts on real corpus objects: every arch of kpatch-unit, a Debian
// module with its signature (plain and .ko.xz), a ThinLTO object and a linked program (.dynsym,
// symbol versions). Mutants read fully or fail with ElfFormatError.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { decompress } from "../../elf/index.js";
import { corpusPath } from "../corpus.js";
import { checkByteFlips, checkFieldCorruptions, checkTruncations } from "./mutations.js";

const OBJECTS: [string, number][] = [
  ["kpatch-unit/x86_64/cold-add.ORIG.o", 300],
  ["kpatch-unit/ppc64le/data-new.ORIG.o", 300],
  ["kpatch-unit/s390x/new-function.PATCHED.o", 300],
  ["kpatch-unit/aarch64/cmdline-ubsan.ORIG.o", 300],
  ["kpatch-unit/loongarch64/data-new.ORIG.o", 300],
  ["modules/6.1.0-56-amd64/dummy.ko", 200],
  ["modules/6.12.117+deb12-amd64/tcp_bbr.ko.xz", 150],
  ["thinlto/orig/combined-r.o", 200],
  ["thinlto/prog-orig", 300],
];

describe("mutated corpus objects read fully or fail with ElfFormatError", () => {
  for (const [name, runs] of OBJECTS) {
    describe(name, () => {
      let bytes = new Uint8Array(0);
      beforeAll(async () => {
        const path = corpusPath(...name.split("/"));
        bytes = new Uint8Array(await decompress(path, readFileSync(path)));
      });
      it("truncated at every structure boundary", () => {
        expect(checkTruncations(bytes)).toBeGreaterThan(20);
      });
      it("random byte flips", () => {
        checkByteFlips(bytes, runs);
      });
      it("corrupted header, section, symbol and relocation fields", () => {
        checkFieldCorruptions(bytes, runs);
      });
    });
  }
});
