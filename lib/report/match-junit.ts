// `match --format junit`: one testsuite per object, one testcase per changed/new function; a
// testcase fails when a flag at or above --fail-on was raised on it, and keeps the flags below it
// in <system-out>; with --patch a testcase has the file and line of the source the patch changed.
import { type Flag, failsAt } from "../flags.js";
import { escapeXml, type FailOn } from "./common.js";
import { pairText } from "./match-lines.js";
import type { MatchReport } from "./match-report.js";

/** The flags a testcase does not fail on, one line each, for its <system-out>. */
function kept(flags: readonly Flag[], failOn: FailOn): string[] {
  return flags
    .filter((f) => !failsAt(f.severity, failOn))
    .map((f) => `${f.severity} ${f.code}: ${f.message}`);
}

function systemOut(lines: readonly string[]): string {
  return lines.length === 0 ? "" : `      <system-out>${escapeXml(lines.join("\n"))}</system-out>\n`;
}

function failure(flags: readonly Flag[], failOn: FailOn): string {
  const failing = flags.filter((f) => failsAt(f.severity, failOn));
  if (failing.length === 0) return "";
  const first = failing[0]!;
  const body = failing.map((f) => `${f.severity} ${f.code}: ${f.message}`).join("\n");
  return `      <failure type="${escapeXml(first.code)}" message="${escapeXml(first.message)}">${escapeXml(body)}</failure>\n`;
}

export function renderMatchJunit(report: MatchReport, failOn: FailOn = "error"): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  for (const o of report.objects) {
    const cases: string[] = [];
    let suiteFailures = 0;
    if (o.flags.length > 0) {
      const fail = failure(o.flags, failOn);
      if (fail !== "") suiteFailures++;
      cases.push(
        `    <testcase classname="${escapeXml(o.objname)}" name="${escapeXml(o.orig)}">\n${fail}${systemOut(kept(o.flags, failOn))}    </testcase>\n`,
      );
    }
    for (const f of o.functions) {
      const fail = failure(f.flags, failOn);
      if (fail !== "") suiteFailures++;
      const out = f.status === "changed" ? `${f.decision}: ${pairText(f)}` : f.status;
      const at = f.at?.[0];
      const where = at === undefined ? "" : ` file="${escapeXml(at.file)}" line="${at.line}"`;
      cases.push(
        `    <testcase classname="${escapeXml(`${o.objname}.${o.orig}`)}" name="${escapeXml(f.name)}"${where}>\n${fail}${systemOut([out, ...kept(f.flags, failOn)])}    </testcase>\n`,
      );
    }
    total += cases.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="${escapeXml(o.orig)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join("")}  </testsuite>\n`,
    );
  }
  const runFlags = [...report.flags, ...report.references.flatMap((r) => r.flags)];
  if (runFlags.length > 0) {
    const fail = failure(runFlags, failOn);
    if (fail !== "") failures++;
    total++;
    suites.push(
      `  <testsuite name="klpmatch" tests="1" failures="${fail === "" ? 0 : 1}" errors="0" skipped="0">\n    <testcase classname="klpmatch" name="kernel symbols and references">\n${fail}${systemOut(kept(runFlags, failOn))}    </testcase>\n  </testsuite>\n`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="klpmatch match" tests="${total}" failures="${failures}" errors="0">\n${suites.join("")}</testsuites>\n`;
}
