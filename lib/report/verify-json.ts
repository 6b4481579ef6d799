// `verify --format json`: the report value itself, keys sorted, so reruns are byte-identical.
import { stableStringify } from "./common.js";
import type { VerifyReport } from "./verify-report.js";

export function renderVerifyJson(report: VerifyReport): string {
  return stableStringify(report);
}
