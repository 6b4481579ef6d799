// The `verify` report: its data (what the JSON holds) and each format's rendering.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Flag, Severity } from "../flags.js";
import { failsAt, worstSeverity } from "../flags.js";
import type { KernelTable } from "../kernel-table.js";
import type { LivepatchTargets, TargetOrigin, TargetRole } from "../livepatch/index.js";
import type { RuleChoice } from "../rules.js";
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
  readonly outcome: "resolved" | "ambiguous" | "position-not-found" | "not-found" | "not-loaded";
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
// The flag codes verify raises: stable, with their severity and meaning (for the README and CI)

export interface VerifyFlagCode {
  /** The severities the code is raised at (NOT_LOADED is info once checked with --module-file). */
  readonly severities: readonly Severity[];
  readonly meaning: string;
}

export const VERIFY_FLAG_CODES: Readonly<Record<string, VerifyFlagCode>> = {
  AMBIGUOUS: {
    severities: ["error"],
    meaning: "old_sympos 0 but several symbols match: the kernel refuses the patch",
  },
  POSITION_NOT_FOUND: {
    severities: ["error"],
    meaning: "old_sympos is larger than the number of matching symbols (a stale position)",
  },
  NOT_FOUND: { severities: ["error"], meaning: "no symbol of the object matches the name" },
  KERNEL_REBUILT: {
    severities: ["error"],
    meaning:
      "the target's .llvm.<hash> is missing but the same name with another hash exists: the kernel was built from other sources",
  },
  FTRACE_REFUSED: {
    severities: ["error"],
    meaning:
      "the function target resolves to something ftrace cannot attach to (data, freed init text, noinstr or entry code, a function its vmlinux or module file records no call site for)",
  },
  SIZE_LOOKUP_FAILED: {
    severities: ["error"],
    meaning: "the position reaches a per-CPU (absolute) symbol: kallsyms size lookup fails",
  },
  DUPLICATE_TARGET: {
    severities: ["error"],
    meaning: "two functions of one object get the same sysfs entry <name>,<sympos or 1>: -EEXIST",
  },
  DUPLICATE_OBJECT: {
    severities: ["error"],
    meaning: "two klp_objects of one name: the second one's sysfs directory exists, -EEXIST",
  },
  OBJNAME_TOO_LONG: {
    severities: ["error"],
    meaning: "a klp_object module name of MODULE_NAME_LEN (56) or more: -EINVAL",
  },
  NOT_LOADED: {
    severities: ["warning", "info"],
    meaning:
      "the target module is not loaded: it is resolved when it loads (info when checked against its --module-file)",
  },
  INIT_SYMBOL_HAZARD: {
    severities: ["warning"],
    meaning:
      "the module's init sections have a symbol of the same name: positions differ while its init runs",
  },
  MODULE_FILE_MISMATCH: {
    severities: ["warning"],
    meaning: "a --module-file is not the module that is loaded",
  },
  UNRELIABLE_QUERY: {
    severities: ["warning"],
    meaning: "a dotted name in a 6.2–6.10.6 clang-LTO kernel may not be found at all",
  },
  LTO_RULE_ASSUMED: {
    severities: ["warning"],
    meaning: "a clang-LTO kernel of unknown version: exact names assumed; give --kernel or --rule",
  },
  HIDDEN_ADDRESSES: {
    severities: ["info"],
    meaning: "the symbol table hides addresses: positions are checked, addresses and text ranges are not",
  },
  SYMPOS_ONE_UNIQUE: {
    severities: ["info"],
    meaning: "old_sympos 1 on a unique name: works, but differs from 0 for cumulative patches",
  },
  EXPECT_MISMATCH: {
    severities: ["error"],
    meaning: "the target does not reach the symbol the --expect report decided",
  },
  EXPECT_MISSING: { severities: ["warning"], meaning: "the --expect report has no entry for this target" },
  EXPECT_UNCOVERED: {
    severities: ["warning"],
    meaning: "the --expect report has an entry no target of the patch names",
  },
  NOT_LIVEPATCH_MODULE: {
    severities: ["error"],
    meaning: 'the module lacks MODULE_INFO(livepatch, "Y"): klp_enable_patch refuses it',
  },
  BAD_KLP_SYM_NAME: {
    severities: ["error"],
    meaning: "a .klp.sym name the kernel's sscanf cannot read (limits, missing parts)",
  },
  BAD_KLP_RELA_NAME: { severities: ["error"], meaning: "a .klp.rela section name the kernel cannot read" },
  KLP_RELA_NOT_MARKED: { severities: ["error"], meaning: "a .klp.rela section without SHF_RELA_LIVEPATCH" },
  KLP_SYM_NOT_LIVEPATCH: {
    severities: ["error"],
    meaning: "a .klp.sym symbol (or one used by .klp.rela) not in SHN_LIVEPATCH",
  },
  KLP_SYM_VMLINUX_FROM_MODULE: {
    severities: ["error"],
    meaning: "a module's .klp.rela section uses a vmlinux .klp.sym symbol: the kernel refuses it",
  },
  KLP_RELA_NO_OBJECT: {
    severities: ["error"],
    meaning: "a module's .klp.rela section whose object the patch has no klp_object for: never applied",
  },
  KLP_SYM_TRAILING: {
    severities: ["warning"],
    meaning: "characters after a .klp.sym position, which the kernel ignores",
  },
  KLP_SYM_UNUSED: {
    severities: ["info"],
    meaning: "a .klp.sym symbol no .klp.rela relocation uses: never looked up",
  },
  KPATCH_FUNCS_UNREADABLE: {
    severities: ["error"],
    meaning: ".kpatch.funcs does not hold readable struct kpatch_patch_func entries",
  },
  KLP_OBJECTS_UNREADABLE: {
    severities: ["error"],
    meaning: "a klp-build klp_objects section without readable struct klp_object_ext entries",
  },
  KLP_PATCH_NOT_FOUND: {
    severities: ["warning"],
    meaning: "klp_enable_patch() is called but no static klp_patch was found",
  },
  LIST_UNDECIDED: {
    severities: ["warning"],
    meaning: "a match report entry without a decided target: nothing to verify for it",
  },
  NO_TARGETS: { severities: ["warning"], meaning: "nothing to verify was found" },
  NAME_TOO_LONG: {
    severities: ["error"],
    meaning: "old_name of KSYM_NAME_LEN or more: klp_init_func() refuses it",
  },
  NO_NEW_FUNC: { severities: ["error"], meaning: "a klp_func without new_func: klp_init_func() refuses it" },
  BAD_OLD_NAME: { severities: ["error"], meaning: "old_name does not lead to a string in the object" },
  OBJNAME_VMLINUX_STRING: {
    severities: ["error"],
    meaning: 'a klp_object named "vmlinux" (must be NULL): treated as a module that never loads',
  },
  OBJNAME_NOT_NORMALIZED: {
    severities: ["error"],
    meaning: "a klp_object name with '-': module names use '_', so it never matches",
  },
};

// ---------------------------------------------------------------------------------------------
// Building the report

let cachedVersion: string | null = null;

/** klpmatch's version from its package.json (found upwards from this file, source or dist). */
export function toolVersion(): string {
  if (cachedVersion !== null) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
        if (pkg.name === "klpmatch" && typeof pkg.version === "string") {
          cachedVersion = pkg.version;
          return cachedVersion;
        }
      } catch {
        // not ours; keep looking
      }
    }
    dir = dirname(dir);
  }
  cachedVersion = "0.0.0";
  return cachedVersion;
}

export async function inputFile(role: string, path: string): Promise<VerifyInputFile> {
  const sha256 =
    path === "-"
      ? ""
      : createHash("sha256")
          .update(await readFile(path))
          .digest("hex");
  return { role, path, sha256 };
}

/** The plain-data shape of matcher/verify's result (kept structural so lib does not import matcher). */
export interface VerifyResultData {
  readonly rule: RuleChoice;
  readonly verdicts: readonly {
    readonly target: LivepatchTargets["targets"][number];
    readonly outcome: VerifyTargetReport["outcome"];
    readonly symbol: SymbolData | null;
    readonly matches: readonly SymbolData[];
    readonly kernelMessage: string | null;
    readonly onLoad: {
      readonly moduleFile: string;
      readonly outcome: string;
      readonly symbol: SymbolData | null;
      readonly kernelMessage: string | null;
    } | null;
    readonly expected: {
      readonly source: string;
      readonly expectedAddress: bigint | null;
      readonly expectedSympos: number;
      readonly agrees: boolean;
      readonly by: string;
    } | null;
    readonly flags: readonly Flag[];
  }[];
  readonly patch: VerifyReport["patch"];
  readonly flags: readonly Flag[];
  readonly notes: readonly string[];
}

interface SymbolData {
  readonly name: string;
  readonly type: string;
  readonly address: bigint | null;
  readonly position: number;
  readonly line: number | null;
}

function symbolReport(s: SymbolData): VerifySymbolReport {
  return {
    name: s.name,
    type: s.type,
    address: s.address === null ? null : hex(s.address),
    position: s.position,
    line: s.line,
  };
}

export function buildVerifyReport(
  result: VerifyResultData,
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
  const rows = report.targets.map((t) => [
    t.objname,
    t.oldName,
    String(t.oldSympos),
    t.origin,
    outcomeText(t),
    symbolText(t.symbol ?? t.onLoad?.symbol ?? null),
    t.kernelMessage ?? t.onLoad?.kernelMessage ?? "",
  ]);
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
      report.targets.map((t) => [
        t.objname,
        t.oldName,
        String(t.oldSympos),
        t.origin,
        outcomeText(t),
        symbolText(t.symbol ?? t.onLoad?.symbol ?? null),
        t.kernelMessage ?? t.onLoad?.kernelMessage ?? "",
        t.flags.map((f) => f.code).join(", "),
      ]),
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
