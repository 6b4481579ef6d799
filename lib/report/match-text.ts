// `match --format text`: kpatch-style lines first, then the table, the undecided functions with
// their candidates and evidence, the .klp.sym references, the flags and a summary line.
import type { Flag } from "../flags.js";
import { candidateWhere } from "./candidate-where.js";
import { textTable } from "./common.js";
import { FUNCTION_HEADER, functionRows, kpatchLines } from "./match-lines.js";
import type { CandidateReport, FunctionReport, MatchReport } from "./match-report.js";

export interface TextOptions {
  /** ANSI colours for severities (the CLI decides: TTY and no NO_COLOR). */
  readonly color?: boolean;
}

const COLORS = { error: "\u001b[31m", warning: "\u001b[33m", info: "\u001b[36m" } as const;

function flagLine(f: Flag, color: boolean): string {
  const sev = color ? `${COLORS[f.severity]}${f.severity}\u001b[0m` : f.severity;
  return `  ${sev} ${f.code}: ${f.message}`;
}

function candidateLine(c: CandidateReport): string {
  const pair = c.oldName === null ? "unreachable" : `${c.oldName},${c.oldSympos}`;
  const where = candidateWhere(c);
  const parts = [
    `${c.chosen ? "*" : " "} ${where} ${c.type} ${c.name} (${pair})`,
    `score ${c.score}${c.placement !== null ? ` ${c.placement}` : ""}`,
  ];
  if (c.sizeGap !== null) parts.push(`gap ${c.sizeGap}${c.sizeFits === false ? " too small" : ""}`);
  if (c.fileBlock?.file)
    parts.push(`file ${c.fileBlock.file} ${((c.fileBlock.similarity ?? 0) * 100).toFixed(0)}%`);
  if (c.excluded !== null) parts.push(`excluded: ${c.excluded}`);
  return `    ${parts.join("; ")}`;
}

function details(f: FunctionReport): string[] {
  const out = [`  ${f.name}:`];
  for (const e of f.evidence) out.push(`    ${e.kind} ${e.result}: ${e.detail}`);
  if (f.candidates.length > 1 || f.target === null) for (const c of f.candidates) out.push(candidateLine(c));
  return out;
}

function unpairedCounts(report: MatchReport): string {
  const { onlyOrig, onlyPatched } = report.unpaired;
  const parts = [
    ...(onlyPatched.length > 0 ? [`${onlyPatched.length} new`] : []),
    ...(onlyOrig.length > 0 ? [`${onlyOrig.length} deleted`] : []),
  ];
  return parts.length === 0 ? "" : ` (+ ${parts.join(", ")} object(s))`;
}

export function renderMatchText(report: MatchReport, opts: TextOptions = {}): string {
  const color = opts.color ?? false;
  const out: string[] = [];
  for (const o of report.objects) out.push(...kpatchLines(o));
  // objects only one tree has, the way `diff -r` shows them
  const { onlyOrig, onlyPatched } = report.unpaired;
  for (const rel of onlyOrig) out.push(`Only in orig: ${rel} (deleted object)`);
  for (const rel of onlyPatched) out.push(`Only in patched: ${rel} (new object)`);
  if (report.objects.length + onlyOrig.length + onlyPatched.length === 0) out.push("no changed objects");
  out.push("");
  out.push(`rule: ${report.rule.name} (${report.rule.why})`);
  out.push(`kernel: ${report.kernel.source} ${report.kernel.path}`);
  // every other kernel-side source the run used (a vmlinux for evidence, module files, Module.symvers)
  for (const i of report.inputs) {
    if (i.role !== "orig" && i.role !== "patched" && i.path !== report.kernel.path)
      out.push(`  with ${i.role} ${i.path}`);
  }
  out.push("");
  const rows = functionRows(report);
  if (rows.length > 0) out.push(textTable(FUNCTION_HEADER, rows).trimEnd(), "");

  const functions = report.objects.flatMap((o) => o.functions).filter((f) => f.status === "changed");
  if (functions.length > 0) {
    out.push("evidence:");
    for (const f of functions) out.push(...details(f));
    out.push("");
  }
  if (report.references.length > 0) {
    out.push("references (.klp.sym):");
    out.push(
      textTable(
        ["klp.sym", "scope", "address", "decision", "used by"],
        report.references.map((r) => [
          r.klpSym ?? `${r.objname}:${r.name} (undecided)`,
          r.scope,
          r.address ?? "-",
          r.decision,
          r.usedBy.join(","),
        ]),
      ).trimEnd(),
      "",
    );
  }
  const flags = [
    ...report.flags,
    ...report.objects.flatMap((o) => [...o.flags, ...o.functions.flatMap((f) => f.flags)]),
    ...report.references.flatMap((r) => r.flags),
  ];
  if (flags.length > 0) {
    out.push("flags:");
    for (const f of flags) out.push(flagLine(f, color));
    out.push("");
  }
  const s = report.summary;
  out.push(
    `${s.objects} object(s)${unpairedCounts(report)}, ${s.functions} changed function(s): ${s.decided} decided, ${s.ambiguous} ambiguous, ${s.notFound} not found; ${s.references} reference(s); ${s.errors} error(s), ${s.warnings} warning(s)`,
  );
  return `${out.join("\n")}\n`;
}
