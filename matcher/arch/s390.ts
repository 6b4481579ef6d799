// s390x: *DBL fields relative to their instruction, `lhi`/`lgfi`-family immediates for __LINE__,
// the expoline tables of arch/s390.
import { EM_S390 } from "../../elf/constants.js";
import type { ArchRules } from "./types.js";

export const s390 = {
  name: "s390",
  machine: EM_S390,
  landingBias(typeName) {
    // s390x ELF ABI: *DBL fields are halfword-scaled, relative to the instruction at field - 2.
    if (
      /^R_390_(PC16DBL|PC32DBL|PLT16DBL|PLT32DBL|GOTENT|GOTPCDBL|PC12DBL|PLT12DBL|PC24DBL|PLT24DBL)$/.test(
        typeName,
      )
    )
      return -2n;
    return 0n;
  },
  lineImmediateEnd({ orig, patched }, from, to) {
    // Instruction length from the first byte's top two bits (z/Architecture PoO): 2, 4, 4, 6.
    let at = 0;
    while (at < orig.length) {
      const len = [2, 4, 4, 6][orig[at]! >> 6]!;
      if (from < at + len) {
        if (to > at + len) return null;
        const op = orig[at]!;
        const sub = orig[at + 1]! & 0x0f;
        if (patched[at] !== op || (patched[at + 1]! & 0x0f) !== sub) return null;
        // lhi/lghi (a7 x8/x9, imm16 at +2); lgfi/iilf/llilf (c0 x1/x9/xf, imm32 at +2), into an
        // argument register after the first: r3–r6 (the high nibble of the second byte).
        const reg = orig[at + 1]! >> 4;
        const isImm =
          reg >= 3 &&
          reg <= 6 &&
          ((op === 0xa7 && (sub === 8 || sub === 9)) ||
            (op === 0xc0 && (sub === 1 || sub === 9 || sub === 0xf)));
        return isImm && from >= at + 2 ? at + len : null;
      }
      at += len;
    }
    return null;
  },
  perFunctionTables: [
    ".s390_indirect_call",
    ".s390_indirect_branches",
    ".s390_indirect_jump",
    ".s390_return_reg",
    ".s390_return_mem",
  ],
} satisfies ArchRules;
