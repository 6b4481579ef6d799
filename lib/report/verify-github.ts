// `verify --format github`: one workflow annotation per flag, on the livepatch file, then the
// patch and summary lines.
import { githubAnnotation } from "./common.js";
import { pair, patchLine, summaryLine } from "./verify-lines.js";
import type { VerifyReport } from "./verify-report.js";

export function renderVerifyGithub(report: VerifyReport): string {
  const file = report.livepatch.path;
  const lines: string[] = [];
  for (const f of report.flags)
    lines.push(githubAnnotation(f.severity, `klpmatch verify ${f.code}`, f.message, file));
  for (const t of report.targets) {
    for (const f of t.flags)
      lines.push(githubAnnotation(f.severity, `klpmatch verify ${f.code} ${pair(t)}`, f.message, file));
  }
  lines.push(`${patchLine(report)}\n${summaryLine(report.summary)}\n`);
  return lines.join("");
}
