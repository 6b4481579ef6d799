// LoongArch: `addi`/`ori`/`lu12i.w` immediates for __LINE__.
import { EM_LOONGARCH } from "../../elf/constants.js";
import { type ArchRules, readWord } from "./types.js";

export const loongarch = {
  name: "loongarch",
  machine: EM_LOONGARCH,
  lineImmediateEnd({ orig, patched, endianness }, from, to) {
    // addi.w/addi.d rd, $zero, si12; ori rd, $zero, ui12; lu12i.w rd, si20.
    const w = from & ~3;
    if (to > w + 4) return null;
    const a = readWord(orig, w, endianness);
    const b = readWord(patched, w, endianness);
    const isLoadImm = (x: number): boolean => {
      // Argument registers after the first: a1–a7 (r5–r11).
      const rd = x & 31;
      if (rd < 5 || rd > 11) return false;
      const op10 = x >>> 22;
      if ((op10 === 0x00a || op10 === 0x00b || op10 === 0x00e) && ((x >>> 5) & 31) === 0) return true;
      return x >>> 25 === 0x0a;
    };
    return isLoadImm(a) && isLoadImm(b) && (a & 31) === (b & 31) ? w + 4 : null;
  },
} satisfies ArchRules;
