// __LINE__-only changes: a line added above a function shifts the line numbers it passes to
// WARN/printk-style helpers. When the only differences are such immediates, the function is not
// changed (kpatch's line-macro filter). Each arch decodes its load-immediates (matcher/arch/).
import type { Endianness } from "../elf/types.js";
import { isSpecialStatic, stripLlvmSuffix } from "../lib/symbol-name.js";
import { archRules, type DiffArch } from "./arch/index.js";
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
  const rules = archRules(input.arch);
  if (input.ranges.length === 0 || !rules) return false;
  for (const [from, to] of input.ranges) {
    const insnEnd = rules.lineImmediateEnd(input, from, to);
    if (insnEnd === null) return false;
    if (!nextCallIsLineMacro(input, insnEnd)) return false;
  }
  return true;
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
