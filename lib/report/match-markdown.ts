// `match --format markdown`: a PR comment — summary, the function table, details of what was not
// decided (candidates with scores), references and flags.
import { escapeMarkdownCell, markdownCode, markdownTable } from "./common.js";
import { FUNCTION_HEADER, functionRows, pairText } from "./match-lines.js";
import type { MatchReport } from "./match-report.js";

export function renderMatchMarkdown(report: MatchReport): string {
  const s = report.summary;
  const icon = s.errors > 0 ? "❌" : s.warnings > 0 ? "⚠️" : "✅";
  const out: string[] = [
    `## ${icon} klpmatch: ${s.decided}/${s.functions} changed function(s) matched`,
    "",
    `Rule ${markdownCode(report.rule.name)}: ${escapeMarkdownCell(report.rule.why)}. Kernel symbols: ${markdownCode(report.kernel.path)} (${report.kernel.source}).`,
    "",
  ];
  const rows = functionRows(report);
  if (rows.length > 0) out.push(markdownTable(FUNCTION_HEADER, rows));
  out.push(
    ...patchPlaces(report),
    ...candidateDetails(report),
    ...referenceTable(report),
    ...flagTable(report),
  );
  return `${out.join("\n").trimEnd()}\n`;
}

/** Where the patch (--patch) changed each function. */
function patchPlaces(report: MatchReport): string[] {
  const out: string[] = [];
  const placed = report.objects.flatMap((o) =>
    o.functions.filter((f) => f.at !== undefined).map((f) => ({ o, f })),
  );
  if (placed.length > 0) {
    out.push("### Where the patch changed them", "");
    out.push(
      markdownTable(
        ["function", "source", "pair"],
        placed.map(({ o, f }) => [
          `${f.name} (${o.relative})`,
          (f.at ?? [])
            .map((a) => `${a.file}:${a.line}${a.endLine > a.line ? `-${a.endLine}` : ""}`)
            .join(", "),
          f.status === "changed" ? pairText(f) : f.status,
        ]),
      ),
    );
  }
  return out;
}

/** Each function with several candidates or no pair: its evidence and candidates, folded. */
function candidateDetails(report: MatchReport): string[] {
  const out: string[] = [];
  for (const o of report.objects) {
    for (const f of o.functions) {
      if (f.status !== "changed" || (f.target !== null && f.candidates.length <= 1)) continue;
      out.push(
        `<details><summary>${markdownCode(f.name)} in ${markdownCode(o.orig)}: ${f.decision}</summary>`,
        "",
      );
      for (const e of f.evidence) out.push(`- **${e.kind}** (${e.result}): ${escapeMarkdownCell(e.detail)}`);
      out.push("");
      out.push(
        markdownTable(
          ["", "address", "name", "pair", "score", "placement", "excluded"],
          f.candidates.map((c) => [
            c.chosen ? "✔" : "",
            c.address ?? `#${c.position}`,
            c.name,
            c.oldName === null ? "-" : `${c.oldName},${c.oldSympos}`,
            String(c.score),
            c.placement ?? "-",
            c.excluded ?? "",
          ]),
        ),
      );
      out.push("</details>", "");
    }
  }
  return out;
}

/** The .klp.sym references. */
function referenceTable(report: MatchReport): string[] {
  const out: string[] = [];
  if (report.references.length > 0) {
    out.push("### References", "");
    out.push(
      markdownTable(
        ["klp.sym", "scope", "address", "used by"],
        report.references.map((r) => [
          r.klpSym ?? `${r.objname}:${r.name} (${r.decision})`,
          r.scope,
          r.address ?? "-",
          r.usedBy.join(", "),
        ]),
      ),
    );
  }
  return out;
}

/** Every flag of the run, its objects, functions and references. */
function flagTable(report: MatchReport): string[] {
  const out: string[] = [];
  const flags = [
    ...report.flags,
    ...report.objects.flatMap((o) => [...o.flags, ...o.functions.flatMap((f) => f.flags)]),
    ...report.references.flatMap((r) => r.flags),
  ];
  if (flags.length > 0) {
    out.push("### Flags", "");
    out.push(
      markdownTable(
        ["severity", "code", "message"],
        flags.map((f) => [f.severity, f.code, f.message]),
      ),
    );
  }
  return out;
}
