// verify --live: a livepatch module checked against the system it is about to be loaded on — the
// kernel's symbols, release and modules, the livepatches it has loaded, what ftrace can attach to,
// signature enforcement and lockdown — read under a root directory ("/" for this host).
import { type CachedElfReader, cachedElfReader } from "../elf/index.js";
import type { ElfFile } from "../elf/types.js";
import type { Flag } from "../lib/flags.js";
import { InputError } from "../lib/input-error.js";
import { loadKernelSymbols, sourceReaders } from "../lib/kernel-symbols.js";
import { type KernelTable, VMLINUX } from "../lib/kernel-table.js";
import {
  type LiveRead,
  LiveRoot,
  type LiveSystem,
  PROC_KALLSYMS,
  readError,
  readLiveSystem,
  readRelease,
} from "../lib/live/index.js";
import { type LivepatchTargets, readLivepatchTargets } from "../lib/livepatch/index.js";
import { klpPatchReplace, moduleIdentity, vermagicFromConfig } from "../lib/livepatch/modinfo.js";
import { type InputFile, inputFile } from "../lib/report/header.js";
import { buildVerifyReport, type VerifyReport } from "../lib/report/verify-report.js";
import type { PatchPrediction, TargetVerdict, VerifyResult } from "../lib/report/verify-types.js";
import { chooseRule, type LookupRule, parseKernelVersion } from "../lib/rules.js";
import { KLP_SYM_NAME_MAX, klpSymNameMax } from "../matcher/sympos.js";
import { checkLoadedPatches, exactKey } from "../matcher/verify/live-checks.js";
import {
  alreadyLoaded,
  checkModuleGate,
  ftraceListCheck,
  noTargetsFlag,
} from "../matcher/verify/live-module-checks.js";
import { type ModuleFileFacts, moduleFileFacts } from "../matcher/verify/module-file.js";
import { duplicateFlags } from "../matcher/verify/object-checks.js";
import { predict } from "../matcher/verify/predict.js";
import { noFtraceLocation } from "../matcher/verify/refusal.js";
import { verifyTargets } from "../matcher/verify/verify-targets.js";
import { liveFileFlags } from "./live-files.js";

export interface VerifyLiveOptions {
  /** The built livepatch module (.ko, .ko.xz …). */
  readonly patch: string;
  /** Where the live system's files are read: "/" (default) or a snapshot directory. */
  readonly root?: string;
  /** Instead of <root>/proc/kallsyms (e.g. a light snapshot without it). */
  readonly kallsyms?: string;
  readonly systemMap?: string;
  readonly vmlinux?: string;
  /** Target modules' .ko files, in addition to those found in <root>/lib/modules/<release>. */
  readonly moduleFiles?: readonly string[];
  /** .ko files of loaded livepatches: their exact old_sympos (sysfs shows 0 as 1). */
  readonly loadedPatchFiles?: readonly string[];
  readonly kernel?: string;
  readonly rule?: LookupRule;
  /** An atomic-replace patch may revert loaded patches' functions (REPLACE_REVERTS is info). */
  readonly allowRevert?: boolean;
  readonly lenient?: boolean;
  /** An already-read system (tests, snapshot). */
  readonly system?: LiveSystem;
}

/** The kernel's symbols: the files given, else the live /proc/kallsyms (required). */
async function liveTable(
  opts: VerifyLiveOptions,
  sys: LiveSystem,
  readElf: CachedElfReader,
): Promise<KernelTable> {
  if (opts.kallsyms !== undefined || opts.systemMap !== undefined || opts.vmlinux !== undefined) {
    return loadKernelSymbols({
      ...sourceReaders(readElf),
      ...(opts.kallsyms !== undefined ? { kallsyms: opts.kallsyms } : {}),
      ...(opts.systemMap !== undefined ? { systemMap: opts.systemMap } : {}),
      ...(opts.vmlinux !== undefined ? { vmlinux: opts.vmlinux } : {}),
      lenient: opts.lenient ?? false,
    });
  }
  if (!sys.kallsyms.ok) {
    throw new InputError(
      sys.kallsyms.path,
      `${sys.kallsyms.reason}: verify --live needs the kernel's symbols (or give --kallsyms, --system-map or --vmlinux)`,
    );
  }
  return sys.kallsyms.value;
}

/** Target modules not loaded now: their .ko from modules.dep, plus the files given. */
async function targetModuleFacts(
  opts: VerifyLiveOptions,
  sys: LiveSystem,
  targets: LivepatchTargets,
  table: KernelTable,
  readElf: CachedElfReader,
  inputs: InputFile[],
  notes: string[],
): Promise<ModuleFileFacts[]> {
  const out: ModuleFileFacts[] = [];
  for (const ko of opts.moduleFiles ?? []) {
    out.push(moduleFileFacts(await readElf(ko)));
    inputs.push(await inputFile("module", ko, readElf.fileBytes(ko)));
  }
  const given = new Set(out.map((m) => m.objname));
  for (const objname of new Set(targets.objects)) {
    if (objname === VMLINUX || table.objects.has(objname) || given.has(objname)) continue;
    const dir = sys.modulesDir;
    const rel = dir?.ok ? dir.value.files.get(objname) : undefined;
    if (rel === undefined) {
      notes.push(
        `${objname} is not loaded and its .ko was not found (${dir === null ? "the release is unknown" : dir.ok ? `not in ${dir.path}` : readError(dir)}): give --module-file`,
      );
      continue;
    }
    const path = sys.root.shown(rel);
    sys.root.noteRead(rel);
    out.push(moduleFileFacts(await readElf(path)));
    inputs.push(await inputFile("module", path));
    notes.push(
      `${objname} is not loaded: checked against ${path} (from modules.dep), its init-time symbol list, as when it loads`,
    );
  }
  return out;
}

/** Exact old_sympos of loaded patches' functions, from their .ko files (given, or in modules.dep). */
async function loadedExact(
  opts: VerifyLiveOptions,
  sys: LiveSystem,
  readElf: (p: string) => Promise<ElfFile>,
  inputs: InputFile[],
): Promise<Map<string, number>> {
  const exact = new Map<string, number>();
  const loaded = sys.livepatches.ok ? sys.livepatches.value : [];
  const files = [...(opts.loadedPatchFiles ?? [])];
  const dir = sys.modulesDir;
  for (const p of loaded) {
    const rel = dir?.ok ? dir.value.files.get(p.name) : undefined;
    if (rel !== undefined) {
      sys.root.noteRead(rel);
      files.push(sys.root.shown(rel));
    }
  }
  for (const path of files) {
    const elf = await readElf(path);
    const t = readLivepatchTargets(elf);
    if (t.moduleName === null || !loaded.some((p) => p.name === t.moduleName)) continue;
    inputs.push(await inputFile("loaded-patch", path));
    for (const target of t.targets) {
      if (target.role !== "function") continue;
      const sysfs = target.oldSympos === 0 ? 1 : target.oldSympos;
      exact.set(exactKey(t.moduleName, target.objname, target.oldName, sysfs), target.oldSympos);
    }
  }
  return exact;
}

export async function verifyLive(opts: VerifyLiveOptions): Promise<VerifyReport> {
  const sys = opts.system ?? (await readLiveSystem(opts.root ?? "/"));
  const readElf = cachedElfReader();
  const inputs: InputFile[] = [];
  const notes: string[] = [];
  const release = sys.release.ok ? sys.release.value : null;
  const kernel =
    opts.kernel ?? (release !== null && parseKernelVersion(release) !== null ? release : undefined);
  const version = kernel === undefined ? null : parseKernelVersion(kernel);

  const elf = await readElf(opts.patch);
  const targets = readLivepatchTargets(elf, { nameMax: klpSymNameMax(version) ?? KLP_SYM_NAME_MAX });
  inputs.push(await inputFile("livepatch", opts.patch, readElf.fileBytes(opts.patch)));
  const table = await liveTable(opts, sys, readElf);
  for (const [role, path] of [
    ["kallsyms", opts.kallsyms],
    ["system-map", opts.systemMap],
    ["vmlinux", opts.vmlinux],
  ] as const) {
    if (path !== undefined) inputs.push(await inputFile(role, path, readElf.fileBytes(path)));
  }
  const modules = await targetModuleFacts(opts, sys, targets, table, readElf, inputs, notes);
  const choice = chooseRule(table, {
    ...(opts.rule !== undefined ? { rule: opts.rule } : kernel !== undefined ? { kernel } : {}),
  });
  if (opts.kernel === undefined && opts.rule === undefined && kernel !== undefined) {
    notes.push(`lookup rule from the running release ${kernel} (${sys.release.path})`);
  }
  const base = verifyTargets(targets, { table, choice, modules, vmlinuxCalls: null });
  const result = applyLive(base, sys, targets, table, {
    identity: moduleIdentity(elf),
    replace: klpPatchReplace(elf),
    exact: await loadedExact(opts, sys, readElf, inputs),
    allowRevert: opts.allowRevert ?? false,
    release,
    kernelMagic: await kernelMagic(sys, release, readElf),
    usesLiveKallsyms:
      opts.kallsyms === undefined && opts.systemMap === undefined && opts.vmlinux === undefined,
  });
  for (const rel of sys.root.filesRead) {
    if (!rel.endsWith(".ko") && !/\.ko\.(xz|zst|gz)$/.test(rel))
      inputs.push(await inputFile("live", sys.root.shown(rel)));
  }
  return buildVerifyReport({ ...result, notes: [...result.notes, ...notes] }, targets, table, inputs);
}

interface LiveExtras {
  readonly identity: ReturnType<typeof moduleIdentity>;
  readonly replace: readonly boolean[];
  readonly exact: ReadonlyMap<string, number>;
  readonly allowRevert: boolean;
  readonly release: string | null;
  readonly usesLiveKallsyms: boolean;
  readonly kernelMagic: { text: string; from: string } | null;
}

/** The running kernel's vermagic: from its config, else from a module installed for it (modules.dep). */
async function kernelMagic(
  sys: LiveSystem,
  release: string | null,
  readElf: CachedElfReader,
): Promise<{ text: string; from: string } | null> {
  if (release === null) return null;
  if (sys.config.ok) return { text: vermagicFromConfig(release, sys.config.value), from: sys.config.path };
  const dir = sys.modulesDir;
  const rel = dir?.ok ? dir.value.files.values().next().value : undefined;
  if (rel === undefined) return null;
  try {
    const magic = moduleIdentity(await readElf(sys.root.shown(rel))).vermagic;
    if (magic === null) return null;
    sys.root.noteRead(rel);
    return { text: magic, from: `${sys.root.shown(rel)}, a module installed for ${release}` };
  } catch {
    return null;
  }
}

/** verify's result with the live findings: flags, ftrace refusals from the filter list, and the prediction. */
function applyLive(
  base: VerifyResult,
  sys: LiveSystem,
  targets: LivepatchTargets,
  table: KernelTable,
  x: LiveExtras,
): VerifyResult {
  const flags: Flag[] = [...base.flags];
  const notes: string[] = [...base.notes];
  const fileFindings = liveFileFlags(sys, x.usesLiveKallsyms, targets.moduleName ?? "?");
  flags.push(...fileFindings.flags);
  notes.push(...fileFindings.notes);
  const noTargets = noTargetsFlag(targets.targets);
  if (noTargets !== null) {
    const i = flags.findIndex((f) => f.code === "NO_TARGETS");
    if (i >= 0) flags.splice(i, 1, noTargets);
    else flags.push(noTargets);
  }
  const gate = checkModuleGate({
    identity: x.identity,
    release: x.release,
    kernelMagic: x.kernelMagic,
    sigEnforce: sys.sigEnforce.ok ? sys.sigEnforce.value : null,
    lockdown: sys.lockdown.ok ? sys.lockdown.value : null,
  });
  flags.push(...gate.flags);
  notes.push(...gate.notes);
  const dup = sys.modules.ok ? alreadyLoaded(x.identity.name, sys.modules.value) : null;
  if (dup !== null) flags.push(dup.flag);
  const replace = x.replace.length === 0 ? null : x.replace.includes(true);
  const loaded = checkLoadedPatches(targets, base.verdicts, {
    loaded: sys.livepatches.ok ? sys.livepatches.value : [],
    exact: x.exact,
    replace,
    allowRevert: x.allowRevert,
    table,
    rule: base.rule.rule,
  });
  flags.push(...loaded.flags);
  notes.push(...loaded.notes);
  const verdicts = base.verdicts.map((v): TargetVerdict => {
    const more = [...(loaded.targetFlags.get(v.target) ?? [])];
    let kernelMessage = v.kernelMessage;
    // an already-patched function has its klp_ops: klp_patch_func() does not look for ftrace again
    // (the list is evidence too where another check already predicts ftrace's refusal)
    const ftraceOnly = kernelMessage === null || kernelMessage === noFtraceLocation(v.target.oldName);
    if (sys.filters.ok && ftraceOnly && !loaded.stacked.has(v.target)) {
      const f = ftraceListCheck(v, table.objects.get(v.target.objname), sys.filters.value);
      if (f !== null) {
        more.push(f.flag);
        kernelMessage ??= f.message;
      }
    }
    return more.length === 0 ? v : { ...v, kernelMessage, flags: [...v.flags, ...more] };
  });
  let patch = predict(verdicts, targets, table, duplicateFlags(targets.targets, targets.moduleName));
  const first = fileFindings.noModules ?? gate.refusal ?? dup?.refusal ?? fileFindings.noLivepatch;
  patch = withLiveRefusals(patch, first, loaded.refusals);
  return { ...base, verdicts, patch, flags, notes };
}

/** The live refusals in the kernel's order: insmod's checks first, then enable (duplicate nop, busy). */
function withLiveRefusals(
  patch: PatchPrediction,
  gate: string | null,
  refusals: readonly { message: string; at: string; kind: "duplicate" | "busy" }[],
): PatchPrediction {
  const refused = (message: string, at: string, stage: PatchPrediction["stage"]): PatchPrediction => ({
    ...patch,
    result: "refused",
    kernelMessage: message,
    at,
    stage,
  });
  // kernel/module/main.c load_module(): signature, check_modinfo's vermagic, a module of the same
  // name, then the module's undefined symbols (klp_enable_patch), before relocations
  if (gate !== null) return refused(gate, "module", "load");
  if (patch.stage === "load" || patch.stage === "resolve") return patch;
  // klp_init_patch(): the nops' sysfs entries; then __klp_enable_patch(): -EBUSY in transition
  const dup = refusals.find((r) => r.kind === "duplicate");
  if (dup !== undefined) return refused(dup.message, dup.at, "resolve");
  const busy = refusals.find((r) => r.kind === "busy");
  if (busy !== undefined) return refused(busy.message, busy.at, "resolve");
  return patch;
}

export type { LiveRead };
export { readLiveSystem };

/**
 * match --live: the running kernel's symbols and release as match's inputs — <root>/proc/kallsyms
 * and, for the lookup rule, <root>/proc/sys/kernel/osrelease.
 */
export async function liveSymbolSources(root: string): Promise<{ kallsyms: string; kernel: string | null }> {
  const sys = new LiveRoot(root);
  const kallsyms = await sys.bytes(PROC_KALLSYMS);
  if (!kallsyms.ok)
    throw new InputError(kallsyms.path, `${kallsyms.reason}: --live needs the kernel's symbols`);
  const release = await readRelease(sys);
  const kernel = release.ok && parseKernelVersion(release.value) !== null ? release.value : null;
  return { kallsyms: kallsyms.path, kernel };
}
