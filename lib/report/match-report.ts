// The data of a `match` report: what every format renders and schema/report.schema.json describes.
// Addresses and sizes are "0x…" strings here, so the JSON form is the data itself.
import type { Flag, Severity } from "../flags.js";
import type { ReportHeader } from "./header.js";

/** 2: objects record `relative`, the orig object's path relative to its tree root. */
export const MATCH_SCHEMA_VERSION = 2;

/** The versions --baseline, --expect and --targets read (1: the same without `relative`). */
export const MATCH_SCHEMA_VERSIONS_READ: readonly number[] = [1, 2];

export interface TargetPair {
  readonly objname: string;
  readonly oldName: string;
  readonly oldSympos: number;
  /** "0x…", null when the table hides addresses. */
  readonly address: string | null;
}

export interface CandidateReport {
  readonly name: string;
  readonly type: string;
  readonly address: string | null;
  /** 0-based position in the object's kallsyms order. */
  readonly position: number;
  /** 1-based line of the table file, null for ELF-derived tables. */
  readonly line: number | null;
  /** The pair that reaches this candidate, null when none does. */
  readonly oldName: string | null;
  readonly oldSympos: number | null;
  /** Neighbourhood score: unique-named symbols of the orig object around it. */
  readonly score: number;
  readonly placement: string | null;
  readonly anchorsBelow: readonly string[];
  readonly anchorsAbove: readonly string[];
  readonly sizeGap: string | null;
  readonly sizeFits: boolean | null;
  readonly fileBlock: { readonly file: string | null; readonly similarity: number | null } | null;
  /** Why the candidate is out of the running, null when it is not. */
  readonly excluded: string | null;
  readonly chosen: boolean;
}

export type EvidenceKind =
  | "unique-name"
  | "symbol-kind"
  | "llvm-identity"
  | "neighbourhood"
  | "size-fit"
  | "file-block"
  | "near-miss";

export type EvidenceResult = "decides" | "supports" | "excludes" | "inconclusive" | "contradicts";

export interface EvidenceItem {
  readonly kind: EvidenceKind;
  readonly result: EvidenceResult;
  readonly detail: string;
}

export type FunctionStatus = "changed" | "new" | "deleted";

/** How the symbol was decided, or why not. */
export type Decision =
  | "unique"
  | "only-of-kind"
  | "llvm-identity"
  | "neighbourhood"
  | "file-block"
  | "size-fit"
  | "ambiguous"
  | "not-found"
  | "not-loaded"
  | "not-applicable";

/** With --patch: lines of the source the patch changed in a function (new-file numbering). */
export interface SourceLines {
  readonly file: string;
  readonly line: number;
  readonly endLine: number;
}

export interface FunctionReport {
  readonly name: string;
  /** With --patch: where the patch changed it; absent without --patch. */
  readonly at?: readonly SourceLines[];
  readonly patchedName: string | null;
  readonly status: FunctionStatus;
  readonly size: string;
  readonly bind: string;
  readonly reasons: readonly string[];
  readonly decision: Decision;
  readonly target: TargetPair | null;
  readonly candidates: readonly CandidateReport[];
  readonly evidence: readonly EvidenceItem[];
  readonly flags: readonly Flag[];
}

export type ObjectVerdict = "matched" | "ambiguous" | "failed" | "no-change" | "unsupported";

export interface ObjectReport {
  readonly orig: string;
  /** The orig object's path relative to the tree root given (its file name when given alone). */
  readonly relative: string;
  readonly patched: string;
  readonly objname: string;
  /** --objname, a *.mod file, modules.order, or the vmlinux default. */
  readonly objnameFrom: string;
  readonly verdict: ObjectVerdict;
  readonly diffVerdict: string;
  readonly functions: readonly FunctionReport[];
  readonly flags: readonly Flag[];
}

export interface ReferenceReport extends TargetPair {
  readonly name: string;
  /** `.klp.sym.<objname>.<name>,<sympos>` — null when the symbol could not be decided. */
  readonly klpSym: string | null;
  /** "local" (a static of the target object) or "global" (a non-exported global). */
  readonly scope: "local" | "global";
  readonly usedBy: readonly string[];
  readonly decision: Decision;
  readonly candidates: readonly CandidateReport[];
  readonly evidence: readonly EvidenceItem[];
  readonly flags: readonly Flag[];
}

export interface MatchSummary {
  readonly objects: number;
  readonly functions: number;
  readonly decided: number;
  readonly ambiguous: number;
  readonly notFound: number;
  readonly references: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** The worst severity flagged anywhere, null when nothing was. */
  readonly worst: Severity | null;
}

export interface MatchReport extends ReportHeader {
  readonly schemaVersion: typeof MATCH_SCHEMA_VERSION;
  readonly objects: readonly ObjectReport[];
  readonly references: readonly ReferenceReport[];
  /** Flags about the run as a whole (rule assumed, hidden addresses, …). */
  readonly flags: readonly Flag[];
  /** Objects found in only one of the trees. */
  readonly unpaired: { readonly onlyOrig: readonly string[]; readonly onlyPatched: readonly string[] };
  readonly summary: MatchSummary;
}

/** Every flag of a report, wherever it sits. */
export function allFlags(report: MatchReport): Flag[] {
  return [
    ...report.flags,
    ...report.objects.flatMap((o) => [...o.flags, ...o.functions.flatMap((f) => f.flags)]),
    ...report.references.flatMap((r) => r.flags),
  ];
}
