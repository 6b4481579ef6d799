// --baseline: the decisions of this run against an earlier report, as a unified diff of their
// identities (lib/report/identity.ts: never addresses or absolute paths), the changes one by one,
// and whether any changed (for --fail-on-change).
import { createTwoFilesPatch } from "diff";
import { parseJsonInput } from "../json-input.js";
import { raise } from "./flag-codes.js";
import { type DecisionChange, decisionChanges, decisionLines } from "./identity.js";
import type { MatchReport } from "./match-report.js";
import { checkMatchReport } from "./report-validate.js";

export interface BaselineComparison {
  /** Unified diff; empty when the decisions are the same. */
  readonly diff: string;
  readonly changed: boolean;
  readonly lines: { readonly added: number; readonly removed: number };
  /** Each decision that differs, with what happened to it. */
  readonly changes: readonly DecisionChange[];
}

/** The match report in `text`, checked against the shipped schema before use. */
export function parseBaseline(text: string, path: string): MatchReport {
  const value = parseJsonInput(path, text, "a klpmatch match report (JSON)");
  checkMatchReport(path, value);
  return value as MatchReport;
}

export function compareWithBaseline(
  baseline: MatchReport,
  current: MatchReport,
  baselinePath: string,
): BaselineComparison {
  const changes = decisionChanges(baseline, current);
  // lines that differ in nothing compared (a symbol one report did not record) are no change
  if (changes.length === 0) return { diff: "", changed: false, lines: { added: 0, removed: 0 }, changes };
  const before = decisionLines(baseline, current);
  const after = decisionLines(current);
  const a = `${before.join("\n")}\n`;
  const b = `${after.join("\n")}\n`;
  const diff = createTwoFilesPatch(baselinePath, "current", a, b, undefined, undefined, { context: 2 });
  const setBefore = new Set(before);
  const setAfter = new Set(after);
  return {
    diff,
    changed: true,
    lines: {
      added: after.filter((l) => !setBefore.has(l)).length,
      removed: before.filter((l) => !setAfter.has(l)).length,
    },
    changes,
  };
}

/** The report with a BASELINE_CHANGED error added (--fail-on-change when a decision changed). */
export function withBaselineChanged(
  report: MatchReport,
  comparison: BaselineComparison,
  baselinePath: string,
): MatchReport {
  const n = comparison.changes.length;
  const flag = raise(
    "BASELINE_CHANGED",
    `${n} decision(s) differ from ${baselinePath}: ${comparison.changes.map((c) => c.text).join("; ")}`,
  );
  return {
    ...report,
    flags: [...report.flags, flag],
    summary: { ...report.summary, errors: report.summary.errors + 1, worst: "error" },
  };
}
