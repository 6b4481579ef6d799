// `match --format github`: workflow annotations — one per flag (error, warning, notice), on the
// orig object file or, with --patch, on the first source line the patch changed in the function;
// with --patch a notice of each function's pair on its lines; a closing notice with the summary.
import { githubAnnotation } from "./common.js";
import { outcomeText, pairText } from "./match-lines.js";
import type { MatchReport } from "./match-report.js";

export function renderMatchGithub(report: MatchReport): string {
  const out: string[] = [];
  for (const f of report.flags) out.push(githubAnnotation(f.severity, `klpmatch ${f.code}`, f.message));
  for (const o of report.objects) {
    for (const f of o.flags) out.push(githubAnnotation(f.severity, `klpmatch ${f.code}`, f.message, o.orig));
    for (const fn of o.functions) {
      const at = fn.at?.[0];
      for (const f of fn.flags) {
        const title = `klpmatch ${f.code}: ${fn.name}`;
        out.push(githubAnnotation(f.severity, title, f.message, at?.file ?? o.orig, at));
      }
      if (at !== undefined && fn.status === "changed") {
        const what = fn.target !== null ? `${pairText(fn)} (${fn.decision})` : outcomeText(fn);
        for (const a of fn.at ?? []) {
          out.push(
            githubAnnotation(
              "info",
              `klpmatch: ${fn.name}`,
              `${fn.name} in ${o.relative}: ${what}`,
              a.file,
              a,
            ),
          );
        }
      }
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
