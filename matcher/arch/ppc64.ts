// ppc64le: `li` for __LINE__, tail calls the livepatch stub cannot follow, the `.toc` pointer
// slots and the feature-fixup tables of arch/powerpc.
import { EM_PPC64 } from "../../elf/constants.js";
import { type ArchRules, readWord } from "./types.js";

export const ppc64 = {
  name: "ppc64",
  machine: EM_PPC64,
  lineImmediateEnd({ orig, patched, endianness }, from, to) {
    // li rD, SIMM = addi rD, 0, SIMM (opcode 14, rA = 0).
    const w = from & ~3;
    if (to > w + 4) return null;
    const a = readWord(orig, w, endianness);
    const b = readWord(patched, w, endianness);
    // Argument registers after the first: r4–r10.
    const isLi = (x: number): boolean =>
      x >>> 26 === 14 && ((x >>> 16) & 31) === 0 && ((x >>> 21) & 31) >= 4 && ((x >>> 21) & 31) <= 10;
    return isLi(a) && isLi(b) && (a & 0xffff0000) === (b & 0xffff0000) ? w + 4 : null;
  },
  siblingCalls: {
    isSiblingCall: isPpc64SiblingCall,
    consequence: "could not restore its TOC (ppc64le)",
  },
  pointerSlotSections: [".toc"],
  perFunctionTables: [
    "__ftr_fixup",
    "__mmu_ftr_fixup",
    "__fw_ftr_fixup",
    "__lwsync_fixup",
    "__barrier_nospec_fixup",
  ],
} satisfies ArchRules;

/**
 * A tail call on ppc64le: `b` (LK = 0) to another function. The livepatch core cannot restore the
 * caller's TOC after it (kpatch refuses these: "Found an unsupported sibling call").
 */
function isPpc64SiblingCall(typeName: string, code: Uint8Array, at: number): boolean {
  return typeName === "R_PPC64_REL24" && (readWord(code, at, "little") & 0xfc000003) === 0x48000000;
}
