// What the diff step knows about one architecture: where its PC-relative relocations land, how its
// load-immediate instructions carry a __LINE__, which of its calls a livepatch cannot keep, and the
// sections and symbols only its toolchain or kernel makes. Each arch is one ArchRules record.
import type { Endianness } from "../../elf/types.js";

/**
 * An architecture's short name (the ELF machine's, as elf/names.ts spells it: "x86_64", "ppc64", …),
 * or "other" for an object no record describes: compared without arch-specific rules.
 */
export type DiffArch = string;

/** A function's bytes on both sides (same length), for decoding the instruction around a difference. */
export interface FunctionBytes {
  readonly endianness: Endianness;
  readonly orig: Uint8Array;
  readonly patched: Uint8Array;
}

export interface ArchRules {
  readonly name: DiffArch;
  /** ELF e_machine, from elf/constants.ts. */
  readonly machine: number;
  /**
   * How far past `symbol + addend` a relocation's real target lies, for the relocation of type
   * `typeName` whose field is at `at` in `code`. Absent: 0 (the addend names the target).
   */
  readonly landingBias?: (typeName: string, code: Uint8Array | null, at: number) => bigint;
  /**
   * The __LINE__ filter: the end offset of the load-immediate instruction, into an argument
   * register after the first, whose immediate covers [from, to) on both sides; null if none does.
   */
  readonly lineImmediateEnd: (bytes: FunctionBytes, from: number, to: number) => number | null;
  /** Tail calls out of a livepatched function that the livepatch core cannot support. */
  readonly siblingCalls?: {
    /** The relocation of type `typeName` at `at` in `code` is such a call. */
    readonly isSiblingCall: (typeName: string, code: Uint8Array, at: number) => boolean;
    /** Why it cannot be patched, for the report. */
    readonly consequence: string;
  };
  /** Sections of anonymous pointer slots (ppc64 `.toc`): compared by what each slot points to. */
  readonly pointerSlotSections?: readonly string[];
  /** Tables of this arch's kernel describing places in functions, rebuilt for the carried functions. */
  readonly perFunctionTables?: readonly string[];
  /** Code sections never run in a module, so references into them compare equal at any offset. */
  readonly inertCodeSections?: readonly string[];
  /** Prefix of the assembler's mapping symbols (`$x`, `$d`): places, never functions or objects. */
  readonly mappingSymbolPrefix?: string;
  /**
   * Bytes the jump whose relocation of type `typeName` is at `at` in `code` may be shorter in a
   * build without -ffunction-sections (its target then in the same section, the jump relaxed).
   * Absent: 0 (fixed-width instructions).
   */
  readonly relaxableJump?: (typeName: string, code: Uint8Array, at: number) => bigint;
}

/** The 32-bit word at `at` (missing bytes read as 0). */
export function readWord(code: Uint8Array, at: number, endianness: Endianness): number {
  const b0 = code[at] ?? 0;
  const b1 = code[at + 1] ?? 0;
  const b2 = code[at + 2] ?? 0;
  const b3 = code[at + 3] ?? 0;
  return endianness === "little"
    ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0
    : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}
