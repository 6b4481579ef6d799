// The `match` step over data already read: each orig/patched object pair diffed, each changed
// function's kernel symbol found with evidence, the (objname, old_name, old_sympos) that resolve()
// confirms and the .klp.sym references — and the report value they make. pipeline/match.ts reads the
// files (objects, build trees, symbol tables) and calls these.
import { hex } from "../elf/layout.js";
import type { ElfFile } from "../elf/types.js";
import { type Flag, worstSeverity } from "../lib/flags.js";
import { type KernelObject, type KernelTable, VMLINUX } from "../lib/kernel-table.js";
import type { FunctionChange, ObjectDiff } from "../lib/report/diff-types.js";
import { raise } from "../lib/report/flag-codes.js";
import { type InputFile, reportHeader } from "../lib/report/header.js";
import {
  type FunctionReport,
  MATCH_SCHEMA_VERSION,
  type MatchReport,
  type MatchSummary,
  type ObjectReport,
  type ObjectVerdict,
  type ReferenceReport,
} from "../lib/report/match-report.js";
import type { RuleChoice } from "../lib/rules.js";
import type { Symvers } from "../lib/symvers.js";
import { diffObjects } from "./diff.js";
import {
  type FileBlock,
  type IdentifyContext,
  identify,
  profileObject,
  type TargetView,
  targetView,
} from "./evidence/index.js";
import { objectReferences, tableKnowsExports } from "./references.js";
import { branchSlack } from "./size-slack.js";

/** The object pairs of two trees, and the objects only one of them has. */
export interface TreePairs {
  readonly pairs: readonly ObjectPair[];
  readonly onlyOrig: readonly string[];
  readonly onlyPatched: readonly string[];
}

export interface ObjectPair {
  readonly orig: string;
  readonly patched: string;
  /** Path relative to the tree root (or the file name for a single pair). */
  readonly relative: string;
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
    size: hex(change.size),
    bind: change.bind,
    reasons: [...change.reasons],
  };
}

/** What every object pair of one run is matched against: the kernel's table and rule, and the optional inputs. */
export interface MatchContext {
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

/** A run's context; the target views are built as objects ask for them. */
export function matchContext(parts: Omit<MatchContext, "views">): MatchContext {
  return { ...parts, views: new Map() };
}

function viewOf(run: MatchContext, objname: string): TargetView | null {
  let view = run.views.get(objname);
  if (view === undefined) {
    const obj = run.table.objects.get(objname);
    view = obj === undefined ? null : targetView(obj);
    run.views.set(objname, view);
  }
  return view;
}

/** What the evidence of one orig object is weighed against. */
export function identifyContext(run: MatchContext, elf: ElfFile): IdentifyContext {
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

/** Matches one object pair whose ELF files are read and diffed already. */
export function matchDiffedObject(
  run: MatchContext,
  pair: ObjectPair,
  origElf: ElfFile,
  diff: ObjectDiff,
  target: ObjectTarget,
): { object: ObjectReport; references: ReferenceReport[] } {
  const { objname, from: objnameFrom } = target;
  const ctx = identifyContext(run, origElf);
  const flags = objectFlags(pair, diff, target);
  const functions = functionReports(ctx, origElf, objname, diff);
  const references =
    diff.verdict === "unsupported"
      ? []
      : objectReferences(ctx, objname, [...diff.changed, ...diff.new], run.symvers);
  return {
    object: {
      orig: pair.orig,
      patched: pair.patched,
      relative: pair.relative,
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

/** What is flagged about the object pair as a whole: an assumed objname, a refused or empty diff. */
function objectFlags(pair: ObjectPair, diff: ObjectDiff, target: ObjectTarget): Flag[] {
  const flags: Flag[] = [];
  if (target.assumed) {
    flags.push(raise("OBJNAME_ASSUMED", `${pair.relative}: ${target.from}`));
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
  return flags;
}

/** A report per function: the changed ones identified in the kernel, the new and deleted ones as they are. */
function functionReports(
  ctx: IdentifyContext,
  origElf: ElfFile,
  objname: string,
  diff: ObjectDiff,
): FunctionReport[] {
  const profile = ctx.profile;
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
  return functions;
}

/** The object a pair is built into, and how that was found. */
export interface ObjectTarget {
  readonly objname: string;
  readonly from: string;
  /** No build tree said it: vmlinux is assumed. */
  readonly assumed: boolean;
}

/** Diffs and matches one object pair whose ELF files are read already. */
export function matchObjectPair(
  run: MatchContext,
  pair: ObjectPair,
  origElf: ElfFile,
  patchedElf: ElfFile,
  target: ObjectTarget,
): { object: ObjectReport; references: ReferenceReport[] } {
  const diff = diffObjects(origElf, patchedElf);
  return matchDiffedObject(run, pair, origElf, diff, target);
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

/** Everything one run matched, read and left unpaired. */
export interface MatchedObjects {
  /** Flags of the run found while reading its inputs (the vmlinux evidence, objects in one tree only). */
  readonly flags?: readonly Flag[];
  readonly objects: ObjectReport[];
  readonly references: readonly ReferenceReport[];
  readonly inputs: readonly InputFile[];
  readonly unpaired: MatchReport["unpaired"];
}

/** The report of a run: its objects in path order, the references merged, the run's own flags. */
export function matchReport(run: MatchContext, toolVersion: string, matched: MatchedObjects): MatchReport {
  const { table, choice } = run;
  const { objects, references, inputs } = matched;
  const flags: Flag[] = [...(matched.flags ?? [])];
  // module symbols always compare exactly: the assumed rule matters only for vmlinux objects
  if (choice.assumed && objects.some((o) => o.objname === VMLINUX)) {
    flags.push(raise("LTO_RULE_ASSUMED", choice.why));
  }
  if (table.addressesHidden) {
    flags.push(
      raise(
        "HIDDEN_ADDRESSES",
        `${table.source.path}: addresses are hidden (kptr_restrict); neighbourhood uses line order, sizes are not checked`,
      ),
    );
  }
  const merged = mergeReferences(references);
  if (run.symvers === null && !tableKnowsExports(table)) {
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
    ...reportHeader(inputs, table, choice, toolVersion),
    objects,
    references: merged,
    flags,
    unpaired: matched.unpaired,
    summary: summarize(objects, merged, flags),
  };
}
