// The `match` job as a library call: reads the object pairs (or pairs two build trees), the kernel's
// symbols and the optional inputs, finds each object's target in its build tree, and hands them to
// matcher/match.ts; every input is recorded with its sha256.
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { STT_FILE } from "../elf/constants.js";
import { type CachedElfReader, cachedElfReader, readElfFile } from "../elf/index.js";
import { InputError } from "../lib/input-error.js";
import {
  bytesSha256,
  inputSha256,
  pairTreeObjects,
  readInputFile,
  readInputText,
  toolVersion,
} from "../lib/input-files.js";
import { checkObjectArch, kernelArchOf } from "../lib/kernel-arch.js";
import { type KernelSymbolSources, loadKernelSymbols, sourceReaders } from "../lib/kernel-symbols.js";
import type { KernelObject, KernelTable } from "../lib/kernel-table.js";
import { readModuleObjects } from "../lib/module-symbols.js";
import { buildModuleFiles, homeResolver } from "../lib/object-homes.js";
import { parsePatch } from "../lib/patch-hunks.js";
import type { InputFile } from "../lib/report/header.js";
import { inputFile } from "../lib/report/header.js";
import type { MatchReport, ObjectReport, ReferenceReport } from "../lib/report/match-report.js";
import { withPatchLines } from "../lib/report/patch-locations.js";
import { chooseRule, parseKernelVersion } from "../lib/rules.js";
import { readSymvers } from "../lib/symvers.js";
import { type FileBlock, moduleFileBlocks } from "../matcher/evidence/index.js";
import {
  identifyContext,
  type MatchContext,
  matchContext,
  matchObjectPair,
  matchReport,
  type ObjectPair,
  type TreePairs,
} from "../matcher/match.js";
import { selectOnly } from "../matcher/only-filter.js";
import { klpSymNameMax } from "../matcher/sympos.js";
import { matchUnpaired } from "./unpaired-objects.js";
import { vmlinuxEvidence } from "./vmlinux-evidence.js";

export type { TreePairs } from "../matcher/match.js";

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
  /** The unified diffs the build applied (--patch): functions are tied to the lines they changed. */
  readonly patches?: readonly string[];
  /** A table loaded already (library use); the sources above are then only recorded. */
  readonly table?: KernelTable;
  readonly onProgress?: (done: number, total: number, current: string) => void;
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

/** Loads the kernel's symbols the way `match` needs them. */
export async function loadMatchTable(
  opts: MatchOptions,
  readElf: CachedElfReader = cachedElfReader(),
): Promise<KernelTable> {
  if (opts.table !== undefined) return opts.table;
  const sources: KernelSymbolSources = {
    ...(opts.kallsyms !== undefined ? { kallsyms: opts.kallsyms } : {}),
    ...(opts.systemMap !== undefined ? { systemMap: opts.systemMap } : {}),
    ...(opts.vmlinux !== undefined ? { vmlinux: opts.vmlinux } : {}),
    ...(opts.moduleFiles !== undefined ? { moduleFiles: opts.moduleFiles } : {}),
    ...sourceReaders(readElf),
  };
  return loadKernelSymbols(sources);
}

/** The whole pipeline: every changed function of every object pair to its kernel symbol. */
export async function matchPatch(opts: MatchOptions): Promise<MatchReport> {
  const tree = await isTreeRun(opts);
  // vmlinux and .ko files serve the table, file blocks and init lists: parse each once
  const readElf = cachedElfReader();
  const table = await loadMatchTable(opts, readElf);
  const choice = chooseRule(table, {
    ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
  });
  const symvers = opts.symvers !== undefined ? await readSymvers(opts.symvers) : null;
  const vmlinuxSide = opts.vmlinux !== undefined ? await vmlinuxEvidence(table, opts.vmlinux, readElf) : null;
  const paired: TreePairs = tree
    ? selectOnly(await pairTrees(opts.orig, opts.patched), opts.only)
    : {
        pairs: [{ orig: opts.orig, patched: opts.patched, relative: basename(opts.orig) }],
        onlyOrig: [],
        onlyPatched: [],
      };
  const homes = await homeResolver({
    tree,
    orig: opts.orig,
    ...(opts.buildDir !== undefined ? { buildDir: opts.buildDir } : {}),
    ...(opts.objname !== undefined ? { objname: opts.objname } : {}),
  });
  const modules = await moduleInputs(opts, table, homes, paired, readElf);
  const arch = await kernelArchOf(
    table,
    [...(opts.vmlinux !== undefined ? [opts.vmlinux] : []), ...modules.files],
    readElf,
  );
  const run = matchContext({
    table,
    choice,
    blocks: vmlinuxSide?.blocks ?? null,
    moduleBlocks: modules.blocks,
    initLists: modules.initLists,
    symvers,
    klpSymNameMax: klpSymNameMax(opts.kernel !== undefined ? parseKernelVersion(opts.kernel) : null),
  });
  const matched = await matchPairs(opts, run, paired.pairs, homes, arch);
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
  const unusedObjnames = homes.unused();
  if (unusedObjnames.length > 0) {
    throw InputError.usage("--objname", `no changed object pair is ${unusedObjnames.join(", ")}`);
  }
  const inputs = [
    ...matched.inputs,
    ...unpaired.inputs,
    ...(await sourceInputs(opts, modules.files, readElf)),
  ];
  const objects = await withPatches(opts, matched, inputs);
  return matchReport(run, toolVersion(), {
    flags: [...(vmlinuxSide?.flags ?? []), ...unpaired.flags],
    objects,
    references: [...matched.references, ...unpaired.references],
    inputs,
    unpaired: { onlyOrig: paired.onlyOrig, onlyPatched: paired.onlyPatched },
  });
}

/** One symbol table of vmlinux: a second one would be silently shadowed by the first. */
export function checkSymbolSources(opts: MatchOptions): void {
  if (opts.kallsyms !== undefined && opts.systemMap !== undefined) {
    throw InputError.usage(
      "--system-map",
      `a second symbol table beside --kallsyms ${opts.kallsyms}: give one of them`,
    );
  }
}

/** Two trees or two objects; refuses the option sets that cannot go together. */
async function isTreeRun(opts: MatchOptions): Promise<boolean> {
  const [origStat, patchedStat] = await Promise.all([stat(opts.orig), stat(opts.patched)]);
  if (origStat.isDirectory() !== patchedStat.isDirectory()) {
    throw new InputError(opts.patched, `--orig and --patched must both be object files or both build trees`);
  }
  const tree = origStat.isDirectory();
  checkSymbolSources(opts);
  if (!tree && (opts.only?.length ?? 0) > 0) {
    throw InputError.usage("--only", `limits a tree run, and ${opts.orig} is one object`);
  }
  return tree;
}

/** The module .ko files given or found in the build directory: their init lists and file blocks. */
async function moduleInputs(
  opts: MatchOptions,
  table: KernelTable,
  homes: Awaited<ReturnType<typeof homeResolver>>,
  paired: TreePairs,
  readElf: CachedElfReader,
) {
  const given = opts.moduleFiles ?? [];
  const files = [
    ...given,
    ...(await buildModuleFiles(homes, paired.pairs, (o) => table.objects.has(o), given)),
  ];
  const initLists = new Map<string, KernelObject>();
  const blocks = new Map<string, ReadonlyMap<number, FileBlock> | null>();
  for (const ko of files) {
    const lists = await readModuleObjects(ko, readElf);
    initLists.set(lists.objname, lists.init);
    const loaded = table.objects.get(lists.objname);
    if (loaded !== undefined) blocks.set(lists.objname, moduleFileBlocks(lists.core, loaded));
  }
  return { files, initLists, blocks };
}

/** Every object pair read, diffed and matched, with the inputs it read and its STT_FILE name. */
async function matchPairs(
  opts: MatchOptions,
  run: MatchContext,
  pairs: readonly ObjectPair[],
  homes: Awaited<ReturnType<typeof homeResolver>>,
  arch: Awaited<ReturnType<typeof kernelArchOf>>,
) {
  const objects: ObjectReport[] = [];
  const sttFiles = new Map<string, string | null>();
  const references: ReferenceReport[] = [];
  const inputs: InputFile[] = [];
  let done = 0;
  for (const pair of pairs) {
    opts.onProgress?.(done, pairs.length, pair.relative);
    const [origElf, patchedElf] = await Promise.all([readElfFile(pair.orig), readElfFile(pair.patched)]);
    checkObjectArch(arch, pair.orig, origElf);
    const result = matchObjectPair(run, pair, origElf, patchedElf, await homes.homeOf(pair));
    sttFiles.set(result.object.orig, origElf.symbols().find((s) => s.type === STT_FILE)?.name || null);
    objects.push(result.object);
    references.push(...result.references);
    inputs.push({ role: "orig", path: pair.orig, sha256: bytesSha256(origElf.bytes) });
    inputs.push({ role: "patched", path: pair.patched, sha256: bytesSha256(patchedElf.bytes) });
    done++;
  }
  opts.onProgress?.(done, pairs.length, "");
  return { objects, sttFiles, references, inputs };
}

/** The kernel's symbol sources and the module files, each with its sha256. */
export async function sourceInputs(
  opts: MatchOptions,
  moduleFiles: readonly string[],
  readElf: CachedElfReader,
): Promise<InputFile[]> {
  const sources: [string, string | undefined][] = [
    ["kallsyms", opts.kallsyms],
    ["system-map", opts.systemMap],
    ["vmlinux", opts.vmlinux],
    ["symvers", opts.symvers],
    ...moduleFiles.map((m): [string, string] => ["module", m]),
  ];
  const inputs: InputFile[] = [];
  for (const [role, path] of sources) {
    if (path === undefined || path === "-") continue;
    // vmlinux and .ko files were read for the table: hash those bytes rather than read them again
    inputs.push({ role, path, sha256: await inputSha256(path, readElf.fileBytes(path)) });
  }
  return inputs;
}

/** With --patch: each function tied to the lines of the patch(es) that changed it (inputs gain the patches). */
export async function withPatches(
  opts: MatchOptions,
  matched: { readonly objects: ObjectReport[]; readonly sttFiles: ReadonlyMap<string, string | null> },
  inputs: InputFile[],
): Promise<ObjectReport[]> {
  if (opts.patches === undefined || opts.patches.length === 0) return matched.objects;
  const parsed = [];
  for (const p of opts.patches) {
    parsed.push(parsePatch(p, await readInputText(p)));
    inputs.push(await inputFile("patch", p));
  }
  return withPatchLines(matched.objects, parsed, (o) => matched.sttFiles.get(o.orig) ?? null);
}
