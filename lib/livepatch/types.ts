// The data a livepatch module's targets are read into: each target the kernel will resolve (its
// object, name, position, and when and why the kernel looks it up) and the module-level findings.
import type { Flag } from "../flags.js";

export type TargetOrigin = "klp_func" | "klp.sym" | "kpatch.funcs" | "list";

/**
 * `function`: replaced through ftrace (klp_func, .kpatch.funcs): the kernel resolves it, looks up its
 * size and registers an ftrace handler on it. `reference`: a `.klp.sym` symbol, only resolved.
 */
export type TargetRole = "function" | "reference";

/**
 * When the kernel resolves the target (kernel/livepatch/core.c, kernel/module/main.c):
 * `load` — vmlinux `.klp.rela` sections, applied while the livepatch module loads;
 * `enable` — klp_enable_patch(): per klp_object in order, its `.klp.rela` sections then its functions.
 */
export type TargetStage = "load" | "enable";

export interface LivepatchTarget {
  /** "vmlinux" or the module name the livepatch gives. */
  readonly objname: string;
  readonly oldName: string;
  /** old_sympos / the `,N` of a `.klp.sym` name (unsigned long in the kernel). */
  readonly oldSympos: number;
  readonly origin: TargetOrigin;
  readonly role: TargetRole;
  /** Where it was read: `objs[0].funcs[1] at .data+0x2b8`, `.klp.sym.vmlinux.foo,0 (symbol 12)`, `list.tsv:3`. */
  readonly source: string;
  readonly stage: TargetStage;
  /** Index of its klp_object in the order the kernel initializes objects (-1 when unknown). */
  readonly objectIndex: number;
  /** False for a `.klp.sym` symbol no `.klp.rela` relocation uses: the kernel never looks it up. */
  readonly used: boolean;
  /** What is wrong with the entry itself, before any lookup. */
  readonly flags: readonly Flag[];
  /** What the kernel prints when it rejects the entry itself (bad name format, …), else null. */
  readonly kernelMessage: string | null;
}

/** A kernel message and the stage that prints it. */
export interface StagedMessage {
  readonly stage: TargetStage;
  readonly message: string;
}

export interface LivepatchTargets {
  readonly path: string;
  /** The module's name from `.modinfo` (`name=`), else null. */
  readonly moduleName: string | null;
  /** The kinds of target data found, in reading order. */
  readonly found: readonly TargetOrigin[];
  /** The klp_object names in initialization order ("vmlinux" for a NULL name). */
  readonly objects: readonly string[];
  readonly targets: readonly LivepatchTarget[];
  /** Problems of the module as a whole (not a livepatch module, malformed `.klp.rela` …). */
  readonly flags: readonly Flag[];
  /** Messages the kernel prints for module-level problems, in the order it would meet them. */
  readonly kernelMessages: readonly StagedMessage[];
  /** How the data was decoded (struct strides, layouts): evidence for the report. */
  readonly notes: readonly string[];
}

export interface ReadTargetsOptions {
  /** The kernel's name limit for `.klp.sym` names: 511 (6.1+, default) or 127 (before 6.1). */
  readonly nameMax?: number;
}
