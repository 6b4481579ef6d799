// --baseline: the decisions of this run against an earlier report, as a unified diff, and
// whether any decided pair changed (for --fail-on-change).
import { createTwoFilesPatch } from "diff";
import { InputError } from "../input-error.js";
import { raise } from "./flag-codes.js";
import { decisionLines } from "./match-lines.js";
import { MATCH_SCHEMA_VERSION, type MatchReport } from "./match-report.js";

export interface BaselineComparison {
  /** Unified diff; empty when the decisions are the same. */
  readonly diff: string;
  readonly changed: boolean;
  readonly lines: { readonly added: number; readonly removed: number };
}

/** Checks that parsed JSON is a match report this version can compare. */
export function parseBaseline(text: string, path: string): MatchReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `not JSON: ${(error as Error).message}`);
  }
  const v = value as Partial<MatchReport> | null;
  if (v === null || typeof v !== "object" || !Array.isArray(v.objects) || !Array.isArray(v.references)) {
    throw new InputError(path, "not a klpmatch match report (no objects[] / references[])");
  }
  if (v.schemaVersion !== MATCH_SCHEMA_VERSION) {
    throw new InputError(
      path,
      `report schemaVersion ${String(v.schemaVersion)}, expected ${MATCH_SCHEMA_VERSION}`,
    );
  }
  return v as MatchReport;
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
