// `verify --format text`: the target table, the flags with the target they are about, the
// patch line (what the kernel would do) and a summary line.
import { textTable } from "./common.js";
import { pair, patchLine, summaryLine, targetCells } from "./verify-lines.js";
import type { VerifyReport } from "./verify-report.js";

export function renderVerifyText(report: VerifyReport): string {
  const out: string[] = [];
  out.push(
    `klpmatch verify: ${report.livepatch.path} (${report.livepatch.found.join(", ") || "no targets"}) against ${report.kernel.source} ${report.kernel.path}`,
  );
  out.push(`rule: ${report.rule.name} — ${report.rule.why}`);
  out.push("");
  const rows = report.targets.map(targetCells);
  out.push(
    textTable(
      ["OBJECT", "NAME", "SYMPOS", "ORIGIN", "OUTCOME", "SYMBOL", "KERNEL WOULD PRINT"],
      rows,
    ).trimEnd(),
  );
  const flags = [
    ...report.flags.map((f) => ({ where: "", f })),
    ...report.targets.flatMap((t) => t.flags.map((f) => ({ where: `${pair(t)}: `, f }))),
  ];
  if (flags.length > 0) {
    out.push("");
    out.push("Flags:");
    for (const { where, f } of flags) out.push(`  ${f.severity.padEnd(7)} ${f.code}: ${where}${f.message}`);
  }
  out.push("");
  out.push(patchLine(report));
  out.push(summaryLine(report.summary));
  return `${out.join("\n")}\n`;
}
