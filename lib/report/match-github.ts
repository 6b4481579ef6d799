// `match --format github`: workflow annotations — one per flag (error, warning, notice), on the
// orig object file, and a closing notice with the summary.
import { githubAnnotation } from "./common.js";
import { pairText } from "./match-lines.js";
import type { MatchReport } from "./match-report.js";

export function renderMatchGithub(report: MatchReport): string {
  const out: string[] = [];
  for (const f of report.flags) out.push(githubAnnotation(f.severity, `klpmatch ${f.code}`, f.message));
  for (const o of report.objects) {
    for (const f of o.flags) out.push(githubAnnotation(f.severity, `klpmatch ${f.code}`, f.message, o.orig));
    for (const fn of o.functions) {
      for (const f of fn.flags)
        out.push(githubAnnotation(f.severity, `klpmatch ${f.code}: ${fn.name}`, f.message, o.orig));
    }
  }
  for (const r of report.references) {
    for (const f of r.flags)
      out.push(githubAnnotation(f.severity, `klpmatch ${f.code}: ${r.name}`, f.message));
  }
  const s = report.summary;
  const pairs = report.objects
    .flatMap((o) => o.functions)
    .filter((f) => f.target !== null)
    .map((f) => pairText(f));
  out.push(
    githubAnnotation(
      "info",
      "klpmatch summary",
      `${s.decided}/${s.functions} changed function(s) matched${pairs.length > 0 ? `: ${pairs.join(" ")}` : ""}; ${s.errors} error(s), ${s.warnings} warning(s)`,
    ),
  );
  return out.join("");
}
