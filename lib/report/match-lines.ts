// Shared wording of a match report: one line per decision, and the cells of the function table.
import type { FunctionReport, MatchReport, ObjectReport } from "./match-report.js";

/** The pair as a livepatch writes it: `vmlinux:init_once,1`. */
export function pairText(f: Pick<FunctionReport, "target">): string {
  return f.target === null ? "-" : `${f.target.objname}:${f.target.oldName},${f.target.oldSympos}`;
}

/** What happened to a function, in a word or two. */
export function outcomeText(f: FunctionReport): string {
  if (f.status !== "changed") return f.status;
  if (f.target !== null) return `${f.decision}`;
  if (f.decision === "ambiguous")
    return `AMBIGUOUS (${f.candidates.filter((c) => c.excluded === null).length})`;
  return f.decision === "not-found" ? "NOT FOUND" : f.decision === "not-loaded" ? "NOT LOADED" : "NO PAIR";
}

export function functionRows(report: MatchReport): string[][] {
  return report.objects.flatMap((o) =>
    o.functions.map((f) => [
      o.orig,
      f.name,
      f.status,
      o.objname,
      f.target?.oldName ?? "-",
      f.target === null ? "-" : String(f.target.oldSympos),
      f.target?.address ?? "-",
      outcomeText(f),
      [...new Set(f.flags.map((x) => x.code))].join(",") || "-",
    ]),
  );
}

export const FUNCTION_HEADER = [
  "object",
  "function",
  "status",
  "objname",
  "old_name",
  "sympos",
  "address",
  "decision",
  "flags",
];

/** kpatch prints `<obj>: changed function: <name>`; the pair follows. */
export function kpatchLines(o: ObjectReport): string[] {
  return o.functions.map((f) => {
    const head = `${o.orig}: ${f.status === "changed" ? "changed" : f.status} function: ${f.name}`;
    if (f.status !== "changed") return head;
    return f.target !== null ? `${head} -> ${pairText(f)}` : `${head} -> ${outcomeText(f)}`;
  });
}

/** The decisions, one line each, for --baseline comparison (by identity: lib/report/identity.ts). */
export { decisionLines } from "./identity.js";
