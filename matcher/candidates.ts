// The kernel symbols that may be a changed function's running copy: names equal to the orig name
// once `.llvm.<hash>` is ignored on both sides — nothing else is stripped — and, when there are
// none, the near misses that say the orig build is not the running kernel's.
import type { KernelObject, NameIndex } from "../lib/kernel-table.js";
import { CLEANED_INDEXES } from "../lib/rules.js";
import { cloneBase, coldParent, isStubSymbol, stripLlvmSuffix } from "../lib/symbol-name.js";

/** The comparison key of a candidate: the name with `.llvm.<hash>` removed, nothing more (clang `func.var` kept). */
export function candidateKey(name: string): string {
  return stripLlvmSuffix(name);
}

/** kallsyms type letters of code; `W` is a weak function (`w` an undefined weak never listed). */
const TEXT_TYPES = new Set(["t", "T", "W", "w"]);
/** Data letters, per-CPU/absolute `A` included (their "address" is an offset into the per-CPU area). */
const DATA_TYPES = new Set(["d", "D", "b", "B", "r", "R", "V", "v", "g", "G", "s", "S", "A", "a"]);

export type SymbolKind = "text" | "data" | "unknown";

export function kindOfType(type: string): SymbolKind {
  if (TEXT_TYPES.has(type)) return "text";
  if (DATA_TYPES.has(type)) return "data";
  return "unknown";
}

/** Positions (ascending, kallsyms order) of the object's symbols whose key equals the name's. */
export function candidatePositions(obj: KernelObject, origName: string, mayHaveLlvmNames = true): number[] {
  const key = candidateKey(origName);
  const exact = obj.positionsOf(key);
  const extra = mayHaveLlvmNames ? (llvmStrippedIndex(obj).get(key) ?? []) : [];
  const all = extra.length === 0 ? [...exact] : [...new Set([...exact, ...extra])].sort((a, b) => a - b);
  // __pfx_/__cfi_ stubs never compare equal to a function name, but guard anyway
  return all.filter((p) => !isStubSymbol(obj.nameAt(p)));
}

/**
 * Positions of the `.llvm.` names by their stripped key; such names are few (≈1k of 100k+).
 * One index per object: sympos.ts's `.llvm.` rules search this same one (CLEANED_INDEXES.llvm).
 */
export function llvmStrippedIndex(obj: KernelObject): ReadonlyMap<string, readonly number[]> {
  return obj.indexBy(CLEANED_INDEXES.llvm);
}

/**
 * Names that carry a clone suffix, by clone base; plain names are found exactly, and a name that
 * differs from its base only by `.llvm.<hash>` is no clone (candidateKey finds those).
 */
export const CLONE_BASE_INDEX: NameIndex = {
  key: (n) => {
    if (isStubSymbol(n)) return null;
    const b = cloneBase(n);
    return b === stripLlvmSuffix(n) ? null : b;
  },
};

/**
 * Symbols of the object with the same clone base but another name (`foo.isra.1` for orig
 * `foo.isra.0`, `foo.constprop.0` for `foo`): the running kernel was built differently.
 * `.cold` parts are never a near miss (they are children, not functions of their own).
 */
export function nearMisses(obj: KernelObject, origName: string, limit = 20): number[] {
  const base = cloneBase(origName);
  const key = candidateKey(origName);
  const index = obj.indexBy(CLONE_BASE_INDEX);
  const found = new Set<number>([...(index.get(base) ?? []), ...obj.positionsOf(base)]);
  return [...found]
    .filter((p) => {
      const n = obj.nameAt(p);
      return candidateKey(n) !== key && coldParent(n) === null && !isStubSymbol(n);
    })
    .sort((a, b) => a - b)
    .slice(0, limit);
}
