// x86-64: RIP-relative fields relative to the end of their instruction, `mov $imm32, %reg` for
// __LINE__, the alternatives and ORC tables of arch/x86.
import { EM_X86_64 } from "../../elf/constants.js";
import type { ArchRules } from "./types.js";

export const x86_64 = {
  name: "x86_64",
  machine: EM_X86_64,
  /**
   * PC-relative fields are relative to the end of the instruction: the assembler writes
   * `target - 4`, or `target - 5`…`- 8` when an immediate follows the field (`movb $1, flag(%rip)`),
   * so the instruction is read to find it.
   */
  landingBias(typeName, code, at) {
    // psABI: PC32/PLT32/GOTPCREL* are S + A - P with P the field's own address.
    if (/^R_X86_64_(PC32|PLT32|GOTPCREL|GOTPCRELX|REX_GOTPCRELX|GOTPC32)$/.test(typeName))
      return 4n + BigInt(code ? x86ImmediateAfterDisplacement(code, at) : 0);
    if (typeName === "R_X86_64_PC64") return 8n;
    return 0n;
  },
  lineImmediateEnd({ orig, patched }, from, to) {
    // mov $imm32, %r32 (b8+r id, Intel SDM "MOV"): the line is never the first argument, so
    // %esi, %edx, %ecx, or %r8d/%r9d behind a REX.B prefix (41).
    for (let s = from - 1; s >= Math.max(0, from - 4); s--) {
      const op = orig[s]!;
      if (patched[s] !== op || to > s + 5) continue;
      const rexB = s > 0 && orig[s - 1] === 0x41;
      if ((!rexB && (op === 0xbe || op === 0xba || op === 0xb9)) || (rexB && (op === 0xb8 || op === 0xb9)))
        return s + 5;
    }
    return null;
  },
  relaxableJump(typeName, code, at) {
    if (typeName !== "R_X86_64_PC32" && typeName !== "R_X86_64_PLT32") return 0n;
    // jmp rel32 (e9, 5 bytes) and jcc rel32 (0f 8x, 6 bytes) relax to their 2-byte short forms
    if (at >= 1 && code[at - 1] === 0xe9) return 3n;
    if (at >= 2 && code[at - 2] === 0x0f && (code[at - 1]! & 0xf0) === 0x80) return 4n;
    return 0n;
  },
  perFunctionTables: [
    ".smp_locks",
    ".parainstructions",
    ".altinstructions",
    ".altinstr_replacement",
    ".altinstr_aux",
    ".orc_unwind",
    ".orc_unwind_ip",
    ".orc_header",
    ".retpoline_sites",
    ".return_sites",
    ".call_sites",
    ".ibt_endbr_seal",
  ],
  // .altinstr_aux holds code static_cpu_has() runs before alternatives are applied; inert in a
  // module, so references to it are equal whatever their offset (kpatch rela_equal).
  inertCodeSections: [".altinstr_aux"],
} satisfies ArchRules;

/**
 * Size of the immediate operand after a RIP-relative disp32 at `at`: the ModRM byte before it has
 * mod = 00, r/m = 101, and the opcode before that says whether an imm8/imm16/imm32 follows
 * (Intel SDM vol. 2: MOV C6/C7, group-1 80/81/83, TEST F6/F7, shifts C0/C1, IMUL 69/6B, BT 0F BA).
 */
export function x86ImmediateAfterDisplacement(code: Uint8Array, at: number): number {
  const modrm = code[at - 1];
  if (modrm === undefined || (modrm & 0xc7) !== 0x05) return 0;
  const op = code[at - 2];
  let before = at - 3;
  while (before >= 0 && (code[before]! & 0xf0) === 0x40) before--; // REX prefixes
  const operandSize16 = before >= 0 && code[before] === 0x66;
  switch (op) {
    case 0xc6:
    case 0x80:
    case 0x83:
    case 0xf6:
    case 0xc0:
    case 0xc1:
    case 0x6b:
      return 1;
    case 0xc7:
    case 0x81:
    case 0xf7:
    case 0x69:
      return operandSize16 ? 2 : 4;
    case 0xba:
      return code[at - 3] === 0x0f ? 1 : 0;
    default:
      return 0;
  }
}
