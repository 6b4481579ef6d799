// What every report format shares: the format names, escaping for XML/Markdown/GitHub annotations,
// plain tables, --fail-on parsing, deterministic JSON, and writing the result to stdout or a file.
import { hex } from "../../elf/layout.js";
import { writeFileAtomic } from "../atomic-write.js";
import { isSeverity, type Severity } from "../flags.js";
import { InputError } from "../input-error.js";

/** bigint as it appears in reports: lower-case hex with `0x` (one formatter, elf/layout.ts). */
export { hex };

export type ReportFormat = "text" | "json" | "markdown" | "junit" | "github";

export const REPORT_FORMATS: readonly ReportFormat[] = ["text", "json", "markdown", "junit", "github"];

export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

/**
 * The default branch of a switch over report formats. `format` is `never` there when every format
 * has its case, so a format added without a renderer fails to compile instead of printing text.
 */
export function unrenderedFormat(format: never): never {
  throw new Error(`no renderer for report format '${String(format)}'`);
}

/** The gate a run fails at: a severity, or "none" (never fail). */
export type FailOn = Severity | "none";

export const FAIL_ON_VALUES: readonly FailOn[] = ["error", "warning", "info", "none"];

/** Parses a --fail-on value; anything else is a usage error naming the option. */
export function parseFailOn(value: string, option = "--fail-on"): FailOn {
  const v = value.trim().toLowerCase();
  if (v === "none" || isSeverity(v)) return v;
  throw InputError.usage(option, `expected one of ${FAIL_ON_VALUES.join(", ")}, got '${value}'`);
}

/** Text for XML element content and attribute values (JUnit). Drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A Markdown table cell: pipes escaped, newlines as <br>, so a name can't break the table. */
export function escapeMarkdownCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

/** Inline code in Markdown that survives backticks in the text. */
export function markdownCode(text: string): string {
  if (text === "") return "";
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n") + "\n";
}

/** A plain-text table, columns padded to the widest cell, two spaces between columns. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n") + "\n";
}

/** GitHub workflow commands: data escapes %, CR, LF; properties also `:` and `,`. */
function escapeGithubData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

const GITHUB_COMMAND: Record<Severity, string> = { error: "error", warning: "warning", info: "notice" };

/** One `::error file=…,line=…,title=…::message` line (info → `::notice`). */
export function githubAnnotation(
  severity: Severity,
  title: string,
  message: string,
  file?: string,
  lines?: { readonly line: number; readonly endLine: number },
): string {
  const props: string[] = [];
  if (file !== undefined && file !== "") props.push(`file=${escapeGithubProperty(file)}`);
  if (file !== undefined && file !== "" && lines !== undefined) {
    props.push(`line=${lines.line}`);
    if (lines.endLine > lines.line) props.push(`endLine=${lines.endLine}`);
  }
  if (title !== "") props.push(`title=${escapeGithubProperty(title)}`);
  const head = props.length > 0 ? ` ${props.join(",")}` : "";
  return `::${GITHUB_COMMAND[severity]}${head}::${escapeGithubData(message)}\n`;
}

/**
 * Deterministic JSON: object keys in code-unit order (so reruns are byte-identical whatever order
 * the code built them in), arrays kept in their order, bigint as "0x…", undefined members dropped,
 * two-space indentation and a final newline.
 */
export function stableStringify(value: unknown): string {
  return `${JSON.stringify(normalizeForJson(value), null, 2)}\n`;
}

function normalizeForJson(value: unknown): unknown {
  if (typeof value === "bigint") return hex(value);
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return null;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : normalizeForJson(v)));
  if (value instanceof Map) return normalizeForJson(Object.fromEntries(value));
  if (value instanceof Set) return [...value].map(normalizeForJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || typeof v === "function") continue;
    out[key] = normalizeForJson(v);
  }
  return out;
}

/** Writes a rendered report: to stdout, or atomically to `out` (never a partial file). */
export async function emitReport(contents: string, out?: string): Promise<void> {
  if (out === undefined || out === "" || out === "-") {
    await new Promise<void>((resolve, reject) => {
      process.stdout.write(contents, (error) => (error ? reject(error) : resolve()));
    });
    return;
  }
  await writeFileAtomic(out, contents);
}

/** Colours only when the stream is a TTY and NO_COLOR is unset (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  const noColor = process.env.NO_COLOR;
  if (noColor !== undefined && noColor !== "") return false;
  return stream.isTTY === true;
}
