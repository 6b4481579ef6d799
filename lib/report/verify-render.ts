// One entry point for every verify report format.
import { type FailOn, type ReportFormat, unrenderedFormat } from "./common.js";
import { renderVerifyGithub } from "./verify-github.js";
import { renderVerifyJson } from "./verify-json.js";
import { renderVerifyJunit } from "./verify-junit.js";
import { renderVerifyMarkdown } from "./verify-markdown.js";
import type { VerifyReport } from "./verify-report.js";
import { renderVerifyText } from "./verify-text.js";

export function renderVerifyReport(report: VerifyReport, format: ReportFormat, failOn: FailOn): string {
  switch (format) {
    case "json":
      return renderVerifyJson(report);
    case "markdown":
      return renderVerifyMarkdown(report);
    case "junit":
      return renderVerifyJunit(report, failOn);
    case "github":
      return renderVerifyGithub(report);
    case "text":
      return renderVerifyText(report);
    default:
      return unrenderedFormat(format);
  }
}
