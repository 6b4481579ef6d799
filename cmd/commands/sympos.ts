// klpmatch sympos NAME: the candidates of a name in the kernel's symbols and the
// (old_name, old_sympos) reaching each; --address/--line picks one and verifies its pair.
import type { CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import { renderSymposReport } from "../../lib/report/sympos-render.js";
import { chooseRule, LOOKUP_RULES } from "../../lib/rules.js";
import { symposReport } from "../../matcher/sympos.js";
import { EXIT_FLAGGED, EXIT_OK, runAction } from "../exit.js";

interface SymposArgs {
  name: string;
  kallsyms?: string;
  "system-map"?: string;
  vmlinux?: string;
  "module-file"?: string[];
  "module-init"?: boolean;
  objname?: string;
  kernel?: string;
  rule?: string;
  json?: boolean;
  address?: string;
  line?: number;
  lenient?: boolean;
}

function parseAddress(text: string): bigint {
  const hex = text.trim().replace(/^0x/i, "");
  if (!/^[0-9a-f]{1,16}$/i.test(hex))
    throw InputError.usage("--address", `not a hexadecimal address: '${text}'`);
  return BigInt(`0x${hex}`);
}

export const symposCommand: CommandModule<object, SymposArgs> = {
  command: "sympos <name>",
  describe: "List the kernel symbols a livepatch old_name could mean, with the old_sympos for each",
  builder: (y) =>
    y
      .positional("name", { type: "string", demandOption: true, describe: "symbol name (old_name)" })
      .option("kallsyms", {
        type: "string",
        requiresArg: true,
        describe: "/proc/kallsyms text (or - for stdin; gzip ok)",
      })
      .option("system-map", { type: "string", describe: "System.map (vmlinux only)" })
      .option("vmlinux", { type: "string", describe: "vmlinux ELF" })
      .option("module-file", { type: "string", array: true, describe: "module .ko / .ko.xz (repeatable)" })
      .option("module-init", {
        type: "boolean",
        describe: "use a module file's init-time symbol list (target loads after the patch)",
      })
      .option("objname", { type: "string", describe: "only this object (vmlinux or a module name)" })
      .option("kernel", { type: "string", describe: "kernel version, picks the lookup rule of its era" })
      .option("rule", { type: "string", choices: LOOKUP_RULES, describe: "lookup rule, overrides --kernel" })
      .option("json", { type: "boolean", describe: "JSON output" })
      .option("address", { type: "string", describe: "select the candidate at this address and verify it" })
      .option("line", { type: "number", describe: "select the candidate on this line of the table" })
      .option("lenient", { type: "boolean", describe: "skip malformed lines (counted) instead of failing" })
      .conflicts("kernel", "rule")
      .conflicts("address", "line"),
  handler: (argv) =>
    runAction(async () => {
      if (
        argv.kallsyms === undefined &&
        argv["system-map"] === undefined &&
        argv.vmlinux === undefined &&
        (argv["module-file"] ?? []).length === 0
      ) {
        throw InputError.usage(
          "sympos",
          "give a symbol source: --kallsyms, --system-map, --vmlinux or --module-file",
        );
      }
      if (argv.line !== undefined && (!Number.isInteger(argv.line) || argv.line < 1)) {
        throw InputError.usage("--line", `not a line number: ${argv.line}`);
      }
      const address = argv.address === undefined ? undefined : parseAddress(argv.address);
      const table = await loadKernelSymbols({
        ...(argv.kallsyms !== undefined ? { kallsyms: argv.kallsyms } : {}),
        ...(argv["system-map"] !== undefined ? { systemMap: argv["system-map"] } : {}),
        ...(argv.vmlinux !== undefined ? { vmlinux: argv.vmlinux } : {}),
        moduleFiles: argv["module-file"] ?? [],
        moduleList: argv["module-init"] ? "init" : "core",
        lenient: argv.lenient ?? false,
      });
      const choice = chooseRule(table, {
        ...(argv.rule !== undefined ? { rule: argv.rule } : {}),
        ...(argv.kernel !== undefined ? { kernel: argv.kernel } : {}),
      });
      const report = symposReport(table, argv.name, {
        choice,
        ...(argv.objname !== undefined ? { objname: argv.objname } : {}),
        ...(address !== undefined ? { address } : {}),
        ...(argv.line !== undefined ? { line: argv.line } : {}),
      });
      process.stdout.write(renderSymposReport(report, argv.json ? "json" : "text"));
      const ok = report.candidates.length > 0 && (report.selected === null || report.selected.verified);
      return ok ? EXIT_OK : EXIT_FLAGGED;
    }),
};
