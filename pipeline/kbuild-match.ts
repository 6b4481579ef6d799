// `match` on two kernel build directories: each translation unit of vmlinux.o and of each module's
// <mod>.o that changed, matched to the kernel's symbols like an object pair — the unit's own
// symbols (its STT_FILE block of vmlinux.o, the build that was booted) are the neighbourhood and
// ThinLTO identity evidence. The report is the object-pair report, one object per unit.
// TODO(integration): matcher/match.ts's matchObject, mergeReferences and summarize, exported,
// would replace the copies of their logic below (see the closing report of issue 13).
import { cachedElfReader } from "../elf/read-file.js";
import type { ElfFile } from "../elf/types.js";
import { type Flag, worstSeverity } from "../lib/flags.js";
import { inputSha256, toolVersion } from "../lib/input-files.js";
import { type KernelTable, VMLINUX } from "../lib/kernel-table.js";
import type { FunctionChange } from "../lib/report/diff-types.js";
import { raise } from "../lib/report/flag-codes.js";
import type { InputFile } from "../lib/report/header.js";
import {
  type FunctionReport,
  MATCH_SCHEMA_VERSION,
  type MatchReport,
  type ObjectReport,
  type ReferenceReport,
} from "../lib/report/match-report.js";
import { chooseRule, parseKernelVersion } from "../lib/rules.js";
import { readSymvers, type Symvers } from "../lib/symvers.js";
import {
  type FileBlock,
  fileBlocks,
  type IdentifyContext,
  identify,
  profileObject,
  type TargetView,
  targetView,
} from "../matcher/evidence/index.js";
import { linkedFileBlocks, linkedModuleBlocks } from "../matcher/linked-blocks.js";
import { objectReferences, tableKnowsExports } from "../matcher/references.js";
import { klpSymNameMax } from "../matcher/sympos.js";
import { diffKbuild, type KbuildDiff, type KbuildUnit } from "./kbuild.js";
import { loadMatchTable, type MatchOptions } from "./match.js";

export interface KbuildMatchOptions extends MatchOptions {
  /** The patch: units changed outside its files are marked as changed by LTO. */
  readonly patch?: string;
}

interface Run {
  readonly table: KernelTable;
  readonly base: Omit<IdentifyContext, "profile">;
  readonly symvers: Symvers | null;
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

const notApplicable = { decision: "not-applicable" as const, target: null, candidates: [], evidence: [] };

/** One unit matched: its changed functions to kernel symbols, its references to .klp.sym names. */
function matchUnit(run: Run, unit: KbuildUnit): { object: ObjectReport; references: ReferenceReport[] } {
  const diff = unit.diff;
  const profile = profileObject(unit.orig);
  const ctx: IdentifyContext = { ...run.base, profile };
  const flags: Flag[] = [];
  if (diff.verdict === "unsupported") {
    flags.push(
      raise(
        "UNSUPPORTED_CHANGE",
        `${unit.path}: ${diff.unsupported.join("; ") || "the diff step refused the change"}`,
      ),
    );
  }
  const functions: FunctionReport[] = diff.changed.map((change) => {
    const id = identify(ctx, unit.objname, {
      name: change.name,
      kind: "text",
      size: change.size,
      section: profile.byName.get(change.name)?.section ?? ".text",
      reference: false,
    });
    const { decision, target, candidates, evidence } = id;
    return { ...changeReport(change, "changed"), decision, target, candidates, evidence, flags: id.flags };
  });
  for (const change of diff.new)
    functions.push({ ...changeReport(change, "new"), ...notApplicable, flags: [] });
  for (const change of diff.deleted) {
    const flag = raise(
      "DELETED_FUNCTION",
      `${change.name}: deleted by the patch; the running kernel keeps its copy`,
    );
    functions.push({ ...changeReport(change, "deleted"), ...notApplicable, flags: [flag] });
  }
  const references =
    diff.verdict === "unsupported"
      ? []
      : objectReferences(ctx, unit.objname, [...diff.changed, ...diff.new], run.symvers);
  const errors = [...flags, ...functions.flatMap((f) => f.flags)].filter((f) => f.severity === "error");
  const verdict: ObjectReport["verdict"] =
    diff.verdict === "unsupported"
      ? "unsupported"
      : diff.changed.length + diff.new.length === 0
        ? "no-change"
        : errors.some((f) => f.code !== "AMBIGUOUS")
          ? "failed"
          : functions.some((f) => f.decision === "ambiguous")
            ? "ambiguous"
            : "matched";
  return {
    object: {
      orig: unit.path,
      patched: unit.path,
      objname: unit.objname,
      objnameFrom: unit.member === null ? unit.linked : `${unit.linked} (${unit.member})`,
      verdict,
      diffVerdict: diff.verdict,
      functions,
      flags,
    },
    references,
  };
}

function mergeReferences(all: readonly ReferenceReport[]): ReferenceReport[] {
  const byKey = new Map<string, ReferenceReport>();
  for (const r of all) {
    const key = `${r.objname}\0${r.name}\0${r.scope}`;
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, usedBy: [...new Set([...seen.usedBy, ...r.usedBy])].sort() } : r);
  }
  const key = (r: ReferenceReport): string => `${r.objname}\0${r.name}`;
  return [...byKey.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function summarize(
  objects: readonly ObjectReport[],
  references: readonly ReferenceReport[],
  flags: readonly Flag[],
) {
  const fns = objects.flatMap((o) => o.functions).filter((f) => f.status === "changed");
  const every = [
    ...flags,
    ...objects.flatMap((o) => [...o.flags, ...o.functions.flatMap((f) => f.flags)]),
    ...references.flatMap((r) => r.flags),
  ];
  const count = (s: string): number => every.filter((f) => f.severity === s).length;
  return {
    objects: objects.length,
    functions: fns.length,
    decided: fns.filter((f) => f.target !== null).length,
    ambiguous: fns.filter((f) => f.decision === "ambiguous").length,
    notFound: fns.filter((f) => f.decision === "not-found" || f.decision === "not-loaded").length,
    references: references.length,
    errors: count("error"),
    warnings: count("warning"),
    infos: count("info"),
    worst: worstSeverity(every),
  };
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

/** What every unit is identified against: the table, the rule, the target views and file blocks. */
async function runContext(
  opts: KbuildMatchOptions,
  table: KernelTable,
  rule: Run["base"]["rule"],
  diff: KbuildDiff,
  readElf: ReturnType<typeof cachedElfReader>,
): Promise<Run> {
  const views = new Map<string, TargetView | null>();
  const vmlinuxObject = table.objects.get(VMLINUX);
  const vmlinuxO = diff.origObjects.get(VMLINUX);
  return {
    table,
    symvers: opts.symvers !== undefined ? await readSymvers(opts.symvers) : null,
    base: {
      table,
      rule,
      view(objname) {
        if (!views.has(objname)) {
          const obj = table.objects.get(objname);
          views.set(objname, obj === undefined ? null : targetView(obj));
        }
        return views.get(objname) ?? null;
      },
      // without --vmlinux, the STT_FILE blocks of the orig vmlinux.o (the booted build's) serve
      blocks:
        opts.vmlinux !== undefined
          ? fileBlocks(await readElf(opts.vmlinux))
          : vmlinuxObject === undefined || vmlinuxO === undefined
            ? null
            : linkedFileBlocks(vmlinuxO, vmlinuxObject),
      moduleBlocks: moduleBlocks(table, diff.origObjects),
      initLists: new Map(),
      klpSymNameMax: klpSymNameMax(opts.kernel !== undefined ? parseKernelVersion(opts.kernel) : null),
    },
  };
}

/** The report's inputs: the linked objects read, then the kernel's symbol sources. */
async function reportInputs(
  opts: KbuildMatchOptions,
  diff: KbuildDiff,
  readElf: ReturnType<typeof cachedElfReader>,
): Promise<InputFile[]> {
  const inputs: InputFile[] = [];
  for (const { role, path } of diff.inputs) inputs.push({ role, path, sha256: await inputSha256(path) });
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
    (await diffKbuild(opts.orig, opts.patched, opts.patch !== undefined ? { patch: opts.patch } : {}));
  const run = await runContext(opts, table, choice.rule, diff, readElf);
  const objects: ObjectReport[] = [];
  const references: ReferenceReport[] = [];
  for (const unit of diff.units) {
    if (unit.diff.verdict === "no-change") continue;
    const r = matchUnit(run, unit);
    objects.push(r.object);
    references.push(...r.references);
  }
  const flags: Flag[] = [];
  if (choice.assumed) flags.push(raise("LTO_RULE_ASSUMED", choice.why));
  const merged = mergeReferences(references);
  if (run.symvers === null && !tableKnowsExports(table)) {
    flags.push(
      raise(
        "EXPORTS_UNKNOWN",
        `${table.source.path}: no __ksymtab_ entries (KALLSYMS_ALL off?): pass --symvers Module.symvers to tell exported symbols`,
      ),
    );
  }
  return {
    schemaVersion: MATCH_SCHEMA_VERSION,
    tool: { name: "klpmatch", version: toolVersion() },
    inputs: await reportInputs(opts, diff, readElf),
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
    unpaired: { onlyOrig: diff.onlyOrig, onlyPatched: diff.onlyPatched },
    summary: summarize(objects, merged, flags),
  };
}
