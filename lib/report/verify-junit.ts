// `verify --format junit`: one testcase per target, plus one for the inputs when the run has
// flags; a testcase fails when a flag at or above --fail-on was raised on it.
import { failsAt } from "../flags.js";
import { escapeXml, type FailOn } from "./common.js";
import { outcomeText, pair, symbolText } from "./verify-lines.js";
import type { VerifyReport } from "./verify-report.js";

export function renderVerifyJunit(report: VerifyReport, failOn: FailOn): string {
  const cases = report.targets.map((t) => {
    const failing = t.flags.filter((f) => failsAt(f.severity, failOn));
    const name = escapeXml(pair(t));
    const classname = escapeXml(`klpmatch.verify.${t.origin}`);
    const details = escapeXml(
      [
        `outcome: ${outcomeText(t)}`,
        `symbol: ${symbolText(t.symbol)}`,
        `kernel would print: ${t.kernelMessage ?? "-"}`,
        `source: ${t.source}`,
        ...t.flags.map((f) => `${f.severity} ${f.code}: ${f.message}`),
      ].join("\n"),
    );
    if (failing.length === 0)
      return `    <testcase name="${name}" classname="${classname}">\n      <system-out>${details}</system-out>\n    </testcase>`;
    const first = failing[0]!;
    return `    <testcase name="${name}" classname="${classname}">\n      <failure type="${escapeXml(first.code)}" message="${escapeXml(first.message)}">${details}</failure>\n    </testcase>`;
  });
  const runFailing = report.flags.filter((f) => failsAt(f.severity, failOn));
  if (runFailing.length > 0 || report.flags.length > 0) {
    const details = escapeXml(report.flags.map((f) => `${f.severity} ${f.code}: ${f.message}`).join("\n"));
    const first = runFailing[0];
    cases.push(
      first === undefined
        ? `    <testcase name="inputs" classname="klpmatch.verify">\n      <system-out>${details}</system-out>\n    </testcase>`
        : `    <testcase name="inputs" classname="klpmatch.verify">\n      <failure type="${escapeXml(first.code)}" message="${escapeXml(first.message)}">${details}</failure>\n    </testcase>`,
    );
  }
  const failures = cases.filter((c) => c.includes("<failure")).length;
  const suite = escapeXml(`klpmatch verify ${report.livepatch.path}`);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="klpmatch verify" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${suite}" tests="${cases.length}" failures="${failures}" errors="0">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
