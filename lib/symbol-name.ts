// The grammar of kernel symbol names: ThinLTO `.llvm.<hash>`, gcc clone suffixes, `.cold`
// children, static-local counters, `__pfx_`/`__cfi_` stubs. See ../shared/design/kernel-symbols.md §4.

const LLVM_MARK = ".llvm.";

/** clang ThinLTO promotes a local to global as `name.llvm.<decimal hash of the source file's IR>`. */
export function llvmHash(name: string): string | null {
  const at = name.indexOf(LLVM_MARK);
  if (at < 0) return null;
  const hash = name.slice(at + LLVM_MARK.length);
  return /^\d+$/.test(hash) ? hash : null;
}

/**
 * The name with `.llvm.` and everything after it removed — what kernel/kallsyms.c's
 * cleanup_symbol_name() compares in 6.5.1–6.10.6 LTO kernels (strstr(".llvm.") then cut).
 */
export function stripLlvmSuffix(name: string): string {
  const at = name.indexOf(LLVM_MARK);
  return at < 0 ? name : name.slice(0, at);
}

/** The name cut at its first `.` — what 6.2–6.4 LTO kernels compare (strchr('.') then cut). */
export function cutAtFirstDot(name: string): string {
  const at = name.indexOf(".");
  return at < 0 ? name : name.slice(0, at);
}

/** Prefix stubs placed before a function (call padding, kCFI type hash): never patch targets. */
const STUB_PREFIXES = ["__pfx_", "__cfi_"] as const;

export function isStubSymbol(name: string): boolean {
  return STUB_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length);
}

/** `__pfx_foo` / `__cfi_foo` → `foo`; null for other names. */
export function stubTarget(name: string): string | null {
  for (const p of STUB_PREFIXES) {
    if (name.startsWith(p) && name.length > p.length) return name.slice(p.length);
  }
  return null;
}

/**
 * gcc's hot/cold split puts the unlikely part of `foo` in `foo.cold` (also `foo.cold.N`,
 * `foo.part.0.cold`): a child of `foo`, never a target of its own. Returns the parent's name.
 */
export function coldParent(name: string): string | null {
  const m = /^(.+?)\.cold(?:\.\d+)?$/.exec(name);
  return m ? m[1]! : null;
}

/** The gcc IPA clone suffixes (each followed by `.N`). */
const CLONE_SUFFIX = /\.(isra|constprop|part|cold|lto_priv|clone|specialize)(?:\.\d+)?/;

/** The name before any gcc clone suffix or `.llvm.` hash: `a.constprop.0.isra.0` → `a`. */
export function cloneBase(name: string): string {
  const noLlvm = stripLlvmSuffix(name);
  const m = CLONE_SUFFIX.exec(noLlvm);
  return m ? noLlvm.slice(0, m.index) : noLlvm;
}

/**
 * The key two builds of one file share for the same symbol: `.llvm.<hash>` removed and every
 * `.` followed by digits skipped (`foo.isra.2` ~ `foo.isra.5`, `__func__.50450` ~ `__func__.50453`),
 * and `__UNIQUE_ID_<name><counter>` counters dropped.
 */
export function correlationKey(name: string): string {
  let key = stripLlvmSuffix(name).replace(/\.\d+/g, "");
  if (key.startsWith("__UNIQUE_ID_")) key = key.replace(/\d+$/, "");
  return key;
}

/**
 * Statics the compiler or kernel macros create, not correlated by name: lock keys, once-flags,
 * `__func__`, ratelimit states, switch tables, dynamic-debug descriptors, assembler locals and
 * mapping symbols (`$x`, `$d`).
 */
const SPECIAL_STATIC_BASES = new Set([
  // clang's string literals (`.str`, `.str.1`; ThinLTO promotes them to `.str.1.llvm.<hash>`):
  // references reach them as string text, so a new hash is no new data
  ".str",
  "__key",
  "__warned",
  "__already_done",
  "__func__",
  "__FUNCTION__",
  "__PRETTY_FUNCTION__",
  "_rs",
  "CSWTCH",
  "_entry",
  "_entry_ptr",
  "__print_once",
  "descriptor",
  "__msg",
  "__tpstrtab",
  "__initcall",
]);

export function isSpecialStatic(name: string): boolean {
  if (name.startsWith(".L") || name.startsWith("$") || name.startsWith("__UNIQUE_ID_")) return true;
  const base = stripLlvmSuffix(name).replace(/\.\d+$/, "");
  const lastDot = base.lastIndexOf(".");
  // clang names a function-scope static `func.var`: the part after the last dot is the variable.
  const variable = lastDot >= 0 ? base.slice(lastDot + 1) : base;
  return SPECIAL_STATIC_BASES.has(variable) || SPECIAL_STATIC_BASES.has(base);
}
