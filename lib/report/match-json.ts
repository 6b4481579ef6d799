// `match --format json`: the report value itself, keys sorted, so reruns are byte-identical.
import { stableStringify } from "./common.js";
import type { MatchReport } from "./match-report.js";

export function renderMatchJson(report: MatchReport): string {
  return stableStringify(report);
}
