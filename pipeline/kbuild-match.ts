// `match` on two kernel build directories: each translation unit of vmlinux.o and of each module's
// <mod>.o that changed, matched to the kernel's symbols like an object pair — the unit's own
// symbols (its STT_FILE block of vmlinux.o, the build that was booted) are the neighbourhood and
// ThinLTO identity evidence. The report is the object-pair report, one object per unit.
import { cachedElfReader } from "../elf/read-file.js";
import type { ElfFile } from "../elf/types.js";
import { inputSha256, toolVersion } from "../lib/input-files.js";
import { type KernelTable, VMLINUX } from "../lib/kernel-table.js";
import type { InputFile } from "../lib/report/header.js";
import type { MatchReport, ObjectReport, ReferenceReport } from "../lib/report/match-report.js";
import { chooseRule, parseKernelVersion, type RuleChoice } from "../lib/rules.js";
import { readSymvers } from "../lib/symvers.js";
import { type FileBlock, fileBlocks } from "../matcher/evidence/index.js";
import { linkedFileBlocks, linkedModuleBlocks } from "../matcher/linked-blocks.js";
import { type MatchContext, matchContext, matchDiffedObject, matchReport } from "../matcher/match.js";
import { klpSymNameMax } from "../matcher/sympos.js";
import { diffKbuild, type KbuildDiff } from "./kbuild.js";
import { loadMatchTable, type MatchOptions } from "./match.js";

export interface KbuildMatchOptions extends MatchOptions {
  /** The patch(es): units changed outside their files are marked as changed by LTO. */
  readonly patch?: readonly string[];
}

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
  readElf: ReturnType<typeof cachedElfReader>,
): Promise<MatchContext> {
  const vmlinuxObject = table.objects.get(VMLINUX);
  const vmlinuxO = diff.origObjects.get(VMLINUX);
  return matchContext({
    table,
    choice,
    // without --vmlinux, the STT_FILE blocks of the orig vmlinux.o (the booted build's) serve
    blocks:
      opts.vmlinux !== undefined
        ? fileBlocks(await readElf(opts.vmlinux))
        : vmlinuxObject === undefined || vmlinuxO === undefined
          ? null
          : linkedFileBlocks(vmlinuxO, vmlinuxObject),
    moduleBlocks: moduleBlocks(table, diff.origObjects),
    initLists: new Map(),
    symvers: opts.symvers !== undefined ? await readSymvers(opts.symvers) : null,
    klpSymNameMax: klpSymNameMax(opts.kernel !== undefined ? parseKernelVersion(opts.kernel) : null),
  });
}

/** The report's inputs: the linked objects read, then the kernel's symbol sources. */
async function reportInputs(
  opts: KbuildMatchOptions,
  diff: KbuildDiff,
  readElf: ReturnType<typeof cachedElfReader>,
): Promise<InputFile[]> {
  const inputs: InputFile[] = [];
  for (const { role, path, sha256 } of diff.inputs)
    inputs.push({ role, path, sha256: sha256 ?? (await inputSha256(path)) });
  for (const [role, path] of [
    ["kallsyms", opts.kallsyms],
    ["system-map", opts.systemMap],
    ["vmlinux", opts.vmlinux],
    ["symvers", opts.symvers],
  ] as const) {
    if (path !== undefined && path !== "-")
      inputs.push({ role, path, sha256: await inputSha256(path, readElf.fileBytes(path)) });
  }
  return inputs;
}

/** The match pipeline on two build directories, or on two linked objects given as a pair. */
export async function matchKbuild(opts: KbuildMatchOptions, given?: KbuildDiff): Promise<MatchReport> {
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
      ...(opts.patch !== undefined ? { patch: opts.patch } : {}),
    }));
  const run = await runContext(opts, table, choice, diff, readElf);
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
  return matchReport(run, toolVersion(), {
    objects,
    references,
    inputs: await reportInputs(opts, diff, readElf),
    unpaired: { onlyOrig: diff.onlyOrig, onlyPatched: diff.onlyPatched },
  });
}
