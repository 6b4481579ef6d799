// The diff step: which functions of an object did a patch change, the way kpatch-build's
// create-diff-object decides it — with the reason for every decision kept as data.
import { ET_REL } from "../elf/constants.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "../lib/input-error.js";
import { isWritable, modelObject, type ObjectModel, type RelocTarget, type Unit } from "./bundle.js";
import { compareUnits, type Sides } from "./compare.js";
import { correlate } from "./correlate.js";
import { isPpc64SiblingCall } from "./diff-arch.js";
import { isLineOnlyChange } from "./line-only.js";

export { diffTrees } from "./diff-tree.js";

export type DiffVerdict = "patchable" | "no-change" | "unsupported";

export interface SymbolReference {
  /** The referenced symbol's name in the patched object. */
  readonly name: string;
  /** The correlated orig-side name, null when the symbol has no orig twin. */
  readonly origName: string | null;
  /** ELF symbol type name (FUNC, OBJECT, NOTYPE, ...). */
  readonly type: string;
  /** ELF binding name (LOCAL, GLOBAL, WEAK). */
  readonly bind: string;
  /** False for undefined (external) symbols. */
  readonly defined: boolean;
}

export interface FunctionChange {
  /** Orig name (the patched name for new functions). */
  readonly name: string;
  readonly patchedName: string | null;
  /** Orig size (patched size for new functions). */
  readonly size: bigint;
  readonly bind: "LOCAL" | "GLOBAL" | "WEAK";
  /** "size 14 → 18", "relocations: +2 -1", "bytes at 0x1a..0x24", "child foo.cold changed", … */
  readonly reasons: readonly string[];
  /**
   * Symbols the patched code of this function (and its children) references, by patched-side name
   * with the correlated orig name: what a livepatch must resolve (for .klp.sym).
   */
  readonly references: readonly SymbolReference[];
}

export interface DataChange {
  readonly name: string;
  readonly reasons: readonly string[];
}

export interface ObjectDiff {
  readonly orig: string;
  readonly patched: string;
  readonly machine: string;
  readonly verdict: DiffVerdict;
  readonly changed: readonly FunctionChange[];
  readonly new: readonly FunctionChange[];
  readonly deleted: readonly FunctionChange[];
  readonly changedData: readonly DataChange[];
  /** Why the verdict is unsupported (empty otherwise). */
  readonly unsupported: readonly string[];
  /** Reasons per reported name (functions and data). */
  readonly reasons: Readonly<Record<string, readonly string[]>>;
  /** Functions whose only differences are __LINE__ immediates passed to WARN/printk helpers. */
  readonly lineOnly: readonly string[];
  /** Correlations that were not by identical name (renumbered clones, ThinLTO hashes, statics by use). */
  readonly renamed: readonly { readonly orig: string; readonly patched: string; readonly how: string }[];
}

export interface TreeDiff {
  readonly pairs: readonly ObjectDiff[];
  /** Relative paths of objects found only in the orig tree. */
  readonly onlyOrig: readonly string[];
  /** Relative paths of objects found only in the patched tree. */
  readonly onlyPatched: readonly string[];
}

/** Refuses pairs the diff step cannot compare: not relocatable, or built for another machine. */
export function checkPair(orig: ElfFile, patched: ElfFile): void {
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
}

function describeHeader(h: ElfFile["header"]): string {
  return `${h.machineName} ELF${h.class} ${h.endianness}-endian`;
}

export function diffObjects(orig: ElfFile, patched: ElfFile): ObjectDiff {
  checkPair(orig, patched);
  const o = modelObject(orig);
  const p = modelObject(patched);
  const correlation = correlate(o, p);
  const sides: Sides = { orig: o, patched: p, correlation };
  const reasons: Record<string, string[]> = {};
  const unsupported: string[] = [];
  const lineOnly: string[] = [];
  const addReason = (name: string, reason: string): void => {
    const list = reasons[name];
    if (list) {
      if (!list.includes(reason)) list.push(reason);
    } else reasons[name] = [reason];
  };
  const ignored = (m: ObjectModel, u: Unit): boolean =>
    m.ignoredFunctions.has(u.name) || m.ignoredSections.has(u.section.name);

  // 1. Functions: compare each correlated pair, children included.
  const changedUnits = new Map<Unit, string[]>();
  for (const [ou, pu] of correlation.twinOfOrig) {
    if (ou.kind !== "function" || ignored(o, ou) || ignored(p, pu)) continue;
    const d = compareUnits(sides, ou, pu);
    if (!d) continue;
    if (d.bytesOnly && lineOnlyChange(sides, ou, pu, d.byteRanges)) {
      lineOnly.push(ou.name);
      continue;
    }
    changedUnits.set(ou, [...d.reasons]);
  }

  // 2. Fold children into their top-level function.
  const rootOf = (u: Unit): Unit => {
    let r = u;
    for (let i = 0; r.parent && i < 8; i++) r = r.parent;
    return r;
  };
  const changedRoots = new Map<Unit, string[]>();
  const markChanged = (root: Unit, reason: string): void => {
    const list = changedRoots.get(root);
    if (list) list.push(reason);
    else changedRoots.set(root, [reason]);
  };
  for (const [ou, why] of changedUnits) {
    const root = rootOf(ou);
    if (root === ou) for (const r of why) markChanged(root, r);
    else markChanged(root, `child ${ou.name} changed (${why.join("; ")})`);
  }
  const newRoots: Unit[] = [];
  for (const pu of p.units) {
    if (pu.kind !== "function" || pu.aliasOf || correlation.twinOfPatched.has(pu) || ignored(p, pu)) continue;
    const proot = rootOf(pu);
    if (proot === pu) {
      newRoots.push(pu);
      continue;
    }
    const oroot = correlation.twinOfPatched.get(proot);
    if (oroot) markChanged(oroot, `child ${pu.name} added`);
  }
  const deletedRoots: Unit[] = [];
  for (const ou of o.units) {
    if (ou.kind !== "function" || ou.aliasOf || correlation.twinOfOrig.has(ou) || ignored(o, ou)) continue;
    const root = rootOf(ou);
    if (root === ou) deletedRoots.push(ou);
    else if (correlation.twinOfOrig.has(root)) markChanged(root, `child ${ou.name} removed`);
  }

  // 3. What a livepatch cannot replace: init code, functions without an ftrace entry, ppc64le tail calls.
  const changed: Unit[] = [];
  for (const [ou, why] of changedRoots) {
    if (ou.role === "init") {
      unsupported.push(`changed init section ${ou.section.name}: ${ou.name} (${why.join("; ")})`);
      continue;
    }
    changed.push(ou);
    for (const r of why) addReason(ou.name, r);
    if (!o.hasPatchableEntry(ou)) {
      addReason(ou.name, "no patchable entry");
      unsupported.push(
        `no patchable entry: ${ou.name} has no __fentry__/mcount call and no __patchable_function_entries record, ftrace cannot redirect it`,
      );
    }
  }

  // 4. New functions: those the patch module would carry — reached from a changed function, a new
  //    global, or kpatch callback/hook sections (kpatch prints only the ones it includes).
  const included = includedNewUnits(sides, changed, newRoots);
  const newFunctions = newRoots.filter((u) => included.has(u) && u.role !== "init");
  for (const u of newFunctions) addReason(u.name, "new function");

  if (p.arch === "ppc64") {
    const carried = [
      ...changed.map((u) => ({ name: u.name, unit: correlation.twinOfOrig.get(u)! })),
      ...newFunctions.map((u) => ({ name: u.name, unit: u })),
    ];
    for (const { name, unit } of carried) {
      for (const call of siblingCalls(p, unit)) {
        unsupported.push(
          `sibling call at ${call}: the livepatched ${name} could not restore its TOC (ppc64le)`,
        );
        addReason(name, `sibling call at ${call}`);
      }
    }
  }

  // 5. Data objects.
  const changedData: { name: string; reasons: string[] }[] = [];
  const usedByPatch = included.usedData;
  for (const [ou, pu] of correlation.twinOfOrig) {
    if (ou.kind !== "object" || ignored(o, ou) || ignored(p, pu)) continue;
    if (ou.role !== "data" && ou.role !== "rodata" && ou.role !== "init") continue;
    const d = compareUnits(sides, ou, pu);
    if (!d) continue;
    const why = [...d.reasons];
    const section = ou.section.name;
    if (ou.role === "init") {
      unsupported.push(`changed init section ${section}: ${ou.name}`);
    } else if (ou.role === "data" || isWritable(ou.section)) {
      // .data.once / .data.unlikely hold only WARN_ONCE-style flags (kpatch allows them).
      if (section === ".data.once" || section === ".data.unlikely") continue;
      unsupported.push(`data section ${section} changed: ${ou.name} (${why.join("; ")})`);
    } else if (usedByPatch.has(pu)) {
      why.push("read-only: copied with the patched functions that use it");
    } else {
      unsupported.push(`read-only data ${ou.name} in ${section} changed and no changed function uses it`);
    }
    changedData.push({ name: ou.name, reasons: why });
    for (const r of why) addReason(ou.name, `data: ${r}`);
  }

  for (const { variable, user } of correlation.removedStaticReferences) {
    unsupported.push(`reference to static local variable ${variable} in ${user} was removed`);
  }

  const renamed: { orig: string; patched: string; how: string }[] = [];
  for (const [ou, how] of correlation.how) {
    if (how !== "same name")
      renamed.push({ orig: ou.name, patched: correlation.twinOfOrig.get(ou)!.name, how });
  }

  const verdict: DiffVerdict =
    unsupported.length > 0
      ? "unsupported"
      : changed.length + newFunctions.length > 0
        ? "patchable"
        : "no-change";
  return {
    orig: orig.path,
    patched: patched.path,
    machine: orig.header.machineName,
    verdict,
    changed: changed.map((u) =>
      functionChange(sides, u, correlation.twinOfOrig.get(u)!, reasons[u.name] ?? []),
    ),
    new: newFunctions.map((u) => functionChange(sides, null, u, reasons[u.name] ?? [])),
    deleted: deletedRoots.map((u) => ({
      name: u.name,
      patchedName: null,
      size: u.end - u.start,
      bind: bindOf(u),
      reasons: ["deleted"],
      references: [],
    })),
    changedData,
    unsupported,
    reasons,
    lineOnly,
    renamed,
  };
}

/** ppc64le tail calls (`b`, not `bl`) from a function or its children to another function. */
function siblingCalls(p: ObjectModel, unit: Unit): string[] {
  const found: string[] = [];
  for (const part of [unit, ...unit.children]) {
    const bytes = p.bytesOf(part);
    if (!bytes) continue;
    for (const r of p.relocationsOf(part)) {
      if (r.target.kind !== "symbol") continue;
      const at = r.offset - part.start;
      if (!isPpc64SiblingCall(r.typeName, bytes, Number(at))) continue;
      const target = p.unitOfSymbol(r.target.symbol.index);
      // Jumps between a function and its own split parts stay inside the patched code.
      if (target && (target === part || target.parent === part || part.parent === target)) continue;
      found.push(`${part.name}+0x${at.toString(16)} to ${r.target.symbol.name}`);
    }
  }
  return found;
}

function lineOnlyChange(
  sides: Sides,
  ou: Unit,
  pu: Unit,
  ranges: readonly (readonly [number, number])[],
): boolean {
  const ob = sides.orig.bytesOf(ou);
  const pb = sides.patched.bytesOf(pu);
  if (!ob || !pb) return false;
  return isLineOnlyChange({
    arch: sides.orig.arch,
    endianness: sides.orig.file.header.endianness,
    orig: ob,
    patched: pb,
    relocations: sides.orig.relocationsOf(ou).map((r) => ({
      offset: Number(r.offset - ou.start),
      typeName: r.typeName,
      target: r.target,
    })),
    ranges,
  });
}

interface Included extends Set<Unit> {
  usedData: Set<Unit>;
}

/**
 * The patched units a livepatch module would carry: changed functions, then everything new they
 * reach through relocations (new functions, new or changed data), new global functions and
 * whatever kpatch's callback and hook sections point at.
 */
function includedNewUnits(sides: Sides, changed: readonly Unit[], newRoots: readonly Unit[]): Included {
  const { patched: p, correlation } = sides;
  const included = new Set<Unit>() as Included;
  included.usedData = new Set();
  const queue: Unit[] = [];
  const visit = (u: Unit): void => {
    const unit = u.aliasOf ?? u;
    if (included.has(unit)) return;
    included.add(unit);
    queue.push(unit);
  };
  for (const ou of changed) {
    const pu = correlation.twinOfOrig.get(ou)!;
    visit(pu);
  }
  for (const u of newRoots) if (u.symbol.bind !== 0) visit(u);
  for (const section of p.file.sections) {
    if (!section.name.startsWith(".kpatch.") || section.name.startsWith(".kpatch.ignore")) continue;
    for (const r of p.relocations(section)) {
      if (r.target.kind !== "symbol") continue;
      const u = p.unitOfSymbol(r.target.symbol.index);
      if (u) visit(u);
    }
  }
  while (queue.length > 0) {
    const u = queue.pop()!;
    for (const part of [u, ...u.children]) {
      if (part !== u) included.add(part);
      for (const r of p.relocationsOf(part)) {
        const final = finalTarget(r.target);
        if (final.kind !== "symbol") continue;
        const t = p.unitOfSymbol(final.symbol.index);
        if (!t) continue;
        const target = t.aliasOf ?? t;
        if (target.kind === "object") included.usedData.add(target);
        const twin = correlation.twinOfPatched.get(target);
        // A unit with an unchanged twin is referenced in the running kernel, not carried.
        if (twin && target.kind === "function") continue;
        if (!twin) visit(target);
      }
    }
  }
  return included;
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
