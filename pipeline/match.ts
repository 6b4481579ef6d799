// The `match` job as a library call: reads the object pairs (or pairs two build trees), the kernel's
// symbols and the optional inputs, finds each object's target in its build tree, and hands them to
// matcher/match.ts; every input is recorded with its sha256.
import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { STT_FILE } from "../elf/constants.js";
import { cachedElfReader, readElfFile } from "../elf/index.js";
import type { ElfFile } from "../elf/types.js";
import { findObjectHome, readBuildTree } from "../lib/build-tree.js";
import { InputError } from "../lib/input-error.js";
import {
  bytesSha256,
  inputSha256,
  pairTreeObjects,
  readInputFile,
  readInputText,
  toolVersion,
} from "../lib/input-files.js";
import { type KernelSymbolSources, loadKernelSymbols } from "../lib/kernel-symbols.js";
import { type KernelObject, type KernelTable, normalizeModuleName, VMLINUX } from "../lib/kernel-table.js";
import { readModuleObjects } from "../lib/module-symbols.js";
import { parsePatch } from "../lib/patch-hunks.js";
import type { InputFile } from "../lib/report/header.js";
import { inputFile } from "../lib/report/header.js";
import type { MatchReport, ObjectReport, ReferenceReport } from "../lib/report/match-report.js";
import { withPatchLines } from "../lib/report/patch-locations.js";
import { chooseRule, parseKernelVersion } from "../lib/rules.js";
import { readSymvers } from "../lib/symvers.js";
import { type FileBlock, fileBlocks, moduleFileBlocks } from "../matcher/evidence/index.js";
import { matchContext, matchObjectPair, matchReport, type ObjectPair } from "../matcher/match.js";
import { klpSymNameMax } from "../matcher/sympos.js";

export interface MatchOptions {
  /** An orig object file, or the orig build tree. */
  readonly orig: string;
  /** The patched object file, or the patched build tree. */
  readonly patched: string;
  readonly kallsyms?: string;
  readonly systemMap?: string;
  readonly vmlinux?: string;
  readonly moduleFiles?: readonly string[];
  /** Target object of every pair, overriding the build tree's *.mod files. */
  readonly objname?: string;
  readonly kernel?: string;
  readonly rule?: string;
  readonly symvers?: string;
  /** The unified diffs the build applied (--patch): functions are tied to the lines they changed. */
  readonly patches?: readonly string[];
  /** A table loaded already (library use); the sources above are then only recorded. */
  readonly table?: KernelTable;
  readonly onProgress?: (done: number, total: number, current: string) => void;
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
  // vmlinux and .ko files serve the table, file blocks and init lists: parse each once
  const readElf = cachedElfReader();
  const table = await loadMatchTable(opts, readElf);
  const choice = chooseRule(table, {
    ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
  });
  const symvers = opts.symvers !== undefined ? await readSymvers(opts.symvers) : null;
  const blocks = opts.vmlinux !== undefined ? fileBlocks(await readElf(opts.vmlinux)) : null;
  const initLists = new Map<string, KernelObject>();
  const moduleBlocks = new Map<string, ReadonlyMap<number, FileBlock> | null>();
  for (const ko of opts.moduleFiles ?? []) {
    const lists = await readModuleObjects(ko, readElf);
    initLists.set(lists.objname, lists.init);
    const loaded = table.objects.get(lists.objname);
    if (loaded !== undefined) moduleBlocks.set(lists.objname, moduleFileBlocks(lists.core, loaded));
  }
  const version = opts.kernel !== undefined ? parseKernelVersion(opts.kernel) : null;
  const run = matchContext({
    table,
    choice,
    blocks,
    moduleBlocks,
    initLists,
    symvers,
    klpSymNameMax: klpSymNameMax(version),
  });

  const paired: TreePairs = tree
    ? await pairTrees(opts.orig, opts.patched)
    : {
        pairs: [{ orig: opts.orig, patched: opts.patched, relative: basename(opts.orig) }],
        onlyOrig: [],
        onlyPatched: [],
      };
  const homes = tree && opts.objname === undefined ? await readBuildTree(opts.orig) : null;

  let objects: ObjectReport[] = [];
  const sttFiles = new Map<string, string | null>();
  const references: ReferenceReport[] = [];
  const inputs: InputFile[] = [];
  let done = 0;
  for (const pair of paired.pairs) {
    opts.onProgress?.(done, paired.pairs.length, pair.relative);
    const [origElf, patchedElf] = await Promise.all([readElfFile(pair.orig), readElfFile(pair.patched)]);
    let objname: string = VMLINUX;
    let from = "no kernel build tree around it: vmlinux assumed";
    let assumed = false;
    if (opts.objname !== undefined) {
      objname = opts.objname === VMLINUX ? VMLINUX : normalizeModuleName(opts.objname);
      from = "--objname";
    } else {
      // a tree's objects are looked up in its *.mod files; an object given alone, in the .mod files
      // of the directories above it
      const home = homes !== null ? homes.homeOf(pair.relative) : await findObjectHome(pair.orig);
      if (home !== null) {
        objname = home.objname;
        from = home.from;
      } else assumed = true;
    }
    const result = matchObjectPair(run, pair, origElf, patchedElf, { objname, from, assumed });
    sttFiles.set(result.object.orig, origElf.symbols().find((s) => s.type === STT_FILE)?.name || null);
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

  const sources: [string, string | undefined][] = [
    ["kallsyms", opts.kallsyms],
    ["system-map", opts.systemMap],
    ["vmlinux", opts.vmlinux],
    ["symvers", opts.symvers],
    ...(opts.moduleFiles ?? []).map((m): [string, string] => ["module", m]),
  ];
  for (const [role, path] of sources) {
    if (path === undefined || path === "-") continue;
    // vmlinux and .ko files were read for the table: hash those bytes rather than read them again
    inputs.push({ role, path, sha256: await inputSha256(path, readElf.fileBytes(path)) });
  }

  if (opts.patches !== undefined && opts.patches.length > 0) {
    const parsed = [];
    for (const p of opts.patches) {
      parsed.push(parsePatch(p, await readInputText(p)));
      inputs.push(await inputFile("patch", p));
    }
    objects = withPatchLines(objects, parsed, (o) => sttFiles.get(o.orig) ?? null);
  }

  return matchReport(run, toolVersion(), {
    objects,
    references,
    inputs,
    unpaired: { onlyOrig: paired.onlyOrig, onlyPatched: paired.onlyPatched },
  });
}
