// A decision's identity, for --baseline and --fail-on-change: keyed by (objname, the orig object's
// path relative to its tree, the function) and compared by the pair and the symbol it reaches in the
// kernel's order, never by address. KASLR, a System.map against a kallsyms of the same build, or a
// tree moved to another path leave every decision the same; another sympos, another target, a
// function added or gone, an ambiguity new or resolved is a change.
import type { CandidateReport, FunctionReport, MatchReport, ObjectReport } from "./match-report.js";

/** What a decision reached, in words that do not depend on addresses or paths. */
export interface DecisionValue {
  /** `helper,1` for a decided pair, null when undecided. */
  readonly pair: string | null;
  /** `helper#1`: the chosen symbol's name and its 0-based rank among same-named candidates, in kernel order. */
  readonly symbol: string | null;
  /** `unique`, `AMBIGUOUS (3)`, `NOT FOUND`, … */
  readonly outcome: string;
}

export interface Decision {
  /** `vmlinux drivers/foo.o helper`, or `ref vmlinux b_table`. */
  readonly key: string;
  readonly value: DecisionValue;
}

/** The chosen candidate as `name#rank`: rank among the candidates of its name by kernel position. */
function chosenSymbol(candidates: readonly CandidateReport[]): string | null {
  const chosen = candidates.find((c) => c.chosen);
  if (chosen === undefined) return null;
  const rank = candidates.filter((c) => c.name === chosen.name && c.position < chosen.position).length;
  return `${chosen.name}#${rank}`;
}

function undecided(f: FunctionReport): string {
  if (f.decision === "ambiguous")
    return `AMBIGUOUS (${f.candidates.filter((c) => c.excluded === null).length})`;
  return f.decision === "not-found" ? "NOT FOUND" : f.decision === "not-loaded" ? "NOT LOADED" : "NO PAIR";
}

/**
 * A schemaVersion-1 report records only the path given (`/abs/orig/fs/inode.o`): its object is the
 * current report's whose relative path ends it at a path boundary, when exactly one does.
 */
function v1Relative(o: ObjectReport, current: readonly ObjectReport[]): string {
  const hits = current.filter(
    (c) => c.objname === o.objname && (o.orig === c.relative || o.orig.endsWith(`/${c.relative}`)),
  );
  return hits.length === 1 ? hits[0]!.relative : o.orig;
}

/** Every decision of a report: changed functions, then references (`current`: to key a v1 report). */
export function decisions(report: MatchReport, current?: MatchReport): Decision[] {
  const out: Decision[] = [];
  for (const o of report.objects) {
    const rel =
      (o as { relative?: string }).relative ??
      (current !== undefined ? v1Relative(o, current.objects) : o.orig);
    for (const f of o.functions) {
      if (f.status !== "changed") continue;
      const t = f.target;
      out.push({
        key: `${o.objname} ${rel} ${f.name}`,
        value: {
          pair: t === null ? null : `${t.oldName},${t.oldSympos}`,
          symbol: t === null ? null : chosenSymbol(f.candidates),
          outcome: t === null ? undecided(f) : f.decision,
        },
      });
    }
  }
  for (const r of report.references) {
    out.push({
      key: `ref ${r.objname} ${r.name}`,
      value: {
        pair: r.klpSym === null ? null : `${r.oldName},${r.oldSympos}`,
        symbol: r.klpSym === null ? null : chosenSymbol(r.candidates),
        outcome: r.klpSym === null ? r.decision.toUpperCase() : r.decision,
      },
    });
  }
  return out;
}

/** The value as one diff line's right-hand side: `helper,1 = helper#1`, or `AMBIGUOUS (2)`. */
export function valueText(v: DecisionValue): string {
  if (v.pair === null) return v.outcome;
  return v.symbol === null ? v.pair : `${v.pair} = ${v.symbol}`;
}

/** One line per decision, sorted, for the unified diff --baseline prints. */
export function decisionLines(report: MatchReport, current?: MatchReport): string[] {
  const fns: string[] = [];
  const refs: string[] = [];
  for (const d of decisions(report, current)) {
    (d.key.startsWith("ref ") ? refs : fns).push(`${d.key} -> ${valueText(d.value)}`);
  }
  return [...fns.sort(), ...refs.sort()];
}

export type ChangeKind =
  | "sympos-moved"
  | "other-target"
  | "new-ambiguity"
  | "resolved"
  | "undecided"
  | "other-symbol"
  | "added"
  | "gone";

export interface DecisionChange {
  readonly kind: ChangeKind;
  readonly key: string;
  readonly text: string;
}

function classify(before: DecisionValue, after: DecisionValue): ChangeKind | null {
  if (before.pair === null && after.pair === null)
    return before.outcome === after.outcome
      ? null
      : after.outcome.startsWith("AMBIGUOUS")
        ? "new-ambiguity"
        : "undecided";
  if (before.pair === null) return "resolved";
  if (after.pair === null) return after.outcome.startsWith("AMBIGUOUS") ? "new-ambiguity" : "undecided";
  if (before.pair !== after.pair) {
    const name = (p: string) => p.slice(0, p.lastIndexOf(","));
    return name(before.pair) === name(after.pair) ? "sympos-moved" : "other-target";
  }
  // the same pair: another symbol only when both reports recorded which one
  if (before.symbol !== null && after.symbol !== null && before.symbol !== after.symbol)
    return "other-symbol";
  return null;
}

const WORDING: Readonly<Record<ChangeKind, string>> = {
  "sympos-moved": "sympos moved",
  "other-target": "another target",
  "new-ambiguity": "now ambiguous",
  resolved: "now decided",
  undecided: "no longer decided",
  "other-symbol": "the pair reaches another symbol",
  added: "new",
  gone: "gone",
};

/** The decisions that differ between two reports, keyed by identity, in key order. */
export function decisionChanges(baseline: MatchReport, current: MatchReport): DecisionChange[] {
  const before = new Map(decisions(baseline, current).map((d) => [d.key, d.value]));
  const after = new Map(decisions(current).map((d) => [d.key, d.value]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: DecisionChange[] = [];
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    const kind = b === undefined ? "added" : a === undefined ? "gone" : classify(b, a);
    if (kind === null) continue;
    const from = b === undefined ? "" : valueText(b);
    const to = a === undefined ? "" : valueText(a);
    const detail = b !== undefined && a !== undefined ? `${from} -> ${to}` : from || to;
    changes.push({ kind, key, text: `${key}: ${WORDING[kind]} (${detail})` });
  }
  return changes;
}
