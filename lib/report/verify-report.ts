// The data of a `verify` report: what every format renders (verify-render.ts) and the JSON holds.
// Addresses are "0x…" strings here, so the JSON form is the data itself.
import type { Flag, Severity } from "../flags.js";
import { failsAt, worstSeverity } from "../flags.js";
import { inputSha256, toolVersion } from "../input-files.js";
import type { KernelTable } from "../kernel-table.js";
import type { LivepatchTargets, TargetOrigin, TargetRole } from "../livepatch/index.js";
import { type FailOn, hex } from "./common.js";
import type { SymbolView, TargetVerdict, VerifyOutcome, VerifyResult } from "./verify-types.js";

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
  inputs: readonly VerifyInputFile[],
): VerifyReport {
  const reports = result.verdicts.map(targetReport);
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
