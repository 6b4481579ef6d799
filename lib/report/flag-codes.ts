// Every flag code klpmatch's reports can hold — its severity, the commands that raise it and what
// it means: the one list the README's flags table is written from and the match report's JSON
// schema is checked against. Codes are stable; never rename, renumber or reuse one.
import type { Flag, Severity } from "../flags.js";
import type { FlagCodeInfo, FlagCommand } from "./flag-code-info.js";
import { LIVE_FLAG_CODES } from "./flag-codes-live.js";

export type { FlagCodeInfo, FlagCommand } from "./flag-code-info.js";

const CORE_FLAG_CODES = {
  AMBIGUOUS: {
    severity: "error",
    raisedBy: ["match", "verify"],
    meaning:
      "several kernel symbols match the name and nothing singles out one: match emits no pair (the evidence does not decide); verify finds old_sympos 0, so the kernel refuses the patch",
  },
  NOT_FOUND: {
    severity: "error",
    raisedBy: ["match", "verify"],
    meaning:
      "no symbol of the target object matches the name (match ignores the .llvm.<hash> suffix; verify looks it up by the kernel's rule): match emits no pair, the kernel's lookup fails",
  },
  BUILD_MISMATCH: {
    severity: "error",
    alsoAt: ["warning"],
    raisedBy: ["match"],
    meaning:
      "the orig build does not match the running kernel: only near misses (another gcc clone number), or the size contradicts a weak choice; a warning when the choice stands anyway (size differs, the orig ThinLTO hash is missing, a clone of the name exists)",
  },
  OBJECT_NOT_LOADED: {
    severity: "error",
    raisedBy: ["match"],
    meaning: "the target module is not in the kernel's symbols and no --module-file was given for it",
  },
  OBJNAME_ASSUMED: {
    severity: "warning",
    raisedBy: ["match"],
    meaning:
      "nothing tells the object's module (an object given alone with no kernel build tree around it, or a tree without *.mod files, and no --objname or --build-dir): matched against vmlinux",
  },
  RESOLVE_MISMATCH: {
    severity: "error",
    raisedBy: ["match"],
    meaning:
      "the emitted (old_name, old_sympos) does not resolve to the chosen symbol under the kernel's rule",
  },
  UNREACHABLE: {
    severity: "error",
    raisedBy: ["match"],
    meaning: "no (old_name, old_sympos) reaches the chosen symbol under the kernel's lookup rule",
  },
  TARGET_REFUSED: {
    severity: "error",
    raisedBy: ["match"],
    meaning:
      "the pair resolves, but the kernel would refuse the target (a data or per-CPU symbol, freed init text)",
  },
  UNSUPPORTED_CHANGE: {
    severity: "error",
    raisedBy: ["match"],
    meaning:
      "the diff step found a change a livepatch cannot carry (changed data, init code, no patchable entry…)",
  },
  NAME_TOO_LONG: {
    severity: "error",
    raisedBy: ["match", "verify"],
    meaning:
      "a name longer than the kernel takes: an old_name of KSYM_NAME_LEN (512; 128 before 6.1) or more, which klp_init_func() refuses, or a .klp.sym reference name longer than the kernel parses (511; 127 before 6.1), holding ',', or whose objname holds '.' (match)",
  },
  LTO_RULE_ASSUMED: {
    severity: "warning",
    raisedBy: ["match", "verify"],
    meaning:
      "a clang-LTO kernel of unknown version: the exact-name lookup rule was assumed; give --kernel or --rule",
  },
  LTO_NAME_UNRELIABLE: {
    severity: "warning",
    raisedBy: ["match"],
    meaning:
      "a dotted old_name in a 6.2–6.10.6 LTO kernel, whose lookup searches cleaned names: may not be found",
  },
  STATIC_LOCAL_COLLISION: {
    severity: "warning",
    raisedBy: ["match"],
    meaning:
      "under the kernel's rule other names (static locals such as clang func.var, clone suffixes) count toward this name's sympos",
  },
  INIT_SYMBOL_HAZARD: {
    severity: "warning",
    raisedBy: ["match", "verify"],
    meaning:
      "the target module's init sections also hold a symbol of this name: while its init runs (it loads after the patch) that symbol counts too, so old_sympos may select another symbol",
  },
  HIDDEN_ADDRESSES: {
    severity: "warning",
    alsoAt: ["info"],
    raisedBy: ["match", "verify"],
    meaning:
      "the symbol table hides addresses (kptr_restrict): match (warning) orders neighbours by line and cannot check sizes; verify (info) checks positions, not addresses or text ranges",
  },
  EXPORTS_UNKNOWN: {
    severity: "warning",
    raisedBy: ["match"],
    meaning:
      "the table has no __ksymtab_ entries and no --symvers was given: every global reference is treated as non-exported",
  },
  BASELINE_CHANGED: {
    severity: "error",
    raisedBy: ["match"],
    meaning: "a decision differs from the --baseline report (raised with --fail-on-change)",
  },
  VMLINUX_ALIGNED: {
    severity: "info",
    raisedBy: ["match"],
    meaning:
      "the --vmlinux ELF's addresses are the table's moved by one offset (KASLR): its evidence was aligned by a unique symbol's offset",
  },
  NEW_OBJECT: {
    severity: "warning",
    raisedBy: ["match"],
    meaning:
      "an object only the patched tree has: every function of it is new and carried whole, its references are listed",
  },
  DELETED_OBJECT: {
    severity: "warning",
    raisedBy: ["match"],
    meaning: "an object only the orig tree has: a livepatch cannot remove code, the running kernel keeps it",
  },
  DELETED_FUNCTION: {
    severity: "info",
    raisedBy: ["match"],
    meaning: "the patch deletes a function: a livepatch leaves the old one in place",
  },
  NO_CHANGE: {
    severity: "info",
    raisedBy: ["match"],
    meaning: "the object pair has no changed or new function",
  },
  POSITION_NOT_FOUND: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "old_sympos is larger than the number of matching symbols (a stale position)",
  },
  KERNEL_REBUILT: {
    severity: "error",
    raisedBy: ["verify"],
    meaning:
      "the target's .llvm.<hash> is missing but the same name with another hash exists: the kernel was built from other sources",
  },
  FTRACE_REFUSED: {
    severity: "error",
    raisedBy: ["verify"],
    meaning:
      "the function target resolves to something ftrace cannot attach to (data, freed init text, noinstr or entry code, a function its vmlinux or module file records no call site for)",
  },
  SIZE_LOOKUP_FAILED: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "the position reaches a per-CPU (absolute) symbol: kallsyms size lookup fails",
  },
  DUPLICATE_TARGET: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "two functions of one object get the same sysfs entry <name>,<sympos or 1>: -EEXIST",
  },
  DUPLICATE_OBJECT: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "two klp_objects of one name: the second one's sysfs directory exists, -EEXIST",
  },
  OBJNAME_TOO_LONG: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a klp_object module name of MODULE_NAME_LEN (56) or more: -EINVAL",
  },
  NOT_LOADED: {
    severity: "warning",
    alsoAt: ["info"],
    raisedBy: ["verify"],
    meaning:
      "the target module is not loaded: it is resolved when it loads (info when checked against its --module-file)",
  },
  MODULE_FILE_MISMATCH: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning: "a --module-file is not the module that is loaded",
  },
  UNRELIABLE_QUERY: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning: "a dotted name in a 6.2–6.10.6 clang-LTO kernel may not be found at all",
  },
  SYMPOS_ONE_UNIQUE: {
    severity: "info",
    raisedBy: ["verify"],
    meaning:
      "old_sympos 1 on a unique name: works, but differs from 0 for cumulative patches on kernels before upstream commit 139560e8b973",
  },
  EXPECT_MISMATCH: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "the target does not reach the symbol the --expect report decided",
  },
  EXPECT_MISSING: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning: "the --expect report has no entry for this target",
  },
  EXPECT_UNCOVERED: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning: "the --expect report has an entry no target of the patch names",
  },
  NOT_LIVEPATCH_MODULE: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: 'the module lacks MODULE_INFO(livepatch, "Y"): klp_enable_patch refuses it',
  },
  BAD_KLP_SYM_NAME: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a .klp.sym name the kernel's sscanf cannot read (limits, missing parts)",
  },
  BAD_KLP_RELA_NAME: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a .klp.rela section name the kernel cannot read",
  },
  KLP_RELA_NOT_MARKED: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a .klp.rela section without SHF_RELA_LIVEPATCH",
  },
  KLP_SYM_NOT_LIVEPATCH: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a .klp.sym symbol (or one used by .klp.rela) not in SHN_LIVEPATCH",
  },
  KLP_SYM_VMLINUX_FROM_MODULE: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a module's .klp.rela section uses a vmlinux .klp.sym symbol: the kernel refuses it",
  },
  KLP_RELA_NO_OBJECT: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a module's .klp.rela section whose object the patch has no klp_object for: never applied",
  },
  KLP_SYM_TRAILING: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning: "characters after a .klp.sym position, which the kernel ignores",
  },
  KLP_SYM_UNUSED: {
    severity: "info",
    raisedBy: ["verify"],
    meaning: "a .klp.sym symbol no .klp.rela relocation uses: never looked up",
  },
  KPATCH_FUNCS_UNREADABLE: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: ".kpatch.funcs does not hold readable struct kpatch_patch_func entries",
  },
  KLP_OBJECTS_UNREADABLE: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a klp-build klp_objects section without readable struct klp_object_ext entries",
  },
  KLP_PATCH_NOT_FOUND: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning: "klp_enable_patch() is called but no static klp_patch was found",
  },
  LIST_UNDECIDED: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning: "a match report entry without a decided target: nothing to verify for it",
  },
  NO_TARGETS: {
    severity: "warning",
    alsoAt: ["error"],
    raisedBy: ["verify"],
    meaning: "nothing to verify was found; an error for verify --live (a livepatch that patches nothing)",
  },
  NO_NEW_FUNC: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a klp_func without new_func: klp_init_func() refuses it",
  },
  BAD_OLD_NAME: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "old_name does not lead to a string in the object",
  },
  OBJNAME_VMLINUX_STRING: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: 'a klp_object named "vmlinux" (must be NULL): treated as a module that never loads',
  },
  OBJNAME_NOT_NORMALIZED: {
    severity: "error",
    raisedBy: ["verify"],
    meaning: "a klp_object name with '-': module names use '_', so it never matches",
  },
  LLVM_NAME_NEVER_MATCHES: {
    severity: "error",
    raisedBy: ["verify"],
    meaning:
      "the target's full .llvm.<hash> name is in the kernel, but the 6.5.1–6.10.6 clang-LTO rule compares names with the suffix cut off, so a full .llvm. name never matches: give the stripped name",
  },
} as const satisfies Record<string, FlagCodeInfo>;

/** Every code: the diff/match/verify ones, then what `verify --live` finds on the running system. */
export const FLAG_CODES = { ...CORE_FLAG_CODES, ...LIVE_FLAG_CODES } as const;

export type FlagCode = keyof typeof FLAG_CODES;

/** The registry entry of a code, or undefined for a code not in it. */
export function flagCodeInfo(code: string): FlagCodeInfo | undefined {
  return Object.hasOwn(FLAG_CODES, code) ? (FLAG_CODES as Record<string, FlagCodeInfo>)[code] : undefined;
}

/** Every severity a code is raised at, its own first. */
export function severitiesOf(info: FlagCodeInfo): readonly Severity[] {
  return [info.severity, ...(info.alsoAt ?? [])];
}

/** The codes a command's reports can hold, in registry order. */
export function codesRaisedBy(command: FlagCommand): string[] {
  return Object.entries(FLAG_CODES as Record<string, FlagCodeInfo>)
    .filter(([, info]) => info.raisedBy.includes(command))
    .map(([code]) => code);
}

/** A flag with the code's own severity. */
export function raise(code: FlagCode, message: string): Flag {
  return { code, severity: FLAG_CODES[code].severity, message };
}

/** A flag of a known code at another severity (e.g. a warning-level build mismatch). */
export function raiseAs(code: FlagCode, severity: Severity, message: string): Flag {
  return { code, severity, message };
}
