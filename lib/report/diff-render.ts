// One entry point per `klpmatch diff` view (a pair, a tree, one function explained) for each of
// its formats: text (kpatch's lines) and JSON (--json).
import type { Disassembly } from "../disassemble.js";
import { unrenderedFormat } from "./common.js";
import {
  renderDiffJson,
  renderDiffText,
  renderExplanation,
  renderExplanationJson,
  renderTreeJson,
  renderTreeText,
  type TreeLabels,
} from "./diff-report.js";
import type { FunctionExplanation, ObjectDiff, TreeDiff } from "./diff-types.js";

export type DiffFormat = "text" | "json";

export function renderObjectDiff(diff: ObjectDiff, format: DiffFormat): string {
  switch (format) {
    case "json":
      return renderDiffJson(diff);
    case "text":
      return renderDiffText(diff);
    default:
      return unrenderedFormat(format);
  }
}

/** `dirs`: the two trees as given (JSON names unpaired objects by them); `labels`: each pair's path. */
export function renderTreeDiff(
  tree: TreeDiff,
  format: DiffFormat,
  dirs: { readonly orig: string; readonly patched: string },
  labels: TreeLabels,
): string {
  switch (format) {
    case "json":
      return renderTreeJson(tree, dirs.orig, dirs.patched);
    case "text":
      return renderTreeText(tree, labels);
    default:
      return unrenderedFormat(format);
  }
}

export function renderFunctionExplanation(
  e: FunctionExplanation,
  format: DiffFormat,
  label: string,
  disassembly: { readonly orig: Disassembly | null; readonly patched: Disassembly | null },
  patchedLabel: string = label,
): string {
  switch (format) {
    case "json":
      return renderExplanationJson(e, disassembly);
    case "text":
      return renderExplanation(e, label, disassembly, patchedLabel);
    default:
      return unrenderedFormat(format);
  }
}
