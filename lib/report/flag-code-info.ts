// What the registry records of each flag code (lib/report/flag-codes.ts).
import type { Severity } from "../flags.js";

/** The commands whose reports carry flags. */
export type FlagCommand = "match" | "verify";

export interface FlagCodeInfo {
  /** The severity `raise()` gives it, and the one it has unless `alsoAt` says otherwise. */
  readonly severity: Severity;
  /** Other severities it is raised at; `meaning` says when. */
  readonly alsoAt?: readonly Severity[];
  readonly raisedBy: readonly FlagCommand[];
  /** One meaning that fits every command raising it. */
  readonly meaning: string;
}
