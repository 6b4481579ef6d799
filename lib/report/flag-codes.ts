// Every flag code `match` can raise, with its severity and what it means: the one list the README's
// flags table and the JSON schema are written from. Codes are stable; never renumber or reuse one.
import { type Flag, flag, type Severity } from "../flags.js";

export interface FlagCodeInfo {
  readonly severity: Severity;
  readonly meaning: string;
}

export const FLAG_CODES = {
  AMBIGUOUS: {
    severity: "error",
    meaning:
      "several kernel symbols compare equal and the evidence does not single out one: no pair is emitted",
  },
  NOT_FOUND: {
    severity: "error",
    meaning: "no symbol of the target object compares equal to the name (with .llvm.<hash> ignored)",
  },
  BUILD_MISMATCH: {
    severity: "error",
    meaning:
      "the orig build does not match the running kernel: only near misses (another gcc clone number), or the size contradicts a weak choice; a warning when the choice stands anyway (size differs, the orig ThinLTO hash is missing, a clone of the name exists)",
  },
  OBJECT_NOT_LOADED: {
    severity: "error",
    meaning: "the target module is not in the kernel's symbols and no --module-file was given for it",
  },
  RESOLVE_MISMATCH: {
    severity: "error",
    meaning:
      "the emitted (old_name, old_sympos) does not resolve to the chosen symbol under the kernel's rule",
  },
  UNREACHABLE: {
    severity: "error",
    meaning: "no (old_name, old_sympos) reaches the chosen symbol under the kernel's lookup rule",
  },
  TARGET_REFUSED: {
    severity: "error",
    meaning:
      "the pair resolves, but the kernel would refuse the target (a data or per-CPU symbol, freed init text)",
  },
  UNSUPPORTED_CHANGE: {
    severity: "error",
    meaning:
      "the diff step found a change a livepatch cannot carry (changed data, init code, no patchable entry…)",
  },
  NAME_TOO_LONG: {
    severity: "error",
    meaning:
      "a .klp.sym name is longer than the kernel parses (511; 127 before 6.1), holds ',' or the objname holds '.'",
  },
  LTO_RULE_ASSUMED: {
    severity: "warning",
    meaning:
      "a clang-LTO kernel of unknown version: the exact-name rule was assumed; give --kernel or --rule",
  },
  LTO_NAME_UNRELIABLE: {
    severity: "warning",
    meaning:
      "a dotted old_name in a 6.2–6.10.6 LTO kernel, whose lookup searches cleaned names: may not be found",
  },
  STATIC_LOCAL_COLLISION: {
    severity: "warning",
    meaning:
      "under the kernel's rule other names (static locals such as clang func.var, clone suffixes) count toward this name's sympos",
  },
  INIT_SYMBOL_HAZARD: {
    severity: "warning",
    meaning:
      "the module also has an init-section symbol of this name: a patch applied while the module's init runs counts it",
  },
  HIDDEN_ADDRESSES: {
    severity: "warning",
    meaning:
      "the symbol table's addresses are hidden (kptr_restrict): neighbourhood works by line order, sizes can't be checked",
  },
  EXPORTS_UNKNOWN: {
    severity: "warning",
    meaning:
      "the table has no __ksymtab_ entries and no --symvers was given: every global reference is treated as non-exported",
  },
  BASELINE_CHANGED: {
    severity: "error",
    meaning: "a decision differs from the --baseline report (raised with --fail-on-change)",
  },
  DELETED_FUNCTION: {
    severity: "info",
    meaning: "the patch deletes a function: a livepatch leaves the old one in place",
  },
  NO_CHANGE: {
    severity: "info",
    meaning: "the object pair has no changed or new function",
  },
} as const satisfies Record<string, FlagCodeInfo>;

export type FlagCode = keyof typeof FLAG_CODES;

/** A flag with the code's own severity. */
export function raise(code: FlagCode, message: string): Flag {
  return flag(code, FLAG_CODES[code].severity, message);
}

/** A flag of a known code at another severity (e.g. a warning-level build mismatch). */
export function raiseAs(code: FlagCode, severity: Severity, message: string): Flag {
  return flag(code, severity, message);
}
