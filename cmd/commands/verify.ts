// klpmatch verify: checks a built livepatch module's targets (or a target list) against a kernel's
// symbols the way the kernel will when the patch loads.
import type { CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { parseFailOn, REPORT_FORMATS } from "../../lib/report/common.js";
import { renderVerifyReport } from "../../lib/report/verify-render.js";
import { verifyFails } from "../../lib/report/verify-report.js";
import { LOOKUP_RULES, type LookupRule } from "../../lib/rules.js";
import { verifyLive } from "../../pipeline/live.js";
import { verifyPatch } from "../../pipeline/verify.js";
import { EXIT_FLAGGED, EXIT_OK, runAction } from "../exit.js";
import { reportOutputs, writeReports } from "../report-outputs.js";

interface VerifyArgs {
  patch?: string;
  targets?: string;
  kallsyms?: string;
  "system-map"?: string;
  vmlinux?: string;
  "module-file"?: string[];
  kernel?: string;
  rule?: string;
  expect?: string[];
  previous?: string;
  dropped?: string[];
  format: string;
  "fail-on": string;
  out?: string;
  report?: string[];
  lenient?: boolean;
  live?: boolean;
  root?: string;
  "allow-revert"?: boolean;
  "loaded-patch"?: string[];
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: "verify [patch]",
  describe:
    "Check a livepatch module's targets (or a target list) against a kernel's symbols before loading it",
  builder: (y) =>
    y
      .positional("patch", { type: "string", describe: "livepatch module (.ko, .o; .ko.xz/.zst/.gz ok)" })
      .option("targets", {
        type: "string",
        describe:
          "targets instead of a module: JSON [{objname, oldName, oldSympos}], a match report, or TSV 'objname name sympos'",
      })
      .option("kallsyms", {
        type: "string",
        describe: "/proc/kallsyms text of the target kernel (or - for stdin)",
      })
      .option("system-map", { type: "string", describe: "System.map of the target kernel (vmlinux only)" })
      .option("vmlinux", { type: "string", describe: "vmlinux ELF of the target kernel" })
      .option("module-file", {
        type: "string",
        array: true,
        describe:
          "target module .ko (repeatable): checks targets of modules not loaded, and their init symbols",
      })
      .option("kernel", { type: "string", describe: "kernel version, picks the lookup rule of its era" })
      .option("rule", { type: "string", choices: LOOKUP_RULES, describe: "lookup rule, overrides --kernel" })
      .option("expect", {
        type: "string",
        array: true,
        describe:
          "match report (JSON): each target must reach the symbol it decided (repeatable: every report of a series; a later one wins)",
      })
      .option("previous", {
        type: "string",
        describe:
          "the livepatch module (or its target list) this cumulative one replaces: flag each function it patched that this one does not, or at another sympos",
      })
      .option("dropped", {
        type: "string",
        array: true,
        describe: "with --previous: functions dropped on purpose (NAME or OBJNAME:NAME, repeatable)",
      })
      .option("format", {
        type: "string",
        choices: REPORT_FORMATS,
        default: "text",
        describe: "report format",
      })
      .option("fail-on", {
        type: "string",
        choices: ["error", "warning", "info", "none"],
        default: "error",
        describe: "exit 1 when something of this severity or worse is flagged",
      })
      .option("out", {
        type: "string",
        describe: "write the report to this file (atomically) instead of stdout",
      })
      .option("report", {
        type: "string",
        array: true,
        describe: `FORMAT=FILE: one more report (repeatable; FILE - for stdout), FORMAT ${REPORT_FORMATS.join("|")}`,
      })
      .option("lenient", {
        type: "boolean",
        describe: "skip malformed symbol-table lines (counted) instead of failing",
      })
      .option("live", {
        type: "boolean",
        describe:
          "check against the running system: /proc/kallsyms, osrelease, /proc/modules, /sys/kernel/livepatch, tracefs, /lib/modules",
      })
      .option("root", {
        type: "string",
        describe: "with --live: read the system under DIR instead of / (a snapshot)",
      })
      .option("allow-revert", {
        type: "boolean",
        describe: "with --live: an atomic-replace patch may revert loaded patches' functions",
      })
      .option("loaded-patch", {
        type: "string",
        array: true,
        describe: "with --live: .ko of a loaded livepatch (repeatable), for its exact old_sympos",
      })
      .conflicts("kernel", "rule")
      .conflicts("patch", "targets"),
  handler: (argv) =>
    runAction(async () => {
      const failOn = parseFailOn(argv["fail-on"]);
      const outputs = reportOutputs(argv.report, argv.format, argv.out);
      const live = argv.live === true || argv.root !== undefined;
      refuseOtherMode(argv, live);
      if (live) {
        const live = await verifyLiveArgs(argv);
        await writeReports(outputs, (format) => renderVerifyReport(live, format, failOn));
        return verifyFails(live, failOn) ? EXIT_FLAGGED : EXIT_OK;
      }
      if (argv.dropped !== undefined && argv.previous === undefined) {
        throw InputError.usage("--dropped", "needs --previous");
      }
      const report = await verifyPatch({
        ...(argv.patch !== undefined ? { patch: argv.patch } : {}),
        ...(argv.targets !== undefined ? { targets: argv.targets } : {}),
        ...(argv.kallsyms !== undefined ? { kallsyms: argv.kallsyms } : {}),
        ...(argv["system-map"] !== undefined ? { systemMap: argv["system-map"] } : {}),
        ...(argv.vmlinux !== undefined ? { vmlinux: argv.vmlinux } : {}),
        ...(argv["module-file"] !== undefined ? { moduleFiles: argv["module-file"] } : {}),
        ...(argv.kernel !== undefined ? { kernel: argv.kernel } : {}),
        ...(argv.rule !== undefined ? { rule: argv.rule as LookupRule } : {}),
        ...(argv.expect !== undefined ? { expect: argv.expect } : {}),
        ...(argv.previous !== undefined ? { previous: argv.previous } : {}),
        ...(argv.dropped !== undefined ? { dropped: argv.dropped } : {}),
        lenient: argv.lenient ?? false,
      });
      await writeReports(outputs, (format) => renderVerifyReport(report, format, failOn));
      return verifyFails(report, failOn) ? EXIT_FLAGGED : EXIT_OK;
    }),
};

/** Options of the other mode (--live or not) are refused, not silently dropped. */
function refuseOtherMode(argv: VerifyArgs, live: boolean): void {
  const given = live
    ? (["targets", "expect", "previous", "dropped"] as const).find((o) => argv[o] !== undefined)
    : (["allow-revert", "loaded-patch"] as const).find((o) => argv[o] !== undefined);
  if (given === undefined) return;
  throw InputError.usage(`--${given}`, live ? "is not read with --live" : "is read only with --live");
}

function verifyLiveArgs(argv: VerifyArgs) {
  if (argv.patch === undefined)
    throw InputError.usage("verify --live", "give the livepatch module (PATCH.ko)");
  return verifyLive({
    patch: argv.patch,
    root: argv.root ?? "/",
    ...(argv.kallsyms !== undefined ? { kallsyms: argv.kallsyms } : {}),
    ...(argv["system-map"] !== undefined ? { systemMap: argv["system-map"] } : {}),
    ...(argv.vmlinux !== undefined ? { vmlinux: argv.vmlinux } : {}),
    ...(argv["module-file"] !== undefined ? { moduleFiles: argv["module-file"] } : {}),
    ...(argv["loaded-patch"] !== undefined ? { loadedPatchFiles: argv["loaded-patch"] } : {}),
    ...(argv.kernel !== undefined ? { kernel: argv.kernel } : {}),
    ...(argv.rule !== undefined ? { rule: argv.rule as LookupRule } : {}),
    allowRevert: argv["allow-revert"] ?? false,
    lenient: argv.lenient ?? false,
  });
}
