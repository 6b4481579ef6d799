// The livepatch core's symbol lookup, simulated: which kernel symbol a (objname, old_name,
// old_sympos) resolves to (klp_find_object_symbol, kernel/livepatch/core.c), and the pair that
// reaches a given symbol.

import { hex } from "../elf/layout.js";
import { InputError } from "../lib/input-error.js";
import type { KernelObject, KernelSymbol, KernelTable } from "../lib/kernel-table.js";
import { normalizeModuleName, VMLINUX } from "../lib/kernel-table.js";
import type { SymposCandidate, SymposReport, SymposSelection } from "../lib/report/sympos-report.js";
import { type LookupRule, RULES, type RuleChoice } from "../lib/rules.js";
import { stripLlvmSuffix } from "../lib/symbol-name.js";
import { llvmStrippedIndex } from "./candidates.js";
import { clonePositions } from "./sympos-clones.js";

export type ResolveFailure = "not-found" | "ambiguous" | "position-not-found" | "not-loaded";

export type ResolveResult =
  | {
      ok: true;
      symbol: KernelSymbol;
      matches: readonly KernelSymbol[];
      /** What the kernel prints when it then refuses the target, or null when it should take it. */
      warning: string | null;
      /** Why it refuses: the size lookup of an absolute symbol, or ftrace finding no call site. */
      refusedBy: "size-lookup" | "ftrace" | null;
      /** Caveats of the rule (e.g. a dotted query in a 6.2–6.10.6 LTO kernel). */
      notes: readonly string[];
    }
  | {
      ok: false;
      outcome: ResolveFailure;
      message: string;
      matches: readonly KernelSymbol[];
      notes: readonly string[];
    };

export type PositionResult =
  | {
      ok: true;
      oldName: string;
      oldSympos: number;
      notes: readonly string[];
      /** Those of `notes` that say the rule may not find the query at all (a dotted LTO query). */
      unreliable: readonly string[];
    }
  | { ok: false; reason: string };

/** .klp.sym names are parsed with `%127[^,]` before 6.1 and `%511[^,]` since (kernel/livepatch/core.c). */
const KLP_SYM_NAME_MAX_OLD = 127;
export const KLP_SYM_NAME_MAX = 511;

/** Modules are compared by exact name in every era (design note §3); only vmlinux follows the rule. */
export function effectiveRule(objname: string, rule: LookupRule): LookupRule {
  return objname === VMLINUX ? rule : "exact";
}

/** Positions (ascending) of the object's symbols whose name compares equal to `name` under the rule. */
export function positionsByRule(obj: KernelObject, name: string, rule: LookupRule): number[] {
  return [...positionsView(obj, name, rule)];
}

/** positionsByRule's list, shared and not copied: one per object, name and rule (a run asks many times). */
const viewCache = new WeakMap<KernelObject, Map<string, readonly number[]>>();

function positionsView(obj: KernelObject, name: string, rule: LookupRule): readonly number[] {
  let byQuery = viewCache.get(obj);
  if (byQuery === undefined) {
    byQuery = new Map();
    viewCache.set(obj, byQuery);
  }
  const key = `${rule}\u0000${name}`;
  let view = byQuery.get(key);
  if (view === undefined) {
    view = computePositions(obj, name, rule);
    byQuery.set(key, view);
  }
  return view;
}

/** The ascending positions of `name` in `obj` under `rule` (exact and cleaned matches merged). */
function computePositions(obj: KernelObject, name: string, rule: LookupRule): readonly number[] {
  const def = RULES[effectiveRule(obj.objname, rule)];
  const clean = def.clean;
  const exact = obj.positionsOf(name);
  // a kernel name equal to the query matches if the rule compares full names, or cleaning keeps it whole
  const exactCounts = def.exactToo || (clean !== null && clean(name) === name);
  if (clean === null || def.cleanedIndex === null) return exactCounts ? exact : [];
  // the secondary index holds only names that cleaning changes; unchanged names are found exactly
  const cleaned = obj.indexBy(def.cleanedIndex);
  const extra = cleaned.get(name) ?? [];
  if (!exactCounts || exact.length === 0) return extra;
  if (extra.length === 0) return exact;
  const merged: number[] = [];
  let i = 0;
  let j = 0;
  while (i < exact.length || j < extra.length) {
    const a = exact[i] ?? Number.POSITIVE_INFINITY;
    const b = extra[j] ?? Number.POSITIVE_INFINITY;
    if (a === b) {
      merged.push(a);
      i++;
      j++;
    } else if (a < b) {
      merged.push(a);
      i++;
    } else {
      merged.push(b);
      j++;
    }
  }
  return merged;
}

/** The symbols of `objname` whose name compares equal to `name` under the rule, in kallsyms order. */
export function candidatesByRule(
  table: KernelTable,
  objname: string,
  name: string,
  rule: LookupRule,
): readonly KernelSymbol[] {
  const obj = table.objects.get(objname);
  if (obj === undefined) return [];
  return positionsByRule(obj, name, rule).map((p) => obj.at(p));
}

function ruleNotes(objname: string, query: string, rule: LookupRule): string[] {
  const eff = effectiveRule(objname, rule);
  if (RULES[eff].dottedQueryUnreliable && query.includes(".")) {
    return [
      `'${query}' contains a '.': ${RULES[eff].kernels} kernels search names in cleaned form, so this query may not be found at all (unreliable)`,
    ];
  }
  return [];
}

const FUNCTION_TYPES = new Set(["t", "T", "W"]);

/** kallsyms letters of defined code: the only symbols ftrace can attach to. */
export function isFunctionType(type: string): boolean {
  return FUNCTION_TYPES.has(type);
}

/** What the kernel prints when it refuses a resolved target later, or null. */
function refusalOf(
  symbol: KernelSymbol,
): Pick<Extract<ResolveResult, { ok: true }>, "warning" | "refusedBy"> {
  // per-CPU symbols are absolute offsets outside the kernel image: klp_init_object_loaded()'s
  // kallsyms_lookup_size_offset() fails on them (oracle gcc-smp-percpu p02)
  if (symbol.type === "A" || symbol.type === "a")
    return { warning: `kallsyms size lookup failed for '${symbol.name}'`, refusedBy: "size-lookup" };
  // ftrace can only attach to a function's call site (oracle g33: a data symbol); init text is
  // freed after boot (vmlinux) or after the module's init, its call sites with it (oracle g34)
  if (!isFunctionType(symbol.type) || symbol.init)
    return { warning: `failed to find location for function '${symbol.name}'`, refusedBy: "ftrace" };
  return { warning: null, refusedBy: null };
}

/** Simulates klp_find_object_symbol: counts every matching symbol of any type in kallsyms order. */
export function resolve(
  table: KernelTable,
  objname: string,
  oldName: string,
  oldSympos: number,
  rule: LookupRule,
): ResolveResult {
  const notes = ruleNotes(objname, oldName, rule);
  const obj = table.objects.get(objname);
  if (obj === undefined) {
    return {
      ok: false,
      outcome: "not-loaded",
      message: objname.includes("-")
        ? `object '${objname}' can never match: the kernel names modules with '_' ('${normalizeModuleName(objname)}')`
        : `object '${objname}' is not in the symbol table (module not loaded?): the kernel resolves it only when it loads`,
      matches: [],
      notes,
    };
  }
  const matches = positionsByRule(obj, oldName, rule).map((p) => obj.at(p));
  // the kernel prints objname, which is NULL for vmlinux, as "(null)" in the ambiguity message…
  const ambiguityObject = objname === VMLINUX ? "(null)" : objname;
  // the walk stops at the sympos-th match (or the second one when sympos is 0); the address kept is
  // that of the last match visited, and address 0 reads as "not found" (as no match at all does)
  const stop = oldSympos > 0 ? Math.min(oldSympos, matches.length) : Math.min(2, matches.length);
  const reached = matches[stop - 1];
  if (reached === undefined || reached.address === 0n) {
    return {
      ok: false,
      outcome: "not-found",
      message: `symbol '${oldName}' not found in symbol table`,
      matches,
      notes,
    };
  }
  if (oldSympos === 0 && matches.length > 1) {
    return {
      ok: false,
      outcome: "ambiguous",
      message: `unresolvable ambiguity for symbol '${oldName}' in object '${ambiguityObject}'`,
      matches,
      notes,
    };
  }
  if (oldSympos > 0 && oldSympos !== stop) {
    // …and as "vmlinux" in the position message
    return {
      ok: false,
      outcome: "position-not-found",
      message: `symbol position ${oldSympos} for symbol '${oldName}' in object '${objname}' not found`,
      matches,
      notes,
    };
  }
  return { ok: true, symbol: reached, matches, ...refusalOf(reached), notes };
}

/** True when two symbols are the same entry of the same table object. */
export function sameSymbol(a: KernelSymbol, b: KernelSymbol): boolean {
  return a.objname === b.objname && a.position === b.position;
}

/** The index of `position` in the ascending `positions`, or -1: a binary search. */
function rankOf(positions: readonly number[], position: number): number {
  let lo = 0;
  let hi = positions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = positions[mid]!;
    if (p === position) return mid;
    if (p < position) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The (old_name, old_sympos) that makes `resolve` return exactly `symbol` under the rule. */
export function positionOf(table: KernelTable, symbol: KernelSymbol, rule: LookupRule): PositionResult {
  const obj = table.objects.get(symbol.objname);
  if (obj === undefined)
    return { ok: false, reason: `object '${symbol.objname}' is not in the symbol table` };
  // the walk keeps the address of the symbol it stops at, and address 0 reads as "not found"
  if (symbol.address === 0n) {
    return { ok: false, reason: `'${symbol.name}' is at address 0: the kernel reports it "not found"` };
  }
  const eff = effectiveRule(symbol.objname, rule);
  // the form the era compares (the stripped name where the kernel strips), else the full name
  const forms = [RULES[eff].queryFor(symbol.name), symbol.name];
  for (const query of forms) {
    const positions = positionsView(obj, query, rule);
    const rank = rankOf(positions, symbol.position);
    if (rank < 0) continue;
    const unreliable = ruleNotes(symbol.objname, query, rule);
    const notes = [...unreliable, ...klpSymNotes(symbol.objname, query)];
    return { ok: true, oldName: query, oldSympos: positions.length === 1 ? 0 : rank + 1, notes, unreliable };
  }
  return {
    ok: false,
    reason: `no old_name reaches '${symbol.name}' under rule ${eff}: the kernel compares ${
      eff === "llvm-stripped" ? "names with .llvm.<hash> removed" : "other name forms"
    }`,
  };
}

/** The longest `.klp.sym` name the kernel parses: 511 from 6.1, 127 before; null when the version is unknown. */
export function klpSymNameMax(version: readonly [number, number, number] | null): number | null {
  if (version === null) return null;
  const [major, minor] = version;
  return major > 6 || (major === 6 && minor >= 1) ? KLP_SYM_NAME_MAX : KLP_SYM_NAME_MAX_OLD;
}

/**
 * Limits of `.klp.sym.<objname>.<name>,<sympos>` references (design note §1), for a kernel
 * parsing names of up to `nameMax` characters (null: unknown, both eras' limits apply).
 */
export function klpSymNotes(objname: string, name: string, nameMax: number | null = null): string[] {
  const notes: string[] = [];
  if (name.length > KLP_SYM_NAME_MAX) {
    notes.push(`name is ${name.length} characters: longer than .klp.sym allows (${KLP_SYM_NAME_MAX})`);
  } else if (name.length > KLP_SYM_NAME_MAX_OLD && nameMax !== KLP_SYM_NAME_MAX) {
    notes.push(
      `name is ${name.length} characters: longer than .klp.sym allows before 6.1 (${KLP_SYM_NAME_MAX_OLD})${nameMax === null ? "; the kernel's version was not given" : ""}`,
    );
  }
  if (name.includes(",")) notes.push("name contains ',': a .klp.sym reference cannot express it");
  if (objname.includes("."))
    notes.push(`object name '${objname}' contains '.': a .klp.sym reference cannot express it`);
  return notes;
}

export interface SymposQueryOptions {
  /** Only this object (else every object of the table). */
  readonly objname?: string;
  readonly choice: RuleChoice;
  /** Select the candidate at this address, or on this line of the text table. */
  readonly address?: bigint;
  readonly line?: number;
}

/** The symbols of one object whose names differ from `name` only by `.llvm.<hash>`. */
function llvmVariantPositions(obj: KernelObject, name: string): number[] {
  const base = stripLlvmSuffix(name);
  return [...obj.positionsOf(base), ...(llvmStrippedIndex(obj).get(base) ?? [])].sort((a, b) => a - b);
}

/** Every candidate of `query` with the pair reaching it, and the selected one verified by resolve. */
export function symposReport(table: KernelTable, query: string, opts: SymposQueryOptions): SymposReport {
  const rule = opts.choice.rule;
  let objects = [...table.objects.values()];
  const objname =
    opts.objname === undefined || opts.objname === VMLINUX ? opts.objname : normalizeModuleName(opts.objname);
  if (objname !== undefined) {
    const obj = table.objects.get(objname);
    if (obj === undefined) {
      throw InputError.usage(
        "--objname",
        `no object '${objname}' in ${table.source.path} (objects: ${[...table.objects.keys()].slice(0, 10).join(", ")})`,
      );
    }
    objects = [obj];
  }
  const candidates: SymposCandidate[] = [];
  const llvmVariants: SymposCandidate[] = [];
  const clones: SymposCandidate[] = [];
  for (const obj of objects) {
    for (const p of clonePositions(obj, query)) clones.push(candidateAt(table, obj, p, rule));
    const equal = positionsByRule(obj, query, rule);
    const taken = new Set(equal);
    for (const p of equal) candidates.push(candidateAt(table, obj, p, rule));
    for (const p of llvmVariantPositions(obj, query)) {
      if (!taken.has(p)) llvmVariants.push(candidateAt(table, obj, p, rule));
    }
  }
  return {
    query,
    source: `${table.source.kind} ${table.source.path}`,
    objname: objname ?? null,
    rule: opts.choice,
    notes: table.notes,
    addressesHidden: table.addressesHidden,
    candidates,
    llvmVariants,
    clones,
    selected: select(table, [...candidates, ...llvmVariants], opts),
  };
}

function candidateAt(
  table: KernelTable,
  obj: KernelObject,
  position: number,
  rule: LookupRule,
): SymposCandidate {
  const symbol = obj.at(position);
  return { symbol, pair: positionOf(table, symbol, rule) };
}

function select(
  table: KernelTable,
  all: readonly SymposCandidate[],
  opts: SymposQueryOptions,
): SymposSelection | null {
  let chosen: SymposCandidate | undefined;
  if (opts.address !== undefined) {
    if (all.some((c) => c.symbol.address === null)) {
      throw InputError.usage(
        "--address",
        `addresses are hidden in ${table.source.path}: select with --line instead`,
      );
    }
    chosen = all.find((c) => c.symbol.address === opts.address);
    if (chosen === undefined) {
      throw InputError.usage(
        "--address",
        `no candidate at ${hex(opts.address)} (see the list without --address)`,
      );
    }
  } else if (opts.line !== undefined) {
    chosen = all.find((c) => c.symbol.line === opts.line);
    if (chosen === undefined) {
      throw InputError.usage("--line", `no candidate on line ${opts.line} of ${table.source.path}`);
    }
  } else {
    return null;
  }
  const { symbol, pair } = chosen;
  if (!pair.ok)
    return { symbol, pair, verified: false, resolvedTo: null, message: pair.reason, warning: null };
  const r = resolve(table, symbol.objname, pair.oldName, pair.oldSympos, opts.choice.rule);
  if (!r.ok) return { symbol, pair, verified: false, resolvedTo: null, message: r.message, warning: null };
  return {
    symbol,
    pair,
    verified: sameSymbol(r.symbol, symbol),
    resolvedTo: r.symbol,
    message: null,
    warning: r.warning,
  };
}
