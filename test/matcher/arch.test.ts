// Where an x86-64 PC-relative relocation lands: past the immediate that follows the field.
import { describe, expect, it } from "vitest";
import { landingBias } from "../../matcher/arch/index.js";
import { x86ImmediateAfterDisplacement } from "../../matcher/arch/x86_64.js";

const at = (bytes: number[]): [Uint8Array, number] => {
  const code = Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]);
  return [code, bytes.length];
};

describe("x86-64 RIP-relative operands", () => {
  it("finds the immediate after disp32 from the opcode (Intel SDM encodings)", () => {
    expect(x86ImmediateAfterDisplacement(...at([0xc6, 0x05]))).toBe(1); // movb $imm8, sym(%rip)
    expect(x86ImmediateAfterDisplacement(...at([0xc7, 0x05]))).toBe(4); // movl $imm32, sym(%rip)
    expect(x86ImmediateAfterDisplacement(...at([0x66, 0xc7, 0x05]))).toBe(2); // movw $imm16
    expect(x86ImmediateAfterDisplacement(...at([0x48, 0xc7, 0x05]))).toBe(4); // movq $imm32 (REX.W)
    expect(x86ImmediateAfterDisplacement(...at([0x80, 0x3d]))).toBe(1); // cmpb $imm8
    expect(x86ImmediateAfterDisplacement(...at([0x83, 0x05]))).toBe(1); // addl $imm8
    expect(x86ImmediateAfterDisplacement(...at([0x0f, 0xba, 0x25]))).toBe(1); // btl $imm8
    expect(x86ImmediateAfterDisplacement(...at([0x8b, 0x05]))).toBe(0); // mov sym(%rip), %eax
    expect(x86ImmediateAfterDisplacement(...at([0xe8]))).toBe(0); // call rel32
    expect(x86ImmediateAfterDisplacement(...at([0x48, 0x8d, 0x3d]))).toBe(0); // lea sym(%rip), %rdi
  });

  it("lands a PC32 field at the end of its instruction; absolute and other arches at the addend", () => {
    const [code, field] = at([0xc6, 0x05]);
    expect(landingBias("x86_64", "R_X86_64_PC32", code, field)).toBe(5n);
    expect(landingBias("x86_64", "R_X86_64_PLT32", ...at([0xe8]))).toBe(4n);
    expect(landingBias("x86_64", "R_X86_64_32S", code, field)).toBe(0n);
    expect(landingBias("s390", "R_390_PC32DBL", null, 2)).toBe(-2n);
    expect(landingBias("aarch64", "R_AARCH64_ADR_PREL_PG_HI21", null, 0)).toBe(0n);
  });
});
