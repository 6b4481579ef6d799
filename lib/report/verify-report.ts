// The data of a `verify` report: what every format renders (verify-render.ts) and the JSON holds.
// Addresses are "0x…" strings here, so the JSON form is the data itself.
import type { Flag, Severity } from "../flags.js";
import { failsAt, worstSeverity } from "../flags.js";
import type { KernelTable } from "../kernel-table.js";
import type { LivepatchTargets, TargetOrigin, TargetRole } from "../livepatch/index.js";
import { type FailOn, hex } from "./common.js";
import { type InputFile, type ReportHeader, type ReportTool, reportHeader } from "./header.js";
import type { SymbolView, TargetVerdict, VerifyOutcome, VerifyResult } from "./verify-types.js";

export const VERIFY_SCHEMA_VERSION = 1;

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

export interface VerifyReport extends ReportHeader {
  readonly schemaVersion: typeof VERIFY_SCHEMA_VERSION;
  readonly tool: ReportTool & { readonly command: "verify" };
  readonly livepatch: {
    readonly path: string;
    readonly moduleName: string | null;
    readonly found: readonly TargetOrigin[];
    readonly objects: readonly string[];
  };
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

function symbolReport(s: SymbolView): VerifySymbolReport {
  return {
    name: s.name,
    type: s.type,
    address: s.address === null ? null : hex(s.address),
    position: s.position,
    line: s.line,
  };
}

function targetReport(v: TargetVerdict): VerifyTargetReport {
  return {
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
  };
}

export function buildVerifyReport(
  result: VerifyResult,
  targets: LivepatchTargets,
  table: KernelTable,
  inputs: readonly InputFile[],
): VerifyReport {
  const reports = result.verdicts.map(targetReport);
  const all = [...result.flags, ...reports.flatMap((t) => t.flags)];
  const count = (o: VerifyTargetReport["outcome"]) => reports.filter((t) => t.outcome === o).length;
  const header = reportHeader(inputs, table, result.rule);
  return {
    schemaVersion: VERIFY_SCHEMA_VERSION,
    ...header,
    tool: { ...header.tool, command: "verify" },
    livepatch: {
      path: targets.path,
      moduleName: targets.moduleName,
      found: targets.found,
      objects: targets.objects,
    },
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
