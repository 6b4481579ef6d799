// What `klpmatch sympos` reports — the candidates of a name with the (old_name, old_sympos) of
// each, and a selected one verified by resolving it back — as text and as JSON.
import type { KernelSymbol } from "../kernel-table.js";
import type { RuleChoice } from "../rules.js";
import { hex, stableStringify, textTable } from "./common.js";

/** The pair that reaches a symbol, or why none does. */
export type SymposPair =
  | {
      readonly ok: true;
      readonly oldName: string;
      readonly oldSympos: number;
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

export interface SymposCandidate {
  readonly symbol: KernelSymbol;
  readonly pair: SymposPair;
}

export interface SymposSelection extends SymposCandidate {
  /** resolve(pair) returned exactly this symbol. */
  readonly verified: boolean;
  /** What resolving the pair gave: the symbol reached, or the kernel's message. */
  readonly resolvedTo: KernelSymbol | null;
  readonly message: string | null;
  /** What the kernel prints when it refuses the target after resolving it (data, per-CPU, freed init). */
  readonly warning: string | null;
}

export interface SymposReport {
  readonly query: string;
  readonly source: string;
  /** The object asked for (--objname), or null: every object of the table. */
  readonly objname: string | null;
  readonly rule: RuleChoice;
  readonly notes: readonly string[];
  readonly addressesHidden: boolean;
  /** Names comparing equal to the query under the rule, per object in kallsyms order. */
  readonly candidates: readonly SymposCandidate[];
  /** Names differing from the query only by `.llvm.<hash>`, not already candidates. */
  readonly llvmVariants: readonly SymposCandidate[];
  /** gcc clones of the query (`name.isra.0`, …): what to name when the kernel has only a clone. */
  readonly clones: readonly SymposCandidate[];
  readonly selected: SymposSelection | null;
}

function addressText(symbol: KernelSymbol): string {
  return symbol.address === null ? "(hidden)" : symbol.address.toString(16).padStart(16, "0");
}

function pairCells(pair: SymposPair): [string, string] {
  return pair.ok ? [pair.oldName, String(pair.oldSympos)] : ["(unreachable)", "-"];
}

function candidateRows(list: readonly SymposCandidate[]): string[][] {
  return list.map(({ symbol, pair }) => [
    symbol.objname,
    addressText(symbol),
    symbol.type,
    String(symbol.position),
    symbol.line === null ? "-" : String(symbol.line),
    symbol.name,
    ...pairCells(pair),
  ]);
}

const HEADER = ["OBJECT", "ADDRESS", "TYPE", "POSITION", "LINE", "NAME", "OLD_NAME", "OLD_SYMPOS"];

function pairNotes(list: readonly SymposCandidate[]): string[] {
  const out: string[] = [];
  for (const { symbol, pair } of list) {
    const notes = pair.ok ? pair.notes : [pair.reason];
    for (const n of notes) out.push(`  ${symbol.objname} #${symbol.position} ${symbol.name}: ${n}`);
  }
  return out;
}

export function renderSymposText(report: SymposReport): string {
  const out: string[] = [];
  out.push(
    `symbol '${report.query}' in ${report.source}${report.objname === null ? "" : ` (object ${report.objname})`}`,
  );
  out.push(`rule: ${report.rule.rule}${report.rule.assumed ? " (assumed)" : ""} — ${report.rule.why}`);
  if (report.rule.rule !== "exact") out.push("      (module objects are always compared by exact name)");
  for (const n of report.notes) out.push(`note: ${n}`);
  out.push("");
  if (report.candidates.length === 0) {
    out.push(`no symbol compares equal to '${report.query}' under rule ${report.rule.rule}`);
  } else {
    out.push(`${report.candidates.length} candidate(s) comparing equal under rule ${report.rule.rule}:`);
    out.push(textTable(HEADER, candidateRows(report.candidates)).trimEnd());
    out.push(...pairNotes(report.candidates));
  }
  if (report.llvmVariants.length > 0) {
    out.push("");
    out.push(
      `${report.llvmVariants.length} more differing only by .llvm.<hash> (not equal under this rule):`,
    );
    out.push(textTable(HEADER, candidateRows(report.llvmVariants)).trimEnd());
    out.push(...pairNotes(report.llvmVariants));
  }
  if (report.clones.length > 0) {
    out.push("");
    out.push(`${report.clones.length} gcc clone(s) of the name (a livepatch names the clone in full):`);
    out.push(textTable(HEADER, candidateRows(report.clones)).trimEnd());
  }
  const sel = report.selected;
  if (sel !== null) {
    out.push("");
    out.push(
      `selected: ${sel.symbol.objname} ${addressText(sel.symbol)} ${sel.symbol.type} ${sel.symbol.name}`,
    );
    if (!sel.pair.ok) {
      out.push(`  unreachable: ${sel.pair.reason}`);
    } else {
      out.push(
        `  old_name '${sel.pair.oldName}', old_sympos ${sel.pair.oldSympos} (objname ${sel.symbol.objname})`,
      );
      out.push(
        sel.verified
          ? "  verified: resolving this pair reaches exactly this symbol"
          : `  NOT verified: ${sel.message ?? `resolves to ${sel.resolvedTo?.name ?? "?"} #${sel.resolvedTo?.position ?? "?"}`}`,
      );
      if (sel.warning !== null) out.push(`  warning: the kernel will then refuse it: ${sel.warning}`);
    }
  }
  return `${out.join("\n")}\n`;
}

function candidateJson({ symbol, pair }: SymposCandidate): Record<string, unknown> {
  return {
    objname: symbol.objname,
    name: symbol.name,
    address: symbol.address === null ? null : hex(symbol.address),
    type: symbol.type,
    position: symbol.position,
    line: symbol.line,
    size: symbol.size === null ? null : Number(symbol.size),
    file: symbol.file,
    oldName: pair.ok ? pair.oldName : null,
    oldSympos: pair.ok ? pair.oldSympos : null,
    unreachable: pair.ok ? null : pair.reason,
    notes: pair.ok ? pair.notes : [],
  };
}

export function renderSymposJson(report: SymposReport): string {
  const sel = report.selected;
  return stableStringify({
    query: report.query,
    source: report.source,
    objname: report.objname,
    rule: report.rule.rule,
    ruleWhy: report.rule.why,
    ruleAssumed: report.rule.assumed,
    notes: report.notes,
    addressesHidden: report.addressesHidden,
    candidates: report.candidates.map(candidateJson),
    llvmVariants: report.llvmVariants.map(candidateJson),
    clones: report.clones.map(candidateJson),
    selected:
      sel === null
        ? undefined
        : {
            ...candidateJson(sel),
            verified: sel.verified,
            message: sel.message,
            warning: sel.warning,
          },
  });
}
