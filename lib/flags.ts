// Flags: what a report says is wrong or worth knowing, with a stable code and a severity.
// The codes are documented in the README; CI gates on severities (--fail-on).

export type Severity = "error" | "warning" | "info";

export interface Flag {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function isSeverity(value: string): value is Severity {
  return value in SEVERITY_RANK;
}

/** True when a flag of this severity fails a run gated at `failOn` ("none" never fails). */
export function failsAt(severity: Severity, failOn: Severity | "none"): boolean {
  return failOn !== "none" && SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

export function worstSeverity(flags: Iterable<Flag>): Severity | null {
  let worst: Severity | null = null;
  for (const f of flags) {
    if (worst === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]) worst = f.severity;
  }
  return worst;
}
