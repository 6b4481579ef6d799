// One entry point for every match report format.
import { type FailOn, type ReportFormat, unrenderedFormat } from "./common.js";
import { renderMatchGithub } from "./match-github.js";
import { renderMatchJson } from "./match-json.js";
import { renderMatchJunit } from "./match-junit.js";
import { renderMatchMarkdown } from "./match-markdown.js";
import type { MatchReport } from "./match-report.js";
import { renderMatchText } from "./match-text.js";

export interface RenderOptions {
  readonly failOn?: FailOn;
  readonly color?: boolean;
}

export function renderMatchReport(
  report: MatchReport,
  format: ReportFormat,
  opts: RenderOptions = {},
): string {
  switch (format) {
    case "json":
      return renderMatchJson(report);
    case "markdown":
      return renderMatchMarkdown(report);
    case "junit":
      return renderMatchJunit(report, opts.failOn ?? "error");
    case "github":
      return renderMatchGithub(report);
    case "text":
      return renderMatchText(report, { color: opts.color ?? false });
    default:
      return unrenderedFormat(format);
  }
}
