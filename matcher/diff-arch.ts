// Per-architecture facts the diff step needs: where a PC-relative relocation lands, which
// relocations are calls, and what the ftrace entry call is named. Keyed by the ELF machine name.

/** Architectures the diff step knows; others are read and compared without arch-specific rules. */
export type DiffArch = "x86_64" | "ppc64" | "s390" | "aarch64" | "loongarch" | "other";

export function diffArchOf(machineName: string): DiffArch {
  switch (machineName) {
    case "x86_64":
    case "ppc64":
    case "s390":
    case "aarch64":
    case "loongarch":
      return machineName;
    default:
      return "other";
  }
}

/**
 * How far past `symbol + addend` a relocation's real target lies. x86-64 PC-relative fields are
 * relative to the end of the instruction: the assembler writes `target - 4`, or `target - 5`…`- 8`
 * when an immediate follows the field (`movb $1, flag(%rip)`), so the instruction is read to find
 * it. s390 *DBL fields sit 2 bytes into the instruction their value is relative to. Others: 0.
 */
export function landingBias(arch: DiffArch, typeName: string, code: Uint8Array | null, at: number): bigint {
  if (arch === "x86_64") {
    // psABI: PC32/PLT32/GOTPCREL* are S + A - P with P the field's own address.
    if (/^R_X86_64_(PC32|PLT32|GOTPCREL|GOTPCRELX|REX_GOTPCRELX|GOTPC32)$/.test(typeName))
      return 4n + BigInt(code ? x86ImmediateAfterDisplacement(code, at) : 0);
    if (typeName === "R_X86_64_PC64") return 8n;
    return 0n;
  }
  if (arch === "s390") {
    // s390x ELF ABI: *DBL fields are halfword-scaled, relative to the instruction at field - 2.
    if (
      /^R_390_(PC16DBL|PC32DBL|PLT16DBL|PLT32DBL|GOTENT|GOTPCDBL|PC12DBL|PLT12DBL|PC24DBL|PLT24DBL)$/.test(
        typeName,
      )
    )
      return -2n;
    return 0n;
  }
  return 0n;
}

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

/**
 * A tail call on ppc64le: `b` (LK = 0) to another function. The livepatch core cannot restore the
 * caller's TOC after it (kpatch refuses these: "Found an unsupported sibling call").
 */
export function isPpc64SiblingCall(typeName: string, code: Uint8Array, at: number): boolean {
  return typeName === "R_PPC64_REL24" && (readWord(code, at, "little") & 0xfc000003) === 0x48000000;
}

export function readWord(code: Uint8Array, at: number, endianness: "little" | "big"): number {
  const b0 = code[at] ?? 0;
  const b1 = code[at + 1] ?? 0;
  const b2 = code[at + 2] ?? 0;
  const b3 = code[at + 3] ?? 0;
  return endianness === "little"
    ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0
    : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}
