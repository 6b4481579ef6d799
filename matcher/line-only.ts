// __LINE__-only changes: a line added above a function shifts the line numbers it passes to
// WARN/printk-style helpers. When the only differences are such immediates, the function is not
// changed (kpatch's line-macro filter). Decoded per arch: x86-64, ppc64le, s390x, arm64, LoongArch.
import type { Endianness } from "../elf/types.js";
import { isSpecialStatic, stripLlvmSuffix } from "../lib/symbol-name.js";
import { type DiffArch, readWord } from "./diff-arch.js";
import type { Reloc } from "./object-model.js";

/** Helpers that take __FILE__/__LINE__ (or print them); kpatch's list. */
const LINE_MACRO_FUNCTIONS: ReadonlySet<string> = new Set([
  "__warn_printk",
  "__might_sleep",
  "___might_sleep",
  "__might_resched",
  "__might_fault",
  "printk",
  "_printk",
  "lockdep_rcu_suspicious",
  "__btrfs_abort_transaction",
  "__btrfs_handle_fs_error",
  "__btrfs_panic",
]);

export function isLineMacroFunction(name: string): boolean {
  const base = stripLlvmSuffix(name);
  return LINE_MACRO_FUNCTIONS.has(base) || base.startsWith("warn_slowpath_");
}

export interface LineOnlyInput {
  readonly arch: DiffArch;
  readonly endianness: Endianness;
  /** The function's bytes on both sides (same length). */
  readonly orig: Uint8Array;
  readonly patched: Uint8Array;
  /** Relocations of the function (equal on both sides), offsets relative to its start. */
  readonly relocations: readonly {
    readonly offset: number;
    readonly typeName: string;
    readonly target: Reloc["target"];
  }[];
  /** Differing byte ranges [from, to), relative to the function's start. */
  readonly ranges: readonly (readonly [number, number])[];
}

/**
 * True when every differing range is the immediate of a load-immediate instruction whose value is
 * the argument of the next call, and that call goes to a __LINE__-taking helper.
 */
export function isLineOnlyChange(input: LineOnlyInput): boolean {
  if (input.ranges.length === 0) return false;
  for (const [from, to] of input.ranges) {
    const insnEnd = immediateInstructionEnd(input, from, to);
    if (insnEnd === null) return false;
    if (!nextCallIsLineMacro(input, insnEnd)) return false;
  }
  return true;
}

/** End offset of the load-immediate instruction whose immediate covers [from, to), or null. */
function immediateInstructionEnd(input: LineOnlyInput, from: number, to: number): number | null {
  const { orig, patched } = input;
  switch (input.arch) {
    case "x86_64": {
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
    }
    case "ppc64": {
      // li rD, SIMM = addi rD, 0, SIMM (opcode 14, rA = 0).
      const w = from & ~3;
      if (to > w + 4) return null;
      const a = readWord(orig, w, input.endianness);
      const b = readWord(patched, w, input.endianness);
      // Argument registers after the first: r4–r10.
      const isLi = (x: number): boolean =>
        x >>> 26 === 14 && ((x >>> 16) & 31) === 0 && ((x >>> 21) & 31) >= 4 && ((x >>> 21) & 31) <= 10;
      return isLi(a) && isLi(b) && (a & 0xffff0000) === (b & 0xffff0000) ? w + 4 : null;
    }
    case "aarch64": {
      // movz wD/xD, #imm16 (mov with a 16-bit immediate).
      const w = from & ~3;
      if (to > w + 4) return null;
      const a = readWord(orig, w, input.endianness);
      const b = readWord(patched, w, input.endianness);
      // Argument registers after the first: w1–w7.
      const isMovz = (x: number): boolean =>
        (x & 0x7f800000) === 0x52800000 && (x & 31) >= 1 && (x & 31) <= 7;
      return isMovz(a) && isMovz(b) && (a & 0xffe0001f) === (b & 0xffe0001f) ? w + 4 : null;
    }
    case "loongarch": {
      // addi.w/addi.d rd, $zero, si12; ori rd, $zero, ui12; lu12i.w rd, si20.
      const w = from & ~3;
      if (to > w + 4) return null;
      const a = readWord(orig, w, input.endianness);
      const b = readWord(patched, w, input.endianness);
      const isLoadImm = (x: number): boolean => {
        // Argument registers after the first: a1–a7 (r5–r11).
        const rd = x & 31;
        if (rd < 5 || rd > 11) return false;
        const op10 = x >>> 22;
        if ((op10 === 0x00a || op10 === 0x00b || op10 === 0x00e) && ((x >>> 5) & 31) === 0) return true;
        return x >>> 25 === 0x0a;
      };
      return isLoadImm(a) && isLoadImm(b) && (a & 31) === (b & 31) ? w + 4 : null;
    }
    case "s390": {
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
    }
    default:
      return null;
  }
}

/**
 * kpatch's pattern: after the immediate, zero or more relocations to strings (the __FILE__ or
 * format argument, `__func__`) or to once-flags (`__warned`, `__already_done`), then the helper.
 */
function nextCallIsLineMacro(input: LineOnlyInput, after: number): boolean {
  for (const r of input.relocations) {
    if (r.offset < after) continue;
    let t = r.target;
    while (t.kind === "indirect") t = t.via.target;
    if (t.kind === "string" || t.kind === "constant") continue;
    if (t.kind !== "symbol") return false;
    if (isLineMacroFunction(t.symbol.name)) return true;
    if (isOnceFlag(t.symbol.name)) continue;
    return false;
  }
  return false;
}

/** Once-flags and function-name strings (`__warned`, `__already_done`, `__func__`, …): special statics. */
function isOnceFlag(name: string): boolean {
  return isSpecialStatic(name);
}
