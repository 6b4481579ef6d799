// `--report FORMAT=FILE` (repeatable, `-` for stdout): every report a run writes, each atomically,
// each byte for byte what `--format FORMAT --out FILE` alone writes. Without --report, --format and
// --out say the one report; with it, --out adds one more (in --format).
import { InputError } from "../lib/input-error.js";
import { emitReport, isReportFormat, REPORT_FORMATS, type ReportFormat } from "../lib/report/common.js";

export interface ReportOutput {
  readonly format: ReportFormat;
  /** undefined: standard output. */
  readonly path: string | undefined;
}

function parseSpec(spec: string): ReportOutput {
  const eq = spec.indexOf("=");
  const format = eq < 0 ? spec : spec.slice(0, eq);
  const path = eq < 0 ? "" : spec.slice(eq + 1);
  if (eq < 0 || path === "" || !isReportFormat(format)) {
    throw InputError.usage(
      "--report",
      `expected FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(", ")} and FILE a path or - (stdout), got '${spec}'`,
    );
  }
  return { format, path: path === "-" ? undefined : path };
}

/** The reports to write, from --report specs, --format and --out. */
export function reportOutputs(
  specs: readonly string[] | undefined,
  format: string,
  out: string | undefined,
): ReportOutput[] {
  const single: ReportOutput = {
    format: format as ReportFormat,
    path: out === undefined || out === "" || out === "-" ? undefined : out,
  };
  if (specs === undefined || specs.length === 0) return [single];
  const outputs = specs.map(parseSpec);
  if (out !== undefined) outputs.push(single);
  const seen = new Set<string>();
  for (const o of outputs) {
    const where = o.path ?? "-";
    if (seen.has(where)) {
      throw InputError.usage(
        "--report",
        where === "-" ? "two reports to standard output" : `${where}: named for two reports`,
      );
    }
    seen.add(where);
  }
  return outputs;
}

/** Whether a report goes to standard output. */
export function toStdout(outputs: readonly ReportOutput[]): boolean {
  return outputs.some((o) => o.path === undefined);
}

/** Renders and writes every report; each file is written atomically (lib/atomic-write.ts). */
export async function writeReports(
  outputs: readonly ReportOutput[],
  render: (format: ReportFormat, toTerminal: boolean) => string,
): Promise<void> {
  for (const o of outputs) {
    const toTerminal = o.path === undefined && process.stdout.isTTY === true;
    await emitReport(render(o.format, toTerminal), o.path);
  }
}
