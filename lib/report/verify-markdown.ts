// `verify --format markdown`: a heading with the verdict icon, the patch line, the target table
// with each target's flag codes, the flags folded in <details>, and a summary line.
import { markdownCode, markdownTable } from "./common.js";
import { pair, patchLine, summaryLine, targetCells } from "./verify-lines.js";
import type { VerifyReport } from "./verify-report.js";

export function renderVerifyMarkdown(report: VerifyReport): string {
  const out: string[] = [];
  const icon = report.summary.errors > 0 ? "❌" : report.summary.warnings > 0 ? "⚠️" : "✅";
  out.push(`## ${icon} klpmatch verify: ${markdownCode(report.livepatch.path)}`);
  out.push("");
  out.push(
    `Against ${report.kernel.source} ${markdownCode(report.kernel.path)}, rule ${markdownCode(report.rule.name)} (${report.rule.why}).`,
  );
  out.push("");
  out.push(`**${patchLine(report)}**`);
  out.push("");
  out.push(
    markdownTable(
      ["object", "old_name", "old_sympos", "origin", "outcome", "symbol", "kernel would print", "flags"],
      report.targets.map((t) => [...targetCells(t), t.flags.map((f) => f.code).join(", ")]),
    ).trimEnd(),
  );
  const flags = [
    ...report.flags.map((f) => ({ where: "", f })),
    ...report.targets.flatMap((t) => t.flags.map((f) => ({ where: `${markdownCode(pair(t))}: `, f }))),
  ];
  if (flags.length > 0) {
    out.push("");
    out.push("<details><summary>Flags</summary>");
    out.push("");
    for (const { where, f } of flags)
      out.push(`- **${f.severity}** \`${f.code}\` ${where}${f.message.replace(/\r?\n/g, " ")}`);
    out.push("");
    out.push("</details>");
  }
  out.push("");
  out.push(summaryLine(report.summary));
  return `${out.join("\n")}\n`;
}
