// arm64: `movz` for __LINE__, and the `$x`/`$d` mapping symbols its assembler sets.
import { EM_AARCH64 } from "../../elf/constants.js";
import { type ArchRules, readWord } from "./types.js";

export const aarch64 = {
  name: "aarch64",
  machine: EM_AARCH64,
  lineImmediateEnd({ orig, patched, endianness }, from, to) {
    // movz wD/xD, #imm16 (mov with a 16-bit immediate).
    const w = from & ~3;
    if (to > w + 4) return null;
    const a = readWord(orig, w, endianness);
    const b = readWord(patched, w, endianness);
    // Argument registers after the first: w1–w7.
    const isMovz = (x: number): boolean => (x & 0x7f800000) === 0x52800000 && (x & 31) >= 1 && (x & 31) <= 7;
    return isMovz(a) && isMovz(b) && (a & 0xffe0001f) === (b & 0xffe0001f) ? w + 4 : null;
  },
  // AAELF64 "Mapping symbols": $x starts code, $d data.
  mappingSymbolPrefix: "$",
} satisfies ArchRules;
