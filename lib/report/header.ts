// What every report on a kernel's symbols opens with (match, verify): the tool and its version,
// the input files with their sha256, the symbol table read and the lookup rule applied.
import { inputSha256, toolVersion } from "../input-files.js";
import type { KernelTable } from "../kernel-table.js";
import type { RuleChoice } from "../rules.js";

export interface InputFile {
  /** orig, patched, livepatch, targets, kallsyms, system-map, vmlinux, module, symvers, baseline, expect. */
  readonly role: string;
  readonly path: string;
  /** "" for standard input. */
  readonly sha256: string;
}

export interface ReportTool {
  readonly name: "klpmatch";
  readonly version: string;
}

export interface ReportKernel {
  /** The table's kind: kallsyms, system-map, vmlinux, module. */
  readonly source: string;
  readonly path: string;
  readonly addressesHidden: boolean;
  readonly llvmNames: boolean;
}

export interface ReportRule {
  readonly name: string;
  readonly why: string;
  readonly assumed: boolean;
}

export interface ReportHeader {
  readonly tool: ReportTool;
  readonly inputs: readonly InputFile[];
  readonly kernel: ReportKernel;
  readonly rule: ReportRule;
}

/** The header of a report on `table` under `rule`. */
export function reportHeader(
  inputs: readonly InputFile[],
  table: KernelTable,
  rule: RuleChoice,
  version: string = toolVersion(),
): ReportHeader {
  return {
    tool: { name: "klpmatch", version },
    inputs,
    kernel: {
      source: table.source.kind,
      path: table.source.path,
      addressesHidden: table.addressesHidden,
      llvmNames: table.hasLlvmNames,
    },
    rule: { name: rule.rule, why: rule.why, assumed: rule.assumed },
  };
}

/** An input of the report; `read`: its bytes, when they were read already for other uses. */
export async function inputFile(role: string, path: string, read?: Promise<Uint8Array>): Promise<InputFile> {
  if (path === "-") return { role, path, sha256: "" };
  return { role, path, sha256: await inputSha256(path, read) };
}
