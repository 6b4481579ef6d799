// klpmatch match: each changed function of an orig/patched build to its kernel symbol, with the
// (objname, old_name, old_sympos) the kernel resolves back to it; reports and CI exit codes.
import type { CommandModule } from "yargs";
import { failsAt } from "../../lib/flags.js";
import { InputError } from "../../lib/input-error.js";
import { readInputText } from "../../lib/input-files.js";
import { parseFailOn, REPORT_FORMATS, useColor } from "../../lib/report/common.js";
import { compareWithBaseline, parseBaseline, withBaselineChanged } from "../../lib/report/match-baseline.js";
import { renderMatchReport } from "../../lib/report/match-render.js";
import { allFlags, type MatchReport } from "../../lib/report/match-report.js";
import { LOOKUP_RULES } from "../../lib/rules.js";
import { matchInputs } from "../../pipeline/kbuild-match.js";
import { liveSymbolSources } from "../../pipeline/live.js";
import { EXIT_FLAGGED, EXIT_OK, runAction } from "../exit.js";
import { reportOutputs, toStdout, writeReports } from "../report-outputs.js";

interface MatchArgs {
  orig: string;
  patched: string;
  kallsyms?: string;
  "system-map"?: string;
  vmlinux?: string;
  "module-file"?: string[];
  objname?: string[];
  "build-dir"?: string;
  only?: string[];
  kernel?: string;
  rule?: string;
  symvers?: string;
  patch?: string[];
  format: string;
  out?: string;
  report?: string[];
  "fail-on": string;
  baseline?: string;
  "fail-on-change"?: boolean;
  live?: boolean;
  root?: string;
}

/** A progress bar on stderr, only for a terminal and enough objects to be worth it. */
function progressBar(): ((done: number, total: number, current: string) => void) | undefined {
  const err = process.stderr;
  if (err.isTTY !== true) return undefined;
  const color = useColor(err);
  return (done, total, current) => {
    if (total < 10) return;
    const width = 30;
    const filled = Math.round((done / total) * width);
    const bar = `${"#".repeat(filled)}${".".repeat(width - filled)}`;
    const name = current.length > 40 ? `…${current.slice(-39)}` : current;
    const text = `[${color ? `\u001b[32m${bar}\u001b[0m` : bar}] ${done}/${total} ${name}`;
    err.write(done === total ? "\r\u001b[2K" : `\r\u001b[2K${text}`);
  };
}

export const matchCommand: CommandModule<object, MatchArgs> = {
  command: "match",
  describe: "Match each changed function to its kernel symbol: objname, old_name, old_sympos, with evidence",
  builder: (y) =>
    y
      .option("orig", { type: "string", demandOption: true, describe: "orig object file or build tree" })
      .option("patched", {
        type: "string",
        demandOption: true,
        describe: "patched object file or build tree",
      })
      .option("kallsyms", {
        type: "string",
        describe: "/proc/kallsyms of the target kernel (or - for stdin)",
      })
      .option("system-map", { type: "string", describe: "System.map of the target kernel" })
      .option("vmlinux", {
        type: "string",
        describe: "vmlinux ELF of the target kernel (adds STT_FILE evidence)",
      })
      .option("module-file", { type: "string", array: true, describe: "target module .ko (repeatable)" })
      .option("objname", {
        type: "string",
        array: true,
        describe: "target object of every pair (vmlinux or a module name), or of one: PATH=MOD (repeatable)",
      })
      .option("only", {
        type: "string",
        array: true,
        describe:
          "only these objects of a tree run: tree-relative paths or globs (fs/ext4, 'drivers/**/*.o')",
      })
      .option("build-dir", {
        type: "string",
        describe: "the kernel's build directory (O=): its .mod files and vmlinux.a tell each object's home",
      })
      .option("kernel", { type: "string", describe: "kernel version: picks the lookup rule of its era" })
      .option("rule", { type: "string", choices: LOOKUP_RULES, describe: "lookup rule, instead of --kernel" })
      .option("symvers", { type: "string", describe: "Module.symvers: which symbols are exported" })
      .option("patch", {
        type: "string",
        array: true,
        describe:
          "the unified diff(s) the build applied (repeatable: a series): annotations point at the .c lines that changed each function; with two kernel build directories, changes outside their files are LTO's",
      })
      .option("format", {
        type: "string",
        choices: REPORT_FORMATS,
        default: "text",
        describe: "report format",
      })
      .option("out", { type: "string", describe: "write the report to this file (atomically)" })
      .option("report", {
        type: "string",
        array: true,
        describe: `FORMAT=FILE: one more report (repeatable; FILE - for stdout), FORMAT ${REPORT_FORMATS.join("|")}`,
      })
      .option("fail-on", {
        type: "string",
        default: "error",
        describe: "exit 1 when something at or above this severity is flagged (error|warning|info|none)",
      })
      .option("baseline", { type: "string", describe: "earlier JSON report: print a diff of the decisions" })
      .option("fail-on-change", {
        type: "boolean",
        describe: "with --baseline: exit 1 when a decision changed",
      })
      .option("live", {
        type: "boolean",
        describe: "the running kernel's /proc/kallsyms, and its release for the lookup rule",
      })
      .option("root", { type: "string", describe: "with --live: read the system under DIR instead of /" })
      .conflicts("kernel", "rule"),
  handler: (argv) =>
    runAction(async () => {
      const failOn = parseFailOn(argv["fail-on"]);
      const outputs = reportOutputs(argv.report, argv.format, argv.out);
      if (argv.live || argv.root !== undefined) {
        const live = await liveSymbolSources(argv.root ?? "/");
        argv.kallsyms ??= live.kallsyms;
        if (argv.rule === undefined && live.kernel !== null) argv.kernel ??= live.kernel;
      }
      if (argv.kallsyms === undefined && argv["system-map"] === undefined && argv.vmlinux === undefined) {
        throw InputError.usage("match", "give the kernel's symbols: --kallsyms, --system-map or --vmlinux");
      }
      if (argv["fail-on-change"] && argv.baseline === undefined) {
        throw InputError.usage("--fail-on-change", "needs --baseline");
      }
      const baseline =
        argv.baseline === undefined ? null : parseBaseline(await readInputText(argv.baseline), argv.baseline);
      const progress = progressBar();
      let report: MatchReport = await matchInputs({
        orig: argv.orig,
        patched: argv.patched,
        ...(argv.kallsyms !== undefined ? { kallsyms: argv.kallsyms } : {}),
        ...(argv["system-map"] !== undefined ? { systemMap: argv["system-map"] } : {}),
        ...(argv.vmlinux !== undefined ? { vmlinux: argv.vmlinux } : {}),
        ...(argv["module-file"] !== undefined ? { moduleFiles: argv["module-file"] } : {}),
        ...(argv.objname !== undefined ? { objname: argv.objname } : {}),
        ...(argv["build-dir"] !== undefined ? { buildDir: argv["build-dir"] } : {}),
        ...(argv.only !== undefined ? { only: argv.only } : {}),
        ...(argv.kernel !== undefined ? { kernel: argv.kernel } : {}),
        ...(argv.rule !== undefined ? { rule: argv.rule } : {}),
        ...(argv.symvers !== undefined ? { symvers: argv.symvers } : {}),
        ...(argv.patch !== undefined ? { patches: argv.patch } : {}),
        ...(progress !== undefined ? { onProgress: progress } : {}),
      });
      const comparison = baseline === null ? null : compareWithBaseline(baseline, report, argv.baseline!);
      if (comparison?.changed && argv["fail-on-change"]) {
        report = withBaselineChanged(report, comparison, argv.baseline!);
      }
      const final = report;
      await writeReports(outputs, (format, toTerminal) =>
        renderMatchReport(final, format, { failOn, color: toTerminal && useColor() }),
      );
      if (comparison !== null) {
        const text =
          comparison.diff === "" ? `decisions unchanged against ${argv.baseline}\n` : comparison.diff;
        // the diff goes to stdout unless a report is there already
        if (!toStdout(outputs)) process.stdout.write(text);
        else process.stderr.write(text);
      }
      const flagged = allFlags(report).some((f) => failsAt(f.severity, failOn));
      return flagged || (comparison?.changed === true && argv["fail-on-change"] === true)
        ? EXIT_FLAGGED
        : EXIT_OK;
    }),
};
