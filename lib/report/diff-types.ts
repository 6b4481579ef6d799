// The data of a `klpmatch diff` result, what lib/report/diff-report.ts renders: each object
// pair's changed, new and deleted functions with their reasons, a tree of pairs, and one
// function's explanation (--explain). matcher/diff.ts and matcher/explain.ts compute them.

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
  /** New data objects the patch module carries (new globals, variables the changed code uses). */
  readonly newData: readonly string[];
  /** Why the verdict is unsupported (empty otherwise). */
  readonly unsupported: readonly string[];
  /** Reasons per reported name (functions and data). */
  readonly reasons: Readonly<Record<string, readonly string[]>>;
  /** Functions whose only differences are __LINE__ immediates passed to WARN/printk helpers. */
  readonly lineOnly: readonly string[];
  /** Correlations that were not by identical name (renumbered clones, ThinLTO hashes, statics by use). */
  readonly renamed: readonly { readonly orig: string; readonly patched: string; readonly how: string }[];
}

export interface TreeDiff {
  readonly pairs: readonly ObjectDiff[];
  /** Relative paths of objects found only in the orig tree. */
  readonly onlyOrig: readonly string[];
  /** Relative paths of objects found only in the patched tree. */
  readonly onlyPatched: readonly string[];
}

export type ExplainedStatus = "changed" | "new" | "deleted" | "unchanged" | "line-only";

export interface FunctionExplanation {
  readonly status: ExplainedStatus;
  readonly origName: string | null;
  readonly patchedName: string | null;
  /** Sections holding the function on each side (what objdump must disassemble). */
  readonly origSection: string | null;
  readonly patchedSection: string | null;
  /** How the twin was found ("same name", "renumbered …", "ThinLTO hash changed"). */
  readonly correlation: string | null;
  readonly reasons: readonly string[];
  readonly removedRelocations: readonly string[];
  readonly addedRelocations: readonly string[];
  /** Every relocation of the function on each side, described the same way. */
  readonly origRelocations: readonly string[];
  readonly patchedRelocations: readonly string[];
  /** Split parts (.cold, .part.N) of the function on either side, compared the same way. */
  readonly parts: readonly PartExplanation[];
  readonly diff: ObjectDiff;
}

export interface PartExplanation {
  readonly origName: string | null;
  readonly patchedName: string | null;
  readonly reasons: readonly string[];
  readonly removedRelocations: readonly string[];
  readonly addedRelocations: readonly string[];
}
