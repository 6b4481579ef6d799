// --baseline: the decisions of this run against an earlier report, as a unified diff, and
// whether any decided pair changed (for --fail-on-change).
import { createTwoFilesPatch } from "diff";
import { parseJsonInput } from "../json-input.js";
import { raise } from "./flag-codes.js";
import { decisionLines } from "./match-lines.js";
import type { MatchReport } from "./match-report.js";
import { checkMatchReport } from "./report-validate.js";

export interface BaselineComparison {
  /** Unified diff; empty when the decisions are the same. */
  readonly diff: string;
  readonly changed: boolean;
  readonly lines: { readonly added: number; readonly removed: number };
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
  const before = decisionLines(baseline);
  const after = decisionLines(current);
  const a = `${before.join("\n")}\n`;
  const b = `${after.join("\n")}\n`;
  if (a === b) return { diff: "", changed: false, lines: { added: 0, removed: 0 } };
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
  };
}

/** The report with a BASELINE_CHANGED error added (--fail-on-change when a decision changed). */
export function withBaselineChanged(
  report: MatchReport,
  comparison: BaselineComparison,
  baselinePath: string,
): MatchReport {
  const flag = raise(
    "BASELINE_CHANGED",
    `${comparison.lines.removed} decision(s) of ${baselinePath} changed or went, ${comparison.lines.added} new`,
  );
  return {
    ...report,
    flags: [...report.flags, flag],
    summary: { ...report.summary, errors: report.summary.errors + 1, worst: "error" },
  };
}
