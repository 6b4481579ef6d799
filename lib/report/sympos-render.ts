// One entry point for every `klpmatch sympos` format: text, and JSON (--json).
import { unrenderedFormat } from "./common.js";
import { renderSymposJson, renderSymposText, type SymposReport } from "./sympos-report.js";

export type SymposFormat = "text" | "json";

export function renderSymposReport(report: SymposReport, format: SymposFormat): string {
  switch (format) {
    case "json":
      return renderSymposJson(report);
    case "text":
      return renderSymposText(report);
    default:
      return unrenderedFormat(format);
  }
}
