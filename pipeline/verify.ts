// The whole verify job, as `klpmatch verify` runs it: a livepatch module's targets (or a target
// list) read, checked against the kernel's symbols, and the report with every input's sha256.
import { type CachedElfReader, cachedElfReader } from "../elf/index.js";
import { InputError } from "../lib/input-error.js";
import { readInputText } from "../lib/input-files.js";
import { checkObjectArch, kernelArchOf } from "../lib/kernel-arch.js";
import { loadKernelSymbols, sourceReaders } from "../lib/kernel-symbols.js";
import {
  type ExpectedTarget,
  type LivepatchTargets,
  parseExpectReport,
  parseTargetList,
  readLivepatchTargets,
} from "../lib/livepatch/index.js";
import { type InputFile, inputFile } from "../lib/report/header.js";
import { buildVerifyReport, type VerifyReport } from "../lib/report/verify-report.js";
import { chooseRule, type LookupRule, parseKernelVersion } from "../lib/rules.js";
import { KLP_SYM_NAME_MAX, klpSymNameMax } from "../matcher/sympos.js";
import { type ModuleFileFacts, moduleFileFacts } from "../matcher/verify/module-file.js";
import { type PreviousFindings, previousChecks } from "../matcher/verify/previous.js";
import { verifyTargets } from "../matcher/verify/verify-targets.js";
import { vmlinuxCallSites } from "../matcher/verify/vmlinux-call-sites.js";

export interface VerifyPatchOptions {
  /** The built livepatch module (.ko); or `targets`. */
  readonly patch?: string;
  /** A target list (JSON, TSV `objname name sympos`, or a match report); or `patch`. */
  readonly targets?: string;
  readonly kallsyms?: string;
  readonly systemMap?: string;
  readonly vmlinux?: string;
  /** Target modules' .ko files, checked as they would be loaded. */
  readonly moduleFiles?: readonly string[];
  readonly kernel?: string;
  readonly rule?: LookupRule;
  /** Match reports (a series: every patch's) whose decisions every target must reach; a later one wins. */
  readonly expect?: string | readonly string[];
  /** The module this cumulative one replaces: every function it patched must still be patched. */
  readonly previous?: string;
  /** Functions of `previous` dropped on purpose (`name` or `objname:name`). */
  readonly dropped?: readonly string[];
  /** Skip malformed symbol-table lines (counted) instead of failing. */
  readonly lenient?: boolean;
}

export async function verifyPatch(opts: VerifyPatchOptions): Promise<VerifyReport> {
  if (opts.patch === undefined && opts.targets === undefined) {
    throw InputError.usage("verify", "give a livepatch module (PATCH.ko) or --targets FILE");
  }
  if (opts.kallsyms === undefined && opts.systemMap === undefined && opts.vmlinux === undefined) {
    throw InputError.usage(
      "verify",
      "give the target kernel's symbols: --kallsyms, --system-map or --vmlinux",
    );
  }
  const inputs: InputFile[] = [];
  // each ELF file is read and parsed once: vmlinux serves the table and its ftrace call sites, and
  // the report hashes the bytes read
  const readElf = cachedElfReader();
  let targets: LivepatchTargets;
  if (opts.patch !== undefined) {
    const version = opts.kernel === undefined ? null : parseKernelVersion(opts.kernel);
    targets = readLivepatchTargets(await readElf(opts.patch), {
      nameMax: klpSymNameMax(version) ?? KLP_SYM_NAME_MAX,
    });
    inputs.push(await inputFile("livepatch", opts.patch, readElf.fileBytes(opts.patch)));
  } else {
    const path = opts.targets as string;
    targets = parseTargetList(path, await readInputText(path));
    inputs.push(await inputFile("targets", path));
  }

  const table = await loadKernelSymbols({
    ...sourceReaders(readElf),
    ...(opts.kallsyms !== undefined ? { kallsyms: opts.kallsyms } : {}),
    ...(opts.systemMap !== undefined ? { systemMap: opts.systemMap } : {}),
    ...(opts.vmlinux !== undefined ? { vmlinux: opts.vmlinux } : {}),
    lenient: opts.lenient ?? false,
  });
  for (const [role, path] of [
    ["kallsyms", opts.kallsyms],
    ["system-map", opts.systemMap],
  ] as const) {
    if (path !== undefined) inputs.push(await inputFile(role, path, readElf.fileBytes(path)));
  }
  if (opts.vmlinux !== undefined) {
    inputs.push(await inputFile("vmlinux", opts.vmlinux, readElf.fileBytes(opts.vmlinux)));
  }

  // a livepatch built for another architecture than the kernel's (lib/kernel-arch.ts)
  if (opts.patch !== undefined) {
    const kernelSide = [...(opts.vmlinux !== undefined ? [opts.vmlinux] : []), ...(opts.moduleFiles ?? [])];
    checkObjectArch(await kernelArchOf(table, kernelSide, readElf), opts.patch, await readElf(opts.patch));
  }
  // vmlinux's recorded ftrace call sites decide which functions ftrace can patch
  const vmlinuxCalls = opts.vmlinux === undefined ? null : vmlinuxCallSites(await readElf(opts.vmlinux));
  const modules: ModuleFileFacts[] = [];
  for (const ko of opts.moduleFiles ?? []) {
    modules.push(moduleFileFacts(await readElf(ko)));
    inputs.push(await inputFile("module", ko, readElf.fileBytes(ko)));
  }
  const choice = chooseRule(table, {
    ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
  });
  const expects =
    opts.expect === undefined ? [] : typeof opts.expect === "string" ? [opts.expect] : opts.expect;
  const series: ExpectedTarget[][] = [];
  for (const path of expects) {
    series.push(parseExpectReport(path, await readInputText(path)));
    inputs.push(await inputFile("expect", path));
  }
  // a later report of the series decides for a target that an earlier one names too
  const expected = expects.length === 0 ? undefined : series.reverse().flat();
  const previous =
    opts.previous === undefined ? null : await previousFindings(opts, targets, readElf, inputs);

  const result = verifyTargets(targets, {
    table,
    choice,
    modules,
    vmlinuxCalls,
    ...(expected !== undefined ? { expected } : {}),
  });
  const withPrevious =
    previous === null
      ? result
      : {
          ...result,
          flags: [...result.flags, ...previous.flags],
          notes: [...result.notes, ...previous.notes],
        };
  return buildVerifyReport(withPrevious, targets, table, inputs);
}

async function previousFindings(
  opts: VerifyPatchOptions,
  targets: LivepatchTargets,
  readElf: CachedElfReader,
  inputs: InputFile[],
): Promise<PreviousFindings> {
  const path = opts.previous as string;
  // a module (.ko, compressed too), or its target list
  const elf = /\.(ko|o)(\.(xz|zst|gz))?$/.test(path);
  const old = elf
    ? readLivepatchTargets(await readElf(path), { nameMax: KLP_SYM_NAME_MAX })
    : parseTargetList(path, await readInputText(path));
  inputs.push(await inputFile("previous", path, elf ? readElf.fileBytes(path) : undefined));
  return previousChecks(targets.targets, old.targets, path, opts.dropped ?? []);
}
