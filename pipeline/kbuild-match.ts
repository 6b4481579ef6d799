// `match` on two kernel build directories: each translation unit of vmlinux.o and of each module's
// <mod>.o that changed, matched to the kernel's symbols like an object pair — the unit's own
// symbols (its STT_FILE block of vmlinux.o, the build that was booted) are the neighbourhood and
// ThinLTO identity evidence. The report is the object-pair report, one object per unit.
import { cachedElfReader } from "../elf/read-file.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "../lib/input-error.js";
import { inputSha256, isDirectory, toolVersion } from "../lib/input-files.js";
import { checkObjectArch, kernelArchOf } from "../lib/kernel-arch.js";
import { type KernelTable, VMLINUX } from "../lib/kernel-table.js";
import type { InputFile } from "../lib/report/header.js";
import type { MatchReport, ObjectReport, ReferenceReport } from "../lib/report/match-report.js";
import { chooseRule, parseKernelVersion, type RuleChoice } from "../lib/rules.js";
import { readSymvers } from "../lib/symvers.js";
import type { FileBlock } from "../matcher/evidence/index.js";
import { linkedFileBlocks, linkedModuleBlocks } from "../matcher/linked-blocks.js";
import { type MatchContext, matchContext, matchDiffedObject, matchReport } from "../matcher/match.js";
import { klpSymNameMax } from "../matcher/sympos.js";
import { diffKbuild, diffLinkedFiles, isKbuildPair, type KbuildDiff } from "./kbuild.js";
import {
  checkSymbolSources,
  loadMatchTable,
  type MatchOptions,
  matchPatch,
  sourceInputs,
  withPatches,
} from "./match.js";
import { type VmlinuxEvidence, vmlinuxEvidence } from "./vmlinux-evidence.js";

/** The match options; `patches` also mark units changed outside their files as changed by LTO. */
export type KbuildMatchOptions = MatchOptions;

/** Each loaded module's file blocks by position, from its orig <mod>.o. */
function moduleBlocks(
  table: KernelTable,
  linked: ReadonlyMap<string, ElfFile>,
): Map<string, ReadonlyMap<number, FileBlock>> {
  const out = new Map<string, ReadonlyMap<number, FileBlock>>();
  for (const [objname, file] of linked) {
    const loaded = objname === VMLINUX ? undefined : table.objects.get(objname);
    if (loaded !== undefined) out.set(objname, linkedModuleBlocks(file, loaded));
  }
  return out;
}

/** What every unit is identified against: the table, the rule, the file blocks. */
async function runContext(
  opts: KbuildMatchOptions,
  table: KernelTable,
  choice: RuleChoice,
  diff: KbuildDiff,
  vmlinuxSide: VmlinuxEvidence | null,
): Promise<MatchContext> {
  const vmlinuxObject = table.objects.get(VMLINUX);
  const vmlinuxO = diff.origObjects.get(VMLINUX);
  return matchContext({
    table,
    choice,
    // without --vmlinux, the STT_FILE blocks of the orig vmlinux.o (the booted build's) serve
    blocks:
      vmlinuxSide !== null
        ? vmlinuxSide.blocks
        : vmlinuxObject === undefined || vmlinuxO === undefined
          ? null
          : linkedFileBlocks(vmlinuxO, vmlinuxObject),
    moduleBlocks: moduleBlocks(table, diff.origObjects),
    initLists: new Map(),
    symvers: opts.symvers !== undefined ? await readSymvers(opts.symvers) : null,
    klpSymNameMax: klpSymNameMax(opts.kernel !== undefined ? parseKernelVersion(opts.kernel) : null),
  });
}

/** Options of a run over objects that two build directories' linked objects leave no use for. */
function refuseTreeOptions(opts: KbuildMatchOptions): void {
  const given = (
    [
      ["--only", (opts.only?.length ?? 0) > 0],
      ["--objname", (opts.objname?.length ?? 0) > 0],
      ["--build-dir", opts.buildDir !== undefined],
    ] as const
  ).find(([, on]) => on);
  if (given) {
    throw InputError.usage(
      given[0],
      "is for trees of objects: two kernel build directories are diffed whole, each linked object with its own objname",
    );
  }
}

/** The match pipeline on two build directories, or on two linked objects given as a pair. */
export async function matchKbuild(opts: KbuildMatchOptions, given?: KbuildDiff): Promise<MatchReport> {
  checkSymbolSources(opts);
  refuseTreeOptions(opts);
  const readElf = cachedElfReader();
  const table = await loadMatchTable(opts, readElf);
  const choice = chooseRule(table, {
    ...(opts.rule !== undefined ? { rule: opts.rule } : {}),
    ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
  });
  const diff =
    given ??
    (await diffKbuild(opts.orig, opts.patched, {
      hashInputs: true,
      ...(opts.patches !== undefined ? { patch: opts.patches } : {}),
    }));
  const moduleFiles = opts.moduleFiles ?? [];
  const arch = await kernelArchOf(
    table,
    [...(opts.vmlinux !== undefined ? [opts.vmlinux] : []), ...moduleFiles],
    readElf,
  );
  for (const file of diff.origObjects.values()) checkObjectArch(arch, file.path, file);
  const vmlinuxSide = opts.vmlinux !== undefined ? await vmlinuxEvidence(table, opts.vmlinux, readElf) : null;
  const run = await runContext(opts, table, choice, diff, vmlinuxSide);
  const objects: ObjectReport[] = [];
  const references: ReferenceReport[] = [];
  for (const unit of diff.units) {
    if (unit.diff.verdict === "no-change") continue;
    const pair = { orig: unit.path, patched: unit.path, relative: unit.path };
    const from = unit.member === null ? unit.linked : `${unit.linked} (${unit.member})`;
    const target = { objname: unit.objname, from, assumed: false };
    const r = matchDiffedObject(run, pair, unit.orig, unit.diff, target);
    objects.push(r.object);
    references.push(...r.references);
  }
  const inputs: InputFile[] = [];
  for (const { role, path, sha256 } of diff.inputs)
    inputs.push({ role, path, sha256: sha256 ?? (await inputSha256(path)) });
  inputs.push(...(await sourceInputs(opts, moduleFiles, readElf)));
  return matchReport(run, toolVersion(), {
    flags: vmlinuxSide?.flags ?? [],
    objects: await withPatches(opts, { objects, sttFiles: new Map() }, inputs),
    references,
    inputs,
    unpaired: { onlyOrig: diff.onlyOrig, onlyPatched: diff.onlyPatched },
  });
}

/**
 * `match` on what --orig and --patched are: two kernel build directories, two linked objects
 * (vmlinux.o, <mod>.o: diffed unit by unit too), else two objects or two trees of objects.
 */
export async function matchInputs(opts: MatchOptions): Promise<MatchReport> {
  if (await isKbuildPair(opts.orig, opts.patched)) return matchKbuild(opts);
  if (!(await isDirectory(opts.orig))) {
    const patch = opts.patches !== undefined ? { patch: opts.patches } : {};
    const linked = await diffLinkedFiles(opts.orig, opts.patched, { ...patch, hashInputs: true });
    if (linked !== null) return matchKbuild(opts, linked);
  }
  return matchPatch(opts);
}
