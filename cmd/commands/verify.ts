// klpmatch verify: checks a built livepatch module's targets (or a target list) against a kernel's
// symbols the way the kernel will when the patch loads.
import type { CommandModule } from "yargs";
import { cachedElfReader } from "../../elf/index.js";
import { InputError } from "../../lib/input-error.js";
import { readInputText } from "../../lib/input-files.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import {
  type LivepatchTargets,
  parseExpectReport,
  parseTargetList,
  readLivepatchTargets,
} from "../../lib/livepatch/index.js";
import { emitReport, parseFailOn, REPORT_FORMATS, type ReportFormat } from "../../lib/report/common.js";
import {
  buildVerifyReport,
  inputFile,
  renderVerifyReport,
  type VerifyInputFile,
  verifyFails,
} from "../../lib/report/verify-report.js";
import { chooseRule, LOOKUP_RULES, parseKernelVersion } from "../../lib/rules.js";
import { KLP_SYM_NAME_MAX, klpSymNameMax } from "../../matcher/sympos.js";
import {
  type ModuleFileFacts,
  moduleFileFacts,
  verifyTargets,
  vmlinuxCallSites,
} from "../../matcher/verify/index.js";
import { EXIT_FLAGGED, EXIT_OK, runAction } from "../exit.js";

interface VerifyArgs {
  patch?: string;
  targets?: string;
  kallsyms?: string;
  "system-map"?: string;
  vmlinux?: string;
  "module-file"?: string[];
  kernel?: string;
  rule?: string;
  expect?: string;
  format: string;
  "fail-on": string;
  out?: string;
  lenient?: boolean;
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
        describe: "match report (JSON): each target must reach the symbol it decided",
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
      .option("lenient", {
        type: "boolean",
        describe: "skip malformed symbol-table lines (counted) instead of failing",
      })
      .conflicts("kernel", "rule")
      .conflicts("patch", "targets"),
  handler: (argv) =>
    runAction(async () => {
      if (argv.patch === undefined && argv.targets === undefined) {
        throw new InputError("verify", "give a livepatch module (PATCH.ko) or --targets FILE");
      }
      if (argv.kallsyms === undefined && argv["system-map"] === undefined && argv.vmlinux === undefined) {
        throw new InputError(
          "verify",
          "give the target kernel's symbols: --kallsyms, --system-map or --vmlinux",
        );
      }
      const failOn = parseFailOn(argv["fail-on"]);
      const format = argv.format as ReportFormat;
      const inputs: VerifyInputFile[] = [];

      // each ELF file is read and parsed once: vmlinux serves the table and its ftrace call sites,
      // and the report hashes the bytes read
      const readElf = cachedElfReader();
      let targets: LivepatchTargets;
      if (argv.patch !== undefined) {
        const version = argv.kernel === undefined ? null : parseKernelVersion(argv.kernel);
        targets = readLivepatchTargets(await readElf(argv.patch), {
          nameMax: klpSymNameMax(version) ?? KLP_SYM_NAME_MAX,
        });
        inputs.push(await inputFile("livepatch", argv.patch, readElf.fileBytes(argv.patch)));
      } else {
        const path = argv.targets as string;
        targets = parseTargetList(path, await readInputText(path));
        inputs.push(await inputFile("targets", path));
      }

      const table = await loadKernelSymbols({
        readElf,
        ...(argv.kallsyms !== undefined ? { kallsyms: argv.kallsyms } : {}),
        ...(argv["system-map"] !== undefined ? { systemMap: argv["system-map"] } : {}),
        ...(argv.vmlinux !== undefined ? { vmlinux: argv.vmlinux } : {}),
        lenient: argv.lenient ?? false,
      });
      if (argv.kallsyms !== undefined) inputs.push(await inputFile("kallsyms", argv.kallsyms));
      if (argv["system-map"] !== undefined) inputs.push(await inputFile("system-map", argv["system-map"]));
      if (argv.vmlinux !== undefined) {
        inputs.push(await inputFile("vmlinux", argv.vmlinux, readElf.fileBytes(argv.vmlinux)));
      }

      // vmlinux's recorded ftrace call sites decide which functions ftrace can patch
      const vmlinuxCalls = argv.vmlinux === undefined ? null : vmlinuxCallSites(await readElf(argv.vmlinux));
      const modules: ModuleFileFacts[] = [];
      for (const ko of argv["module-file"] ?? []) {
        modules.push(moduleFileFacts(await readElf(ko)));
        inputs.push(await inputFile("module", ko, readElf.fileBytes(ko)));
      }
      const choice = chooseRule(table, {
        ...(argv.rule !== undefined ? { rule: argv.rule } : {}),
        ...(argv.kernel !== undefined ? { kernel: argv.kernel } : {}),
      });
      const expected =
        argv.expect === undefined
          ? undefined
          : parseExpectReport(argv.expect, await readInputText(argv.expect));
      if (argv.expect !== undefined) inputs.push(await inputFile("expect", argv.expect));

      const result = verifyTargets(targets, {
        table,
        choice,
        modules,
        vmlinuxCalls,
        ...(expected !== undefined ? { expected } : {}),
      });
      const report = buildVerifyReport(result, targets, table, inputs);
      await emitReport(renderVerifyReport(report, format, failOn), argv.out);
      return verifyFails(report, failOn) ? EXIT_FLAGGED : EXIT_OK;
    }),
};
