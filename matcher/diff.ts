// The diff step: which functions of an object did a patch change, the way kpatch-build's
// create-diff-object decides it — with the reason for every decision kept as data.
import type { ElfFile } from "../elf/types.js";

export type DiffVerdict = "patchable" | "no-change" | "unsupported";

export interface SymbolReference {
  /** The referenced symbol's name in the patched object. */
  readonly name: string;
  /** The correlated orig-side name, null when the symbol has no orig twin. */
  readonly origName: string | null;
  /** ELF symbol type name (FUNC, OBJECT, NOTYPE, ...). */
  readonly type: string;
  /** ELF binding name (LOCAL, GLOBAL, WEAK). */
  readonly bind: string;
  /** False for undefined (external) symbols. */
  readonly defined: boolean;
}

export interface FunctionChange {
  /** Orig name (the patched name for new functions). */
  readonly name: string;
  readonly patchedName: string | null;
  /** Orig size (patched size for new functions). */
  readonly size: bigint;
  readonly bind: "LOCAL" | "GLOBAL" | "WEAK";
  /** "size 14 → 18", "relocations: +2 -1", "bytes at 0x1a..0x24", "child foo.cold changed", … */
  readonly reasons: readonly string[];
  /**
   * Symbols the patched code of this function (and its children) references, by patched-side name
   * with the correlated orig name: what a livepatch must resolve (for .klp.sym).
   */
  readonly references: readonly SymbolReference[];
}

export interface DataChange {
  readonly name: string;
  readonly reasons: readonly string[];
}

export interface ObjectDiff {
  readonly orig: string;
  readonly patched: string;
  readonly machine: string;
  readonly verdict: DiffVerdict;
  readonly changed: readonly FunctionChange[];
  readonly new: readonly FunctionChange[];
  readonly deleted: readonly FunctionChange[];
  readonly changedData: readonly DataChange[];
  /** Why the verdict is unsupported (empty otherwise). */
  readonly unsupported: readonly string[];
  /** Reasons per reported name (functions and data). */
  readonly reasons: Readonly<Record<string, readonly string[]>>;
}

export interface TreeDiff {
  readonly pairs: readonly ObjectDiff[];
  /** Relative paths of objects found only in the orig tree. */
  readonly onlyOrig: readonly string[];
  /** Relative paths of objects found only in the patched tree. */
  readonly onlyPatched: readonly string[];
}

export function diffObjects(orig: ElfFile, patched: ElfFile): ObjectDiff {
  throw new Error(`diffObjects(${orig.path}, ${patched.path}): not implemented yet`);
}

/** Pairs the `*.o` files of two build trees by relative path and diffs each pair. */
export async function diffTrees(origDir: string, patchedDir: string): Promise<TreeDiff> {
  throw new Error(`diffTrees(${origDir}, ${patchedDir}): not implemented yet`);
}
