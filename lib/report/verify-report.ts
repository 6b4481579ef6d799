// The `verify` report: its data (what the JSON holds) and each format's rendering.
import type { Flag, Severity } from "../flags.js";
import { failsAt, worstSeverity } from "../flags.js";
import { inputSha256, toolVersion } from "../input-files.js";
import type { KernelTable } from "../kernel-table.js";
import type { LivepatchTargets, TargetOrigin, TargetRole } from "../livepatch/index.js";
import {
  escapeXml,
  type FailOn,
  githubAnnotation,
  hex,
  markdownCode,
  markdownTable,
  type ReportFormat,
  stableStringify,
  textTable,
} from "./common.js";
import type { SymbolView, VerifyOutcome, VerifyResult } from "./verify-types.js";

export const VERIFY_SCHEMA_VERSION = 1;

export interface VerifyInputFile {
  /** livepatch, targets, kallsyms, system-map, vmlinux, module, expect. */
  readonly role: string;
  readonly path: string;
  readonly sha256: string;
}

export interface VerifySymbolReport {
  readonly name: string;
  readonly type: string;
  readonly address: string | null;
  readonly position: number;
  readonly line: number | null;
}

export interface VerifyTargetReport {
  readonly objname: string;
  readonly oldName: string;
  readonly oldSympos: number;
  readonly origin: TargetOrigin;
  readonly role: TargetRole;
  readonly source: string;
  /** False for a .klp.sym symbol no .klp.rela relocation uses. */
  readonly used: boolean;
  readonly outcome: VerifyOutcome;
  /** "0x…" of the resolved symbol; null when not resolved or hidden. */
  readonly address: string | null;
  readonly symbol: VerifySymbolReport | null;
  readonly matches: readonly VerifySymbolReport[];
  readonly kernelMessage: string | null;
  readonly onLoad: {
    readonly moduleFile: string;
    readonly outcome: string;
    readonly symbol: VerifySymbolReport | null;
    readonly kernelMessage: string | null;
  } | null;
  readonly expected: {
    readonly source: string;
    readonly address: string | null;
    readonly oldSympos: number;
    readonly agrees: boolean;
    readonly by: string;
  } | null;
  readonly flags: readonly Flag[];
}

export interface VerifySummary {
  readonly targets: number;
  readonly resolved: number;
  readonly ambiguous: number;
  readonly positionNotFound: number;
  readonly notFound: number;
  readonly notLoaded: number;
  /** Targets the kernel would print a message about. */
  readonly refused: number;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  readonly worst: Severity | null;
}

export interface VerifyReport {
  readonly schemaVersion: typeof VERIFY_SCHEMA_VERSION;
  readonly tool: { readonly name: "klpmatch"; readonly command: "verify"; readonly version: string };
  readonly inputs: readonly VerifyInputFile[];
  readonly livepatch: {
    readonly path: string;
    readonly moduleName: string | null;
    readonly found: readonly TargetOrigin[];
    readonly objects: readonly string[];
  };
  readonly kernel: {
    readonly source: string;
    readonly path: string;
    readonly addressesHidden: boolean;
    readonly llvmNames: boolean;
  };
  readonly rule: { readonly name: string; readonly why: string; readonly assumed: boolean };
  /** What loading the patch would do, as far as symbols decide it. */
  readonly patch: {
    readonly result: "accepted" | "refused";
    readonly kernelMessage: string | null;
    readonly at: string | null;
    readonly stage: string | null;
    readonly deferred: readonly string[];
    readonly whenLoaded: readonly {
      readonly objname: string;
      readonly kernelMessage: string | null;
      readonly at: string | null;
    }[];
  };
  readonly targets: readonly VerifyTargetReport[];
  readonly flags: readonly Flag[];
  readonly notes: readonly string[];
  readonly summary: VerifySummary;
}

// ---------------------------------------------------------------------------------------------
// Building the report

/** An input of the report; `read`: its bytes, when they were read already for other uses. */
export async function inputFile(
  role: string,
  path: string,
  read?: Promise<Uint8Array>,
): Promise<VerifyInputFile> {
  if (path === "-") return { role, path, sha256: "" };
  return { role, path, sha256: await inputSha256(path, read) };
}

function symbolReport(s: SymbolView): VerifySymbolReport {
  return {
    name: s.name,
    type: s.type,
    address: s.address === null ? null : hex(s.address),
    position: s.position,
    line: s.line,
  };
}

export function buildVerifyReport(
  result: VerifyResult,
  targets: LivepatchTargets,
  table: KernelTable,
  inputs: readonly VerifyInputFile[],
): VerifyReport {
  const reports: VerifyTargetReport[] = result.verdicts.map((v) => ({
    objname: v.target.objname,
    oldName: v.target.oldName,
    oldSympos: v.target.oldSympos,
    origin: v.target.origin,
    role: v.target.role,
    source: v.target.source,
    used: v.target.used,
    outcome: v.outcome,
    address: v.symbol?.address != null ? hex(v.symbol.address) : null,
    symbol: v.symbol === null ? null : symbolReport(v.symbol),
    matches: v.matches.map(symbolReport),
    kernelMessage: v.kernelMessage,
    onLoad:
      v.onLoad === null
        ? null
        : {
            moduleFile: v.onLoad.moduleFile,
            outcome: v.onLoad.outcome,
            symbol: v.onLoad.symbol === null ? null : symbolReport(v.onLoad.symbol),
            kernelMessage: v.onLoad.kernelMessage,
          },
    expected:
      v.expected === null
        ? null
        : {
            source: v.expected.source,
            address: v.expected.expectedAddress === null ? null : hex(v.expected.expectedAddress),
            oldSympos: v.expected.expectedSympos,
            agrees: v.expected.agrees,
            by: v.expected.by,
          },
    flags: v.flags,
  }));
  const all = [...result.flags, ...reports.flatMap((t) => t.flags)];
  const count = (o: VerifyTargetReport["outcome"]) => reports.filter((t) => t.outcome === o).length;
  return {
    schemaVersion: VERIFY_SCHEMA_VERSION,
    tool: { name: "klpmatch", command: "verify", version: toolVersion() },
    inputs,
    livepatch: {
      path: targets.path,
      moduleName: targets.moduleName,
      found: targets.found,
      objects: targets.objects,
    },
    kernel: {
      source: table.source.kind,
      path: table.source.path,
      addressesHidden: table.addressesHidden,
      llvmNames: table.hasLlvmNames,
    },
    rule: { name: result.rule.rule, why: result.rule.why, assumed: result.rule.assumed },
    patch: result.patch,
    targets: reports,
    flags: result.flags,
    notes: result.notes,
    summary: {
      targets: reports.length,
      resolved: count("resolved"),
      ambiguous: count("ambiguous"),
      positionNotFound: count("position-not-found"),
      notFound: count("not-found"),
      notLoaded: count("not-loaded"),
      refused: reports.filter((t) => t.kernelMessage !== null).length,
      errors: all.filter((f) => f.severity === "error").length,
      warnings: all.filter((f) => f.severity === "warning").length,
      infos: all.filter((f) => f.severity === "info").length,
      worst: worstSeverity(all),
    },
  };
}

/** Every flag of the report, run-level first. */
export function verifyFlags(report: VerifyReport): Flag[] {
  return [...report.flags, ...report.targets.flatMap((t) => t.flags)];
}

/** True when something at or above `failOn` was flagged. */
export function verifyFails(report: VerifyReport, failOn: FailOn): boolean {
  return verifyFlags(report).some((f) => failsAt(f.severity, failOn));
}

// ---------------------------------------------------------------------------------------------
// Rendering

function pair(t: VerifyTargetReport): string {
  return `${t.objname}:${t.oldName},${t.oldSympos}`;
}

function symbolText(s: VerifySymbolReport | null): string {
  if (s === null) return "-";
  const where = s.address ?? (s.line !== null ? `line ${s.line}` : `#${s.position + 1}`);
  return `${where} ${s.type} ${s.name}`;
}

/** The columns the text and Markdown tables share: object, name, sympos, origin, outcome, symbol, message. */
function targetCells(t: VerifyTargetReport): string[] {
  return [
    t.objname,
    t.oldName,
    String(t.oldSympos),
    t.origin,
    outcomeText(t),
    symbolText(t.symbol ?? t.onLoad?.symbol ?? null),
    t.kernelMessage ?? t.onLoad?.kernelMessage ?? "",
  ];
}

function outcomeText(t: VerifyTargetReport): string {
  if (t.outcome === "not-loaded" && t.onLoad !== null) return `not-loaded (on load: ${t.onLoad.outcome})`;
  return t.outcome;
}

function patchLine(report: VerifyReport): string {
  const p = report.patch;
  const later = p.deferred.map((objname) => {
    const w = p.whenLoaded.find((x) => x.objname === objname);
    if (w === undefined) return `${objname} not loaded: resolved when loaded`;
    if (w.kernelMessage === null) return `${objname} not loaded: its targets pass against its module file`;
    return `when ${objname} loads, the kernel prints "${w.kernelMessage}" (${w.at}) and refuses to load ${objname}`;
  });
  const deferred = later.length > 0 ? `; ${later.join("; ")}` : "";
  if (p.result === "refused") {
    return `The kernel would refuse this patch (${p.stage ?? "?"} stage, ${p.at ?? "?"}): ${p.kernelMessage ?? ""}${deferred}`;
  }
  return `The kernel would accept every target of the loaded objects${deferred}`;
}

function summaryLine(s: VerifySummary): string {
  return (
    `${s.targets} target(s): ${s.resolved} resolved, ${s.ambiguous} ambiguous, ${s.positionNotFound} position not found, ` +
    `${s.notFound} not found, ${s.notLoaded} not loaded; ${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info`
  );
}

function renderText(report: VerifyReport): string {
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

function renderMarkdown(report: VerifyReport): string {
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

function renderJunit(report: VerifyReport, failOn: FailOn): string {
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

function renderGithub(report: VerifyReport): string {
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

export function renderVerifyReport(report: VerifyReport, format: ReportFormat, failOn: FailOn): string {
  switch (format) {
    case "json":
      return stableStringify(report);
    case "markdown":
      return renderMarkdown(report);
    case "junit":
      return renderJunit(report, failOn);
    case "github":
      return renderGithub(report);
    default:
      return renderText(report);
  }
}
