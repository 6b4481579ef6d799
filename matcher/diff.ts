// The diff step: which functions of an object did a patch change, the way kpatch-build's
// create-diff-object decides it — with the reason for every decision kept as data.
import { ET_REL } from "../elf/constants.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "../lib/input-error.js";
import { correlationKey, llvmHash } from "../lib/symbol-name.js";
import { isWritable, modelObject, type ObjectModel, type RelocTarget, type Unit } from "./bundle.js";
import { carriedUnits } from "./carry.js";
import { compareUnits, type Sides } from "./compare.js";
import { correlate, isUncorrelatedStatic } from "./correlate.js";
import { isPpc64SiblingCall } from "./diff-arch.js";
import { isLineOnlyChange } from "./line-only.js";
import { changedAnonymousSections, isAlwaysCarried } from "./sections.js";

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
  /** New data objects the patch module carries (new globals, variables the changed code uses). */
  readonly newData: readonly string[];
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
      `ELF header flags 0x${p.flags.toString(16)} differ from ${orig.path}'s 0x${o.flags.toString(16)}: built with other ABI options`,
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
  const { orig: o, patched: p, correlation } = sides;
  const orig = o.file;
  const patched = p.file;
  const { twinOfOrig, twinOfPatched } = correlation;
  const reasons: Record<string, string[]> = {};
  const unsupported: string[] = [];
  const lineOnly: string[] = [];
  const addReason = (name: string, reason: string): void => {
    const list = reasons[name];
    if (list) {
      if (!list.includes(reason)) list.push(reason);
    } else reasons[name] = [reason];
  };
  const ignored = (m: ObjectModel, u: Unit): boolean => {
    for (let x: Unit | null = u; x; x = x.parent) {
      if (m.ignoredFunctions.has(x.name) || m.ignoredSections.has(x.section.name)) return true;
    }
    return false;
  };

  // 1. Functions: compare each correlated pair, split parts included.
  const changedFunctions = new Map<Unit, string[]>();
  for (const [ou, pu] of twinOfOrig) {
    if (ou.kind !== "function" || ignored(o, ou) || ignored(p, pu)) continue;
    const why: string[] = [];
    const moved = sectionMove(ou, pu);
    if (moved === "fatal") {
      unsupported.push(`symbol changed sections: ${ou.name} (${ou.section.name} → ${pu.section.name})`);
      addReason(ou.name, `moved from ${ou.section.name} to ${pu.section.name}`);
    } else if (moved) why.push(moved);
    const infoChange = symbolInfoChange(ou, pu);
    if (infoChange) {
      unsupported.push(`symbol info mismatch: ${ou.name} (${infoChange})`);
      addReason(ou.name, infoChange);
    }
    const d = compareUnits(sides, ou, pu);
    if (d?.bytesOnly && why.length === 0 && lineOnlyChange(sides, ou, pu, d.byteRanges)) {
      lineOnly.push(ou.name);
      continue;
    }
    if (d) why.push(...d.reasons);
    if (why.length > 0) changedFunctions.set(ou, why);
  }

  // 2. Split parts: a changed part without its own ftrace entry (.cold) changes the function it
  //    belongs to; a part with its own entry (.part.N usually has one) is patched on its own.
  const topOf = (u: Unit): Unit => {
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
  const partsWithEntry: [Unit, string[]][] = [];
  for (const [ou, why] of changedFunctions) {
    if (!ou.parent) {
      for (const r of why) markChanged(ou, r);
    } else if (o.hasPatchableEntry(ou)) {
      partsWithEntry.push([ou, why]);
    } else {
      let parent: Unit | null = ou.parent;
      while (parent && (!twinOfOrig.has(parent) || (parent.parent && !o.hasPatchableEntry(parent))))
        parent = parent.parent;
      // No correlated function above it (its parent is gone from the patched object): on its own.
      if (parent) markChanged(parent, `child ${ou.name} changed (${why.join("; ")})`);
      else for (const r of why) markChanged(ou, r);
    }
  }
  const newRoots: Unit[] = [];
  for (const pu of p.units) {
    if (pu.kind !== "function" || pu.aliasOf || twinOfPatched.has(pu) || ignored(p, pu)) continue;
    if (!pu.parent || !twinOfPatched.has(topOf(pu))) {
      if (topOf(pu) === pu) newRoots.push(pu);
      continue;
    }
    const parent = twinOfPatched.get(topOf(pu))!;
    markChanged(parent, `child ${pu.name} added`);
  }
  const deleted: Unit[] = [];
  for (const ou of o.units) {
    if (ou.kind !== "function" || ou.aliasOf || twinOfOrig.has(ou) || ignored(o, ou)) continue;
    const top = topOf(ou);
    if (top === ou) deleted.push(ou);
    else if (twinOfOrig.has(top)) markChanged(top, `child ${ou.name} removed`);
  }

  // A changed part with its own entry goes with its function when that changed too (the patched
  // function calls the patched part); alone, it is the only place the change can be patched —
  // kpatch copies it but lists nothing then, which would silently drop the change.
  for (const [ou, why] of partsWithEntry) {
    const top = topOf(ou);
    if (changedRoots.has(top)) markChanged(top, `child ${ou.name} changed (${why.join("; ")})`);
    else {
      for (const r of why) markChanged(ou, r);
      markChanged(
        ou,
        `split part of ${top.name} with its own ftrace entry, changed alone: patched on its own (kpatch would list nothing)`,
      );
    }
  }
  // 3. What a livepatch cannot replace: init code, code in shared sections, functions without an
  //    ftrace entry.
  const changed: Unit[] = [];
  for (const [ou, why] of changedRoots) {
    if (ou.role === "init") {
      unsupported.push(`changed init section ${ou.section.name}: ${ou.name} (${why.join("; ")})`);
      for (const r of why) addReason(ou.name, r);
      continue;
    }
    if (!ou.bundled) {
      unsupported.push(
        `changed section ${ou.section.name} not selected for inclusion: ${ou.name} has no section of its own (built without -ffunction-sections, or placed by an attribute)`,
      );
      for (const r of why) addReason(ou.name, r);
      continue;
    }
    changed.push(ou);
    for (const r of why) addReason(ou.name, r);
    if (!o.hasPatchableEntry(ou)) {
      addReason(ou.name, "no patchable entry");
      unsupported.push(
        `no patchable entry: ${ou.name} has no __fentry__/mcount call and no __mcount_loc/__patchable_function_entries record, ftrace cannot redirect it`,
      );
    }
  }

  // 4. Data objects.
  const changedObjects = new Map<Unit, string[]>();
  for (const [ou, pu] of twinOfOrig) {
    if (ou.kind !== "object" || ignored(o, ou) || ignored(p, pu)) continue;
    // kpatch refuses a correlated object whose size changed ("object size mismatch"): code in the
    // running kernel still uses the old layout.
    if (ou.symbol.size !== pu.symbol.size) {
      unsupported.push(`object size mismatch: ${ou.name} (${ou.symbol.size} → ${pu.symbol.size} bytes)`);
      addReason(ou.name, `size ${ou.symbol.size} → ${pu.symbol.size}`);
    }
    if (ou.role !== "data" && ou.role !== "rodata" && ou.role !== "init") continue;
    const d = compareUnits(sides, ou, pu);
    if (d) changedObjects.set(ou, [...d.reasons]);
  }

  // 5. What the module carries; new functions are the carried ones (kpatch prints only those).
  const roots = changed.map((u) => twinOfOrig.get(u)!);
  const carried = carriedUnits(
    sides,
    roots,
    new Set([...changedObjects.keys()].map((u) => twinOfOrig.get(u)!)),
  );
  // kpatch lists every carried new function, init code included (it is copied, never run).
  const newFunctions = newRoots.filter((u) => carried.units.has(u));
  for (const u of newFunctions) addReason(u.name, "new function");

  if (p.arch === "ppc64") {
    // Only livepatched (changed) functions: the livepatch stub saves the caller's TOC on its
    // stack, which a tail call skips. New functions are called directly from the module.
    const patchedCode = changed.map((u) => ({ name: u.name, unit: twinOfOrig.get(u)! }));
    for (const { name, unit } of patchedCode) {
      for (const call of siblingCalls(p, unit)) {
        unsupported.push(
          `sibling call at ${call}: the livepatched ${name} could not restore its TOC (ppc64le)`,
        );
        addReason(name, `sibling call at ${call}`);
      }
    }
  }

  const changedData: { name: string; reasons: string[] }[] = [];
  for (const [ou, why] of changedObjects) {
    const pu = twinOfOrig.get(ou)!;
    const section = ou.section.name;
    if (ou.role === "init") {
      unsupported.push(`changed init section ${section}: ${ou.name}`);
    } else if (ou.role === "data" || isWritable(ou.section)) {
      if (isOnceFlagSection(section)) continue;
      unsupported.push(`data section ${section} changed: ${ou.name} (${why.join("; ")})`);
    } else if (section === ".rodata" || carried.units.has(pu)) {
      why.push("read-only: carried with the patched code that uses it");
    } else {
      unsupported.push(
        `changed section ${section} not selected for inclusion: no changed function uses ${ou.name}`,
      );
    }
    changedData.push({ name: ou.name, reasons: why });
    for (const r of why) addReason(ou.name, `data: ${r}`);
  }

  // 6. Sections with nothing named in them (anonymous data, strings, kernel tables).
  for (const change of changedAnonymousSections(sides)) {
    const name = change.section.name;
    if (isAlwaysCarried(change.patched)) continue;
    const carriedUnitInside = p.unitsIn(change.patched).some((u) => carried.units.has(u));
    if (carried.sections.has(change.patched) || carriedUnitInside) {
      if (/^\.(data|bss)/.test(name) && !isOnceFlagSection(name)) {
        unsupported.push(
          `data section ${name} selected for inclusion: it changed (${change.reasons.join("; ")})`,
        );
      }
      continue;
    }
    unsupported.push(`changed section ${name} not selected for inclusion (${change.reasons.join("; ")})`);
  }

  for (const { variable, user, why } of correlation.removedStaticReferences) {
    unsupported.push(`reference to static local variable ${variable} in ${user} was removed: ${why}`);
  }

  const newData = p.units
    .filter(
      (u) => u.kind === "object" && carried.units.has(u) && !twinOfPatched.has(u) && !isUncorrelatedStatic(u),
    )
    .map((u) => u.name);

  const renamed: { orig: string; patched: string; how: string }[] = [];
  for (const [ou, how] of correlation.how) {
    const pu = twinOfOrig.get(ou)!;
    if (pu.name !== ou.name) renamed.push({ orig: ou.name, patched: pu.name, how });
  }

  const anythingToPatch = changedFunctions.size > 0 || carried.newGlobals > 0 || carried.callbacks;
  const verdict: DiffVerdict =
    unsupported.length > 0 ? "unsupported" : anythingToPatch ? "patchable" : "no-change";
  return {
    orig: orig.path,
    patched: patched.path,
    machine: orig.header.machineName,
    verdict,
    changed: changed.map((u) => functionChange(sides, u, twinOfOrig.get(u)!, reasons[u.name] ?? [])),
    new: newFunctions.map((u) => functionChange(sides, null, u, reasons[u.name] ?? [])),
    deleted: deleted.map((u) => ({
      name: u.name,
      patchedName: null,
      size: u.end - u.start,
      bind: bindOf(u),
      reasons: ["deleted"],
      references: [],
    })),
    changedData,
    newData,
    unsupported,
    reasons,
    lineOnly,
    renamed,
  };
}

/** kpatch allows changes in .data.once / .data.unlikely: they hold only WARN_ONCE-style flags. */
function isOnceFlagSection(name: string): boolean {
  return name === ".data.once" || name === ".data.unlikely";
}

/** Moving between .text/.text.hot/.text.unlikely is a change; any other section move is not patchable. */
function sectionMove(ou: Unit, pu: Unit): string | "fatal" | null {
  const a = ou.section.name;
  const b = pu.section.name;
  if (correlationKey(a) === correlationKey(b)) return null;
  const family = (u: Unit): string => {
    const n = u.section.name;
    if (!u.bundled) return `shared:${correlationKey(n)}`;
    return "text";
  };
  if (family(ou) !== family(pu)) return "fatal";
  const sub = (n: string): string =>
    n.startsWith(".text.unlikely.") ? "unlikely" : n.startsWith(".text.hot.") ? "hot" : "normal";
  return sub(a) !== sub(b) ? `moved from ${a} to ${pu.section.name}` : null;
}

/** kpatch refuses a correlated symbol whose type or binding changed ("symbol info mismatch"). */
function symbolInfoChange(ou: Unit, pu: Unit): string | null {
  // A ThinLTO rebuild may promote a local differently: the .llvm. suffix says so, not a patch.
  if (llvmHash(ou.name) !== null || llvmHash(pu.name) !== null) return null;
  if (ou.symbol.type !== pu.symbol.type) return `type ${ou.symbol.typeName} → ${pu.symbol.typeName}`;
  if (ou.symbol.bind !== pu.symbol.bind) return `binding ${ou.symbol.bindName} → ${pu.symbol.bindName}`;
  return null;
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
