// Property tests on the committed fixtures and built ELF32/ELF64 × LE/BE files: truncation at every
// structure boundary, random byte flips and corrupted header/section/symbol/relocation fields always
// give a full read or an ElfFormatError — never another exception.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../paths.js";
import { buildElf } from "./elf-builder.js";
import {
  checkByteFlips,
  checkByteFlipsInSections,
  checkFieldCorruptions,
  checkTruncations,
} from "./mutations.js";

function built(cls: 32 | 64, endianness: "little" | "big", extended: boolean): Uint8Array {
  return buildElf({
    class: cls,
    endianness,
    machine: cls === 64 ? (endianness === "big" ? 22 : 62) : endianness === "big" ? 20 : 3,
    forceExtendedNumbering: extended,
    sections: [
      { name: ".text", type: 1, flags: 6n, data: new Uint8Array(24) },
      { name: ".data", type: 1, flags: 3n, data: new Uint8Array(8) },
    ],
    symbols: [
      { name: "", shndx: 1, info: 0x03 },
      { name: "far", shndx: 0xffff, xindex: 2, info: 0x11, size: 8n },
      { name: "fn", shndx: 1, info: 0x12, size: 24n },
      { name: "ext", shndx: 0, info: 0x10 },
    ],
    relocations: [
      {
        target: 1,
        rela: endianness === "big" || cls === 64,
        entries: [
          { offset: 1n, type: 2, symbol: 4, addend: -4n },
          { offset: 8n, type: 1, symbol: 2, addend: 0n },
          { offset: 12n, type: 1, symbol: 1, addend: 16n },
        ],
      },
    ],
  });
}

const SAMPLES: [string, () => Uint8Array][] = [
  [
    "fixtures/elf/sample-x86_64.o",
    () => new Uint8Array(readFileSync(join(FIXTURES, "elf", "sample-x86_64.o"))),
  ],
  [
    "fixtures/elf/sample-i386.o (ELF32 REL)",
    () => new Uint8Array(readFileSync(join(FIXTURES, "elf", "sample-i386.o"))),
  ],
  [
    "fixtures/elf/sample-s390x.o (big-endian)",
    () => new Uint8Array(readFileSync(join(FIXTURES, "elf", "sample-s390x.o"))),
  ],
  [
    "fixtures/elf/sample-powerpc.o (ELF32 big-endian)",
    () => new Uint8Array(readFileSync(join(FIXTURES, "elf", "sample-powerpc.o"))),
  ],
  [
    "fixtures/elf/sample-signed.ko (signature trailer)",
    () => new Uint8Array(readFileSync(join(FIXTURES, "elf", "sample-signed.ko"))),
  ],
  [
    "fixtures/elf/sample-versioned.so (versions, RELR)",
    () => new Uint8Array(readFileSync(join(FIXTURES, "elf", "sample-versioned.so"))),
  ],
  ["built ELF64 LE, extended numbering, SHN_XINDEX", () => built(64, "little", true)],
  ["built ELF64 BE, extended numbering, SHN_XINDEX", () => built(64, "big", true)],
  ["built ELF32 LE REL, SHN_XINDEX", () => built(32, "little", false)],
  ["built ELF32 BE RELA, extended numbering", () => built(32, "big", true)],
];

describe("mutated ELF files read fully or fail with ElfFormatError", () => {
  for (const [name, load] of SAMPLES) {
    describe(name, () => {
      const bytes = load();
      it("truncated at every structure boundary", () => {
        expect(checkTruncations(bytes)).toBeGreaterThan(20);
      });
      it("random byte flips", () => {
        checkByteFlips(bytes, 400);
      });
      it("header, section, symbol and relocation fields set to arbitrary and boundary values", () => {
        checkFieldCorruptions(bytes, 600);
      });
    });
  }
});

describe("mutated symbol-version and RELR tables read fully or fail with ElfFormatError", () => {
  it("byte flips in .gnu.version, .gnu.version_d, .gnu.version_r and .relr.dyn", () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, "elf", "sample-versioned.so")));
    checkByteFlipsInSections(bytes, [".gnu.version", ".gnu.version_d", ".gnu.version_r", ".relr.dyn"], 1500);
  });
});
