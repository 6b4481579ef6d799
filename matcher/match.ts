// The `match` pipeline: diff each orig/patched object pair, find each changed function's kernel
// symbol with evidence, emit the (objname, old_name, old_sympos) that resolve() confirms, and the
// .klp.sym references — all as one report value.
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { cachedElfReader, readElfFile } from "../elf/index.js";
import type { ElfFile } from "../elf/types.js";
import { type Flag, worstSeverity } from "../lib/flags.js";
import { InputError } from "../lib/input-error.js";
import { bytesSha256, inputSha256, pairTreeObjects, readInputFile, toolVersion } from "../lib/input-files.js";
import { checkObjectArch, kernelArchOf } from "../lib/kernel-arch.js";
import { type KernelSymbolSources, loadKernelSymbols } from "../lib/kernel-symbols.js";
import type { KernelObject, KernelTable } from "../lib/kernel-table.js";
import { readModuleObjects } from "../lib/module-symbols.js";
import { buildModuleFiles, homeResolver } from "../lib/object-homes.js";
import { raise } from "../lib/report/flag-codes.js";
import {
  type FunctionReport,
  type InputFile,
  MATCH_SCHEMA_VERSION,
  type MatchReport,
  type MatchSummary,
  type ObjectReport,
  type ObjectVerdict,
  type ReferenceReport,
} from "../lib/report/match-report.js";
import { chooseRule, parseKernelVersion, type RuleChoice } from "../lib/rules.js";
import { readSymvers, type Symvers } from "../lib/symvers.js";
import { diffObjects, type FunctionChange, type ObjectDiff } from "./diff.js";
import {
  type FileBlock,
  type IdentifyContext,
  identify,
  moduleFileBlocks,
  profileObject,
  type TargetView,
  targetView,
} from "./evidence.js";
import { selectOnly } from "./only-filter.js";
import { objectReferences, tableKnowsExports } from "./references.js";
import { branchSlack } from "./size-slack.js";
import { klpSymNameMax } from "./sympos.js";
import { matchUnpaired } from "./unpaired-objects.js";
import { vmlinuxEvidence } from "./vmlinux-evidence.js";

export interface MatchOptions {
  /** An orig object file, or the orig build tree. */
  readonly orig: string;
  /** The patched object file, or the patched build tree. */
  readonly patched: string;
  readonly kallsyms?: string;
  readonly systemMap?: string;
  readonly vmlinux?: string;
  readonly moduleFiles?: readonly string[];
  /** Target object of every pair (`MOD`) or of one (`PATH=MOD`), overriding the build's records. */
  readonly objname?: string | readonly string[];
  /** Only these objects of a tree run: tree-relative paths or globs (matcher/only-filter.ts). */
  readonly only?: readonly string[];
  /** The kernel's build directory (O=): its .mod files, vmlinux.a and .cmd files give each object's home. */
  readonly buildDir?: string;
  readonly kernel?: string;
  readonly rule?: string;
  readonly symvers?: string;
  /** A table loaded already (library use); the sources above are then only recorded. */
  readonly table?: KernelTable;
  readonly onProgress?: (done: number, total: number, current: string) => void;
}

interface ObjectPair {
  readonly orig: string;
  readonly patched: string;
  /** Path relative to the tree root (or the file name for a single pair). */
  readonly relative: string;
}

export interface TreePairs {
  readonly pairs: readonly ObjectPair[];
  readonly onlyOrig: readonly string[];
  readonly onlyPatched: readonly string[];
}

/** Pairs the objects of two trees by relative path; byte-identical pairs are left out. */
export async function pairTrees(origDir: string, patchedDir: string): Promise<TreePairs> {
  const { both, onlyOrig, onlyPatched } = await pairTreeObjects(origDir, patchedDir);
  const pairs: ObjectPair[] = [];
  for (const rel of both) {
    const a = join(origDir, rel);
    const b = join(patchedDir, rel);
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    if (sa.size === sb.size && (await readInputFile(a)).equals(await readInputFile(b))) continue;
    pairs.push({ orig: a, patched: b, relative: rel });
  }
  return { pairs, onlyOrig, onlyPatched };
}

function objectVerdict(
  diff: ObjectDiff,
  functions: readonly FunctionReport[],
  flags: readonly Flag[],
): ObjectVerdict {
  if (diff.verdict === "unsupported") return "unsupported";
  if (diff.changed.length === 0 && diff.new.length === 0) return "no-change";
  const all = [...flags, ...functions.flatMap((f) => f.flags)];
  if (all.some((f) => f.severity === "error" && f.code !== "AMBIGUOUS")) return "failed";
  if (functions.some((f) => f.decision === "ambiguous")) return "ambiguous";
  return "matched";
}

function changeReport(change: FunctionChange, status: FunctionReport["status"]) {
  return {
    name: change.name,
    patchedName: change.patchedName,
    status,
    size: `0x${change.size.toString(16)}`,
    bind: change.bind,
    reasons: [...change.reasons],
  };
}

interface RunContext {
  readonly table: KernelTable;
  readonly choice: RuleChoice;
  readonly views: Map<string, TargetView | null>;
  readonly blocks: ReadonlyMap<string, FileBlock> | null;
  readonly moduleBlocks: ReadonlyMap<string, ReadonlyMap<number, FileBlock> | null>;
  readonly initLists: ReadonlyMap<string, KernelObject>;
  readonly symvers: Symvers | null;
  /** The longest .klp.sym name the kernel parses, when --kernel tells its version. */
  readonly klpSymNameMax: number | null;
}

function viewOf(run: RunContext, objname: string): TargetView | null {
  let view = run.views.get(objname);
  if (view === undefined) {
    const obj = run.table.objects.get(objname);
    view = obj === undefined ? null : targetView(obj);
    run.views.set(objname, view);
  }
  return view;
}

function identifyContext(run: RunContext, elf: ElfFile): IdentifyContext {
  return {
    table: run.table,
    rule: run.choice.rule,
    profile: profileObject(elf),
    view: (o) => viewOf(run, o),
    blocks: run.blocks,
    moduleBlocks: run.moduleBlocks,
    initLists: run.initLists,
    klpSymNameMax: run.klpSymNameMax,
  };
}

/** Matches one object pair whose ELF files are read already. */
function matchObject(
  run: RunContext,
  pair: ObjectPair,
  origElf: ElfFile,
  diff: ObjectDiff,
  objname: string,
  objnameFrom: string,
  objnameAssumed: boolean,
): { object: ObjectReport; references: ReferenceReport[] } {
  const profile = profileObject(origElf);
  const ctx = identifyContext(run, origElf);
  const flags: Flag[] = [];
  if (objnameAssumed) {
    flags.push(raise("OBJNAME_ASSUMED", `${pair.relative}: ${objnameFrom}`));
  }
  if (diff.verdict === "unsupported") {
    flags.push(
      raise(
        "UNSUPPORTED_CHANGE",
        `${pair.relative}: ${diff.unsupported.join("; ") || "the diff step refused the change"}`,
      ),
    );
  }
  if (diff.changed.length === 0 && diff.new.length === 0 && diff.verdict !== "unsupported") {
    flags.push(raise("NO_CHANGE", `${pair.relative}: no changed or new function`));
  }
  const functions: FunctionReport[] = [];
  for (const change of diff.changed) {
    const orig = profile.byName.get(change.name);
    const id = identify(ctx, objname, {
      name: change.name,
      kind: "text",
      size: change.size,
      sizeSlack: branchSlack(origElf, change.name),
      section: orig?.section ?? ".text",
      reference: false,
    });
    functions.push({
      ...changeReport(change, "changed"),
      decision: id.decision,
      target: id.target,
      candidates: id.candidates,
      evidence: id.evidence,
      flags: id.flags,
    });
  }
  for (const change of diff.new) {
    functions.push({
      ...changeReport(change, "new"),
      decision: "not-applicable",
      target: null,
      candidates: [],
      evidence: [],
      flags: [],
    });
  }
  for (const change of diff.deleted) {
    functions.push({
      ...changeReport(change, "deleted"),
      decision: "not-applicable",
      target: null,
      candidates: [],
      evidence: [],
      flags: [
        raise("DELETED_FUNCTION", `${change.name}: deleted by the patch; the running kernel keeps its copy`),
      ],
    });
  }
  const references =
    diff.verdict === "unsupported"
      ? []
      : objectReferences(ctx, objname, [...diff.changed, ...diff.new], run.symvers);
  return {
    object: {
      orig: pair.orig,
      patched: pair.patched,
      objname,
      objnameFrom,
      verdict: objectVerdict(diff, functions, flags),
      diffVerdict: diff.verdict,
      functions,
      flags,
    },
    references,
  };
}

/** Merges references used by several objects into one entry per (objname, name). */
function mergeReferences(all: readonly ReferenceReport[]): ReferenceReport[] {
  const byKey = new Map<string, ReferenceReport>();
  for (const r of all) {
    const key = `${r.objname}\0${r.name}\0${r.scope}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, r);
    else byKey.set(key, { ...seen, usedBy: [...new Set([...seen.usedBy, ...r.usedBy])].sort() });
  }
  return [...byKey.values()].sort((a, b) => {
    const ka = `${a.objname}\0${a.name}`;
    const kb = `${b.objname}\0${b.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

function summarize(
  objects: readonly ObjectReport[],
  references: readonly ReferenceReport[],
  flags: readonly Flag[],
): MatchSummary {
  const fns = objects.flatMap((o) => o.functions).filter((f) => f.status === "changed");
  const every = [
    ...flags,
    ...objects.flatMap((o) => [...o.flags, ...o.functions.flatMap((f) => f.flags)]),
    ...references.flatMap((r) => r.flags),
  ];
  return {
    objects: objects.length,
    functions: fns.length,
    decided: fns.filter((f) => f.target !== null).length,
    ambiguous: fns.filter((f) => f.decision === "ambiguous").length,
    notFound: fns.filter((f) => f.decision === "not-found" || f.decision === "not-loaded").length,
    references: references.length,
    errors: every.filter((f) => f.severity === "error").length,
    warnings: every.filter((f) => f.severity === "warning").length,
    infos: every.filter((f) => f.severity === "info").length,
    worst: worstSeverity(every),
  };
}

/** Loads the kernel's symbols the way `match` needs them. */
export async function loadMatchTable(
  opts: MatchOptions,
  readElf: (path: string) => Promise<ElfFile> = readElfFile,
): Promise<KernelTable> {
  if (opts.table !== undefined) return opts.table;
  const sources: KernelSymbolSources = {
    ...(opts.kallsyms !== undefined ? { kallsyms: opts.kallsyms } : {}),
    ...(opts.systemMap !== undefined ? { systemMap: opts.systemMap } : {}),
    ...(opts.vmlinux !== undefined ? { vmlinux: opts.vmlinux } : {}),
    ...(opts.moduleFiles !== undefined ? { moduleFiles: opts.moduleFiles } : {}),
    readElf,
  };
  return loadKernelSymbols(sources);
}

/** The whole pipeline: every changed function of every object pair to its kernel symbol. */
export async function matchPatch(opts: MatchOptions): Promise<MatchReport> {
  const [origStat, patchedStat] = await Promise.all([stat(opts.orig), stat(opts.patched)]);
  if (origStat.isDirectory() !== patchedStat.isDirectory()) {
    throw new InputError(opts.patched, `--orig and --patched must both be object files or both build trees`);
  }
  const tree = origStat.isDirectory();
  // one symbol table of vmlinux: a second one would be silently shadowed by the first
  if (opts.kallsyms !== undefined && opts.systemMap !== undefined) {
    throw new InputError(
      "--system-map",
      `a second symbol table beside --kallsyms ${opts.kallsyms}: give one of them`,
    );
  }
  if (!tree && (opts.only?.length ?? 0) > 0) {
    throw new InputError("--only", `limits a tree run, and ${opts.orig} is one object`);
  }
  // vmlinux and .ko files serve the table, file blocks and init lists: parse each once
  const readElf = cachedElfReader();
  const table = await loadMatchTable(opts, readElf);
  const choice = chooseRule(table, {
    ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
  });
  const symvers = opts.symvers !== undefined ? await readSymvers(opts.symvers) : null;
  const vmlinuxSide = opts.vmlinux !== undefined ? await vmlinuxEvidence(table, opts.vmlinux, readElf) : null;
  const blocks = vmlinuxSide?.blocks ?? null;
  const paired: TreePairs = tree
    ? selectOnly(await pairTrees(opts.orig, opts.patched), opts.only)
    : {
        pairs: [{ orig: opts.orig, patched: opts.patched, relative: opts.orig }],
        onlyOrig: [],
        onlyPatched: [],
      };
  const homes = await homeResolver({
    tree,
    orig: opts.orig,
    ...(opts.buildDir !== undefined ? { buildDir: opts.buildDir } : {}),
    ...(opts.objname !== undefined ? { objname: opts.objname } : {}),
  });

  const moduleFiles = [
    ...(opts.moduleFiles ?? []),
    ...(await buildModuleFiles(homes, paired.pairs, (o) => table.objects.has(o), opts.moduleFiles ?? [])),
  ];
  const initLists = new Map<string, KernelObject>();
  const moduleBlocks = new Map<string, ReadonlyMap<number, FileBlock> | null>();
  for (const ko of moduleFiles) {
    const lists = await readModuleObjects(ko, readElf);
    initLists.set(lists.objname, lists.init);
    const loaded = table.objects.get(lists.objname);
    if (loaded !== undefined) moduleBlocks.set(lists.objname, moduleFileBlocks(lists.core, loaded));
  }
  const arch = await kernelArchOf(
    table,
    [...(opts.vmlinux !== undefined ? [opts.vmlinux] : []), ...moduleFiles],
    readElf,
  );
  const version = opts.kernel !== undefined ? parseKernelVersion(opts.kernel) : null;
  const run: RunContext = {
    table,
    choice,
    views: new Map(),
    blocks,
    moduleBlocks,
    initLists,
    symvers,
    klpSymNameMax: klpSymNameMax(version),
  };

  const objects: ObjectReport[] = [];
  const references: ReferenceReport[] = [];
  const inputs: InputFile[] = [];
  let done = 0;
  for (const pair of paired.pairs) {
    opts.onProgress?.(done, paired.pairs.length, pair.relative);
    const [origElf, patchedElf] = await Promise.all([readElfFile(pair.orig), readElfFile(pair.patched)]);
    checkObjectArch(arch, pair.orig, origElf);
    const diff = diffObjects(origElf, patchedElf);
    const { objname, from, assumed } = await homes.homeOf(pair);
    const result = matchObject(run, pair, origElf, diff, objname, from, assumed);
    objects.push(result.object);
    references.push(...result.references);
    inputs.push({
      role: "orig",
      path: pair.orig,
      sha256: bytesSha256(origElf.bytes),
    });
    inputs.push({
      role: "patched",
      path: pair.patched,
      sha256: bytesSha256(patchedElf.bytes),
    });
    done++;
  }
  opts.onProgress?.(done, paired.pairs.length, "");
  const unpaired = await matchUnpaired({
    origRoot: opts.orig,
    patchedRoot: opts.patched,
    onlyOrig: paired.onlyOrig,
    onlyPatched: paired.onlyPatched,
    homeOf: (pair) => homes.homeOf(pair),
    contextFor: (elf) => identifyContext(run, elf),
    symvers: run.symvers,
    check: (path, elf) => checkObjectArch(arch, path, elf),
  });
  references.push(...unpaired.references);
  inputs.push(...unpaired.inputs);
  const unusedObjnames = homes.unused();
  if (unusedObjnames.length > 0) {
    throw new InputError("--objname", `no changed object pair is ${unusedObjnames.join(", ")}`);
  }

  const sources: [string, string | undefined][] = [
    ["kallsyms", opts.kallsyms],
    ["system-map", opts.systemMap],
    ["vmlinux", opts.vmlinux],
    ["symvers", opts.symvers],
    ...moduleFiles.map((m): [string, string] => ["module", m]),
  ];
  for (const [role, path] of sources) {
    if (path === undefined || path === "-") continue;
    // vmlinux and .ko files were read for the table: hash those bytes rather than read them again
    inputs.push({ role, path, sha256: await inputSha256(path, readElf.fileBytes(path)) });
  }

  const flags: Flag[] = [...(vmlinuxSide?.flags ?? []), ...unpaired.flags];
  if (choice.assumed) flags.push(raise("LTO_RULE_ASSUMED", choice.why));
  if (table.addressesHidden) {
    flags.push(
      raise(
        "HIDDEN_ADDRESSES",
        `${table.source.path}: addresses are hidden (kptr_restrict); neighbourhood uses line order, sizes are not checked`,
      ),
    );
  }
  const merged = mergeReferences(references);
  if (symvers === null && !tableKnowsExports(table)) {
    flags.push(
      raise(
        "EXPORTS_UNKNOWN",
        `${table.source.path}: no __ksymtab_ entries (KALLSYMS_ALL off?): pass --symvers Module.symvers to tell exported symbols`,
      ),
    );
  }
  objects.sort((a, b) => (a.orig < b.orig ? -1 : a.orig > b.orig ? 1 : 0));
  return {
    schemaVersion: MATCH_SCHEMA_VERSION,
    tool: { name: "klpmatch", version: toolVersion() },
    inputs,
    kernel: {
      source: table.source.kind,
      path: table.source.path,
      addressesHidden: table.addressesHidden,
      llvmNames: table.hasLlvmNames,
    },
    rule: { name: choice.rule, why: choice.why, assumed: choice.assumed },
    objects,
    references: merged,
    flags,
    unpaired: { onlyOrig: paired.onlyOrig, onlyPatched: paired.onlyPatched },
    summary: summarize(objects, merged, flags),
  };
}
