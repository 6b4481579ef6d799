// The diff step: which functions of an object did a patch change, the way kpatch-build's
// create-diff-object decides it — with the reason for every decision kept as data.

import { ET_REL } from "../elf/constants.js";
import { hex } from "../elf/layout.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "../lib/input-error.js";
import type { DiffVerdict, FunctionChange, ObjectDiff, SymbolReference } from "../lib/report/diff-types.js";
import { archRules } from "./arch/index.js";
import { type Carried, carriedUnits } from "./carry.js";
import type { Sides } from "./compare.js";
import { correlate } from "./correlate.js";
import { compareDataObjects, judgeAnonymousSections, judgeChangedData, newDataObjects } from "./diff-data.js";
import { addReason, type Changes, type Findings } from "./diff-findings.js";
import { compareFunctions, foldSplitParts } from "./diff-functions.js";
import { modelObject, type ObjectModel, type RelocTarget, type Unit } from "./object-model.js";

/** Refuses pairs the diff step cannot compare: not relocatable, or built for another machine. */
function checkPair(orig: ElfFile, patched: ElfFile): void {
  for (const f of [orig, patched]) {
    if (f.header.type !== ET_REL) {
      throw new InputError(
        f.path,
        `not a relocatable object (ELF type ${f.header.typeName}); diff compares the .o files of two builds`,
      );
    }
  }
  const o = orig.header;
  const p = patched.header;
  if (o.class !== p.class || o.endianness !== p.endianness || o.machine !== p.machine) {
    throw new InputError(
      patched.path,
      `built for ${describeHeader(p)}, but ${orig.path} is ${describeHeader(o)}: not the same object built twice`,
    );
  }
  // REL entries keep their addends in the bytes they patch, where the diff step does not read them:
  // it would rewrite section-symbol references to the wrong symbols. Only i386 and 32-bit Arm use
  // them, and the kernel's livepatch core supports neither (arch/x86/Kconfig selects HAVE_LIVEPATCH
  // only if X86_64; arch/arm/Kconfig never does).
  for (const f of [orig, patched]) {
    if (f.relocationSections().some((rs) => !rs.isRela)) {
      throw new InputError(
        f.path,
        `${f.header.machineName} object with REL relocations (addends in the code): the diff step reads RELA objects only, and the kernel's livepatch core does not run on ${f.header.machineName}`,
      );
    }
  }
  // e_flags carry ABI choices (ppc64 ELFv1/v2, LoongArch float ABI): kpatch refuses differing headers.
  if (o.flags !== p.flags) {
    throw new InputError(
      patched.path,
      `ELF header flags ${hex(p.flags)} differ from ${orig.path}'s ${hex(o.flags)}: built with other ABI options`,
    );
  }
}

function describeHeader(h: ElfFile["header"]): string {
  return `${h.machineName} ELF${h.class} ${h.endianness}-endian`;
}

export function diffObjects(orig: ElfFile, patched: ElfFile): ObjectDiff {
  return diffSides(modelPair(orig, patched));
}

/** Both objects modelled and correlated, once: the diff and an explanation work on the same models. */
export function modelPair(orig: ElfFile, patched: ElfFile): Sides {
  checkPair(orig, patched);
  const o = modelObject(orig);
  const p = modelObject(patched);
  return { orig: o, patched: p, correlation: correlate(o, p) };
}

export function diffSides(sides: Sides): ObjectDiff {
  const f: Findings = { reasons: {}, unsupported: [], lineOnly: [] };
  const changedFunctions = compareFunctions(sides, f);
  const { changedRoots, newRoots, deleted } = foldSplitParts(sides, changedFunctions);
  const changed = replaceableFunctions(sides, changedRoots, f);
  const changedObjects = compareDataObjects(sides, f);
  const carried = whatIsCarried(sides, changed, changedObjects);
  // kpatch lists every carried new function, init code included (it is copied, never run).
  const newFunctions = newRoots.filter((u) => carried.units.has(u));
  for (const u of newFunctions) addReason(f, u.name, "new function");
  refuseSiblingCalls(sides, changed, f);
  const changedData = judgeChangedData(sides, changedObjects, carried, f);
  judgeAnonymousSections(sides, carried, f);
  for (const { variable, user, why } of sides.correlation.removedStaticReferences) {
    f.unsupported.push(`reference to static local variable ${variable} in ${user} was removed: ${why}`);
  }
  const anythingToPatch = changedFunctions.size > 0 || carried.newGlobals > 0 || carried.callbacks;
  const verdict: DiffVerdict =
    f.unsupported.length > 0 ? "unsupported" : anythingToPatch ? "patchable" : "no-change";
  const { twinOfOrig } = sides.correlation;
  return {
    orig: sides.orig.file.path,
    patched: sides.patched.file.path,
    machine: sides.orig.file.header.machineName,
    verdict,
    changed: changed.map((u) => functionChange(sides, u, twinOfOrig.get(u)!, f.reasons[u.name] ?? [])),
    new: newFunctions.map((u) => functionChange(sides, null, u, f.reasons[u.name] ?? [])),
    deleted: deleted.map((u) => ({
      name: u.name,
      patchedName: null,
      size: u.end - u.start,
      bind: bindOf(u),
      reasons: ["deleted"],
      references: [],
    })),
    changedData,
    newData: newDataObjects(sides, carried),
    unsupported: f.unsupported,
    reasons: f.reasons,
    lineOnly: f.lineOnly,
    renamed: renamedUnits(sides),
  };
}

/**
 * Step 3. What a livepatch cannot replace: init code, code in shared sections, functions without
 * an ftrace entry. Returns the changed functions the patch replaces (those without an entry too).
 */
function replaceableFunctions(sides: Sides, changedRoots: Changes, f: Findings): Unit[] {
  const changed: Unit[] = [];
  for (const [ou, why] of changedRoots) {
    if (ou.role === "init") {
      f.unsupported.push(`changed init section ${ou.section.name}: ${ou.name} (${why.join("; ")})`);
      for (const r of why) addReason(f, ou.name, r);
      continue;
    }
    if (!ou.bundled) {
      f.unsupported.push(
        `changed section ${ou.section.name} not selected for inclusion: ${ou.name} has no section of its own (built without -ffunction-sections, or placed by an attribute)`,
      );
      for (const r of why) addReason(f, ou.name, r);
      continue;
    }
    changed.push(ou);
    for (const r of why) addReason(f, ou.name, r);
    if (!sides.orig.hasPatchableEntry(ou)) {
      addReason(f, ou.name, "no patchable entry");
      f.unsupported.push(
        `no patchable entry: ${ou.name} has no __fentry__/mcount call and no __mcount_loc/__patchable_function_entries record, ftrace cannot redirect it`,
      );
    }
  }
  return changed;
}

/** Step 5. What the module carries; new functions are the carried ones (kpatch prints only those). */
function whatIsCarried(sides: Sides, changed: readonly Unit[], changedObjects: Changes): Carried {
  const { twinOfOrig } = sides.correlation;
  const roots = changed.map((u) => twinOfOrig.get(u)!);
  return carriedUnits(sides, roots, new Set([...changedObjects.keys()].map((u) => twinOfOrig.get(u)!)));
}

/**
 * Tail calls out of livepatched (changed) functions that the arch's livepatch core cannot follow
 * (ppc64le: the livepatch stub saves the caller's TOC on its stack, which a tail call skips). New
 * functions are called directly from the module.
 */
function refuseSiblingCalls(sides: Sides, changed: readonly Unit[], f: Findings): void {
  const p = sides.patched;
  const rule = archRules(p.arch)?.siblingCalls;
  if (!rule) return;
  const patchedCode = changed.map((u) => ({ name: u.name, unit: sides.correlation.twinOfOrig.get(u)! }));
  for (const { name, unit } of patchedCode) {
    for (const call of siblingCalls(p, unit, rule.isSiblingCall)) {
      f.unsupported.push(`sibling call at ${call}: the livepatched ${name} ${rule.consequence}`);
      addReason(f, name, `sibling call at ${call}`);
    }
  }
}

/** Correlations that were not by identical name. */
function renamedUnits(sides: Sides): { orig: string; patched: string; how: string }[] {
  const renamed: { orig: string; patched: string; how: string }[] = [];
  for (const [ou, how] of sides.correlation.how) {
    const pu = sides.correlation.twinOfOrig.get(ou)!;
    if (pu.name !== ou.name) renamed.push({ orig: ou.name, patched: pu.name, how });
  }
  return renamed;
}

/** Tail calls (ppc64le `b`, not `bl`) from a function or its children to another function. */
function siblingCalls(
  p: ObjectModel,
  unit: Unit,
  isSiblingCall: (typeName: string, code: Uint8Array, at: number) => boolean,
): string[] {
  const found: string[] = [];
  for (const part of [unit, ...unit.children]) {
    const bytes = p.bytesOf(part);
    if (!bytes) continue;
    for (const r of p.relocationsOf(part)) {
      if (r.target.kind !== "symbol") continue;
      const at = r.offset - part.start;
      if (!isSiblingCall(r.typeName, bytes, Number(at))) continue;
      const target = p.unitOfSymbol(r.target.symbol.index);
      // Jumps between a function and its own split parts stay inside the patched code.
      if (target && (target === part || target.parent === part || part.parent === target)) continue;
      found.push(`${part.name}+${hex(at)} to ${r.target.symbol.name}`);
    }
  }
  return found;
}

/** Through pointer slots (.toc) to what they point at. */
function finalTarget(t: RelocTarget): RelocTarget {
  let target = t;
  while (target.kind === "indirect") target = target.via.target;
  return target;
}

function bindOf(u: Unit): "LOCAL" | "GLOBAL" | "WEAK" {
  const b = u.symbol.bindName;
  return b === "LOCAL" || b === "WEAK" ? b : "GLOBAL";
}

function functionChange(sides: Sides, ou: Unit | null, pu: Unit, reasons: readonly string[]): FunctionChange {
  const base = ou ?? pu;
  return {
    name: base.name,
    patchedName: pu.name,
    size: base.end - base.start,
    bind: bindOf(base),
    reasons,
    references: referencesOf(sides, pu),
  };
}

/** What the patched function (and its children) references, with the orig name a livepatch resolves. */
function referencesOf(sides: Sides, pu: Unit): SymbolReference[] {
  const { patched: p, correlation } = sides;
  const seen = new Map<string, SymbolReference>();
  for (const part of [pu, ...pu.children]) {
    for (const r of p.relocationsOf(part)) {
      const final = finalTarget(r.target);
      if (final.kind !== "symbol") continue;
      const s = final.symbol;
      if (seen.has(s.name) || s.name === "") continue;
      const unit = p.unitOfSymbol(s.index);
      const defined = s.sectionIndex !== null;
      const twin = unit ? correlation.twinOfPatched.get(unit.aliasOf ?? unit) : undefined;
      seen.set(s.name, {
        name: s.name,
        origName: twin ? twin.name : defined ? null : s.name,
        type: s.typeName,
        bind: s.bindName,
        defined,
      });
    }
  }
  return [...seen.values()];
}
