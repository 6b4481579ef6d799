// Correlation: which function or data object of the patched object is the same one as in the
// original, although compilers renumber clones (.isra.N), static locals (var.N), __UNIQUE_ID_
// counters and rehash every ThinLTO-promoted name (.llvm.<hash>) when a file is rebuilt.
import { correlationKey, isSpecialStatic, llvmHash, stripLlvmSuffix } from "../lib/symbol-name.js";
import type { ObjectModel, RelocTarget, Unit } from "./object-model.js";

export interface Correlation {
  readonly twinOfOrig: ReadonlyMap<Unit, Unit>;
  readonly twinOfPatched: ReadonlyMap<Unit, Unit>;
  /** How each correlated orig unit found its twin: "same name", "renumbered", "static local used by f", … */
  readonly how: ReadonlyMap<Unit, string>;
  /** References to static locals that the patched object lost (kpatch refuses these). */
  readonly removedStaticReferences: readonly {
    readonly variable: string;
    readonly user: string;
    readonly why: string;
  }[];
}

/** kpatch is_special_static: WARN_ONCE flags live in .data.once; pr_debug descriptors in __dyndbg/__verbose. */
export function isSpecialStaticSection(name: string): boolean {
  return name === "__dyndbg" || name === "__verbose" || name === ".data.once";
}

/**
 * Statics the compiler or kernel macros create (`__warned`, `__func__`, `_rs`, `CSWTCH`, …): not
 * correlated at all, compared by name in relocations. `__UNIQUE_ID_<name><N>` is the exception: it
 * correlates with its counter dropped, like kpatch does.
 */
export function isUncorrelatedStatic(unit: Unit): boolean {
  if (unit.kind !== "object") return false;
  if (isSpecialStaticSection(unit.section.name)) return true;
  return isSpecialStatic(unit.name) && !unit.name.startsWith("__UNIQUE_ID_");
}

/** A function-scope static: gcc `var.N`, clang `func.var` (possibly with a ThinLTO hash). Correlated by use. */
export function isStaticLocal(unit: Unit): boolean {
  if (unit.kind !== "object" || unit.name.startsWith("__UNIQUE_ID_") || unit.name.startsWith(".L"))
    return false;
  return stripLlvmSuffix(unit.name).includes(".") && !isUncorrelatedStatic(unit);
}

/** The pairs found so far, and how each was found. */
interface Pairing {
  readonly twinOfOrig: Map<Unit, Unit>;
  readonly twinOfPatched: Map<Unit, Unit>;
  readonly how: Map<Unit, string>;
}

function pair(pairs: Pairing, o: Unit, p: Unit, reason: string): void {
  pairs.twinOfOrig.set(o, p);
  pairs.twinOfPatched.set(p, o);
  pairs.how.set(o, reason);
}

/** Correlated by name (steps 1 and 2), not by use. */
function byName(u: Unit): boolean {
  return u.aliasOf === null && !isUncorrelatedStatic(u) && !isStaticLocal(u);
}

export function correlate(orig: ObjectModel, patched: ObjectModel): Correlation {
  const pairs: Pairing = { twinOfOrig: new Map(), twinOfPatched: new Map(), how: new Map() };
  const leftOrig = pairBySameName(pairs, orig, patched);
  pairByCorrelationKey(pairs, orig, patched, leftOrig);
  pairStaticLocalsByUse(pairs, orig, patched);
  const removedStaticReferences = lostStaticReferences(pairs, orig, patched);
  return { ...pairs, removedStaticReferences };
}

function pairBySameName(pairs: Pairing, orig: ObjectModel, patched: ObjectModel): Unit[] {
  const { twinOfPatched } = pairs;
  // 1. Same plain name, same kind. Names with renumberable parts (foo.constprop.9, .llvm.<hash>,
  //    __UNIQUE_ID_x12) carry no identity: gcc may hand the numbers out differently (kpatch issue 935).
  const patchedByName = new Map<string, Unit[]>();
  for (const p of patched.units) {
    if (!byName(p)) continue;
    const list = patchedByName.get(p.name);
    if (list) list.push(p);
    else patchedByName.set(p.name, [p]);
  }
  const leftOrig: Unit[] = [];
  for (const o of orig.units) {
    if (!byName(o)) continue;
    const p =
      correlationKey(o.name) === o.name
        ? patchedByName.get(o.name)?.find((c) => c.kind === o.kind && !twinOfPatched.has(c))
        : undefined;
    if (p) pair(pairs, o, p, "same name");
    else leftOrig.push(o);
  }
  return leftOrig;
}

function pairByCorrelationKey(
  pairs: Pairing,
  orig: ObjectModel,
  patched: ObjectModel,
  leftOrig: readonly Unit[],
): void {
  const { twinOfOrig, twinOfPatched } = pairs;
  // 2. Same name once clone numbers, __UNIQUE_ID_ counters and .llvm.<hash> are dropped. Within a
  //    family of several (foo.constprop.9, foo.constprop.10) the numbers say nothing: identical
  //    bytes pair first, then equal size, then symbol-table order.
  const patchedByKey = new Map<string, Unit[]>();
  for (const p of patched.units) {
    if (!byName(p) || twinOfPatched.has(p)) continue;
    const key = `${p.kind}:${correlationKey(p.name)}`;
    const list = patchedByKey.get(key);
    if (list) list.push(p);
    else patchedByKey.set(key, [p]);
  }
  const origByKey = new Map<string, Unit[]>();
  for (const o of leftOrig) {
    const key = `${o.kind}:${correlationKey(o.name)}`;
    const list = origByKey.get(key);
    if (list) list.push(o);
    else origByKey.set(key, [o]);
  }
  // ThinLTO hashes identify the source module: a .llvm. name found whole on both sides is the same
  // module's symbol, and once one symbol shows module hash H became H', H's others became H' too.
  const hashMap = new Map<string, string>();
  const learnHash = (o: Unit, p: Unit): void => {
    const oh = llvmHash(o.name);
    const ph = llvmHash(p.name);
    if (oh !== null && ph !== null && !hashMap.has(oh)) hashMap.set(oh, ph);
  };
  const groups = [...origByKey].map(([key, origs]) => ({ origs, candidates: patchedByKey.get(key) ?? [] }));
  const tiers: ((o: Unit, p: Unit, single: boolean) => boolean)[] = [
    (o, p, single) => o.name === p.name && (single || llvmHash(o.name) !== null),
    (o, p, single) => single && llvmHash(o.name) !== null && llvmHash(p.name) !== null,
    (o, p) => {
      const oh = llvmHash(o.name);
      return oh !== null && hashMap.get(oh) === llvmHash(p.name);
    },
    (o, p) => sameBytes(orig, o, patched, p),
    (o, p) => o.end - o.start === p.end - p.start,
    () => true,
  ];
  // Each tier runs over every family before the next, so hashes learnt from sure pairs guide the rest.
  for (const fits of tiers) {
    for (const { origs, candidates } of groups) {
      const single = origs.length === 1 && candidates.length === 1;
      for (const o of origs) {
        if (twinOfOrig.has(o)) continue;
        const p = candidates.find((c) => !twinOfPatched.has(c) && fits(o, c, single));
        if (!p) continue;
        pair(pairs, o, p, o.name === p.name ? "same name" : renameReason(o.name, p.name));
        learnHash(o, p);
      }
    }
  }
}

function pairStaticLocalsByUse(pairs: Pairing, orig: ObjectModel, patched: ObjectModel): void {
  const { twinOfOrig, twinOfPatched } = pairs;
  // 3. Static locals, by use: the variable a correlated function references is the twin of the one
  //    its twin (or the twin's split parts) references under the same name, with the same size
  //    (kpatch correlates these only this way: the numbers gcc appends are not stable).
  //    A static local may be used only by another one (a static struct pointing at a static
  //    array): repeat until no pair is added, so users correlated late still lead to theirs.
  for (let added = true; added; ) {
    added = false;
    for (const o of orig.units) {
      const p = twinOfOrig.get(o);
      if (!p) continue;
      for (const r of orig.relocationsOf(o)) {
        const variable = referencedUnit(orig, r.target);
        if (!variable || variable === o || !isStaticLocal(variable) || twinOfOrig.has(variable)) continue;
        const key = correlationKey(variable.name);
        const size = variable.end - variable.start;
        const candidate = findReference(
          patched,
          withChildren(p),
          (c) =>
            !twinOfPatched.has(c) &&
            isStaticLocal(c) &&
            c.end - c.start === size &&
            correlationKey(c.name) === key,
        );
        if (candidate) {
          pair(pairs, variable, candidate, `static local used by ${o.name}`);
          added = true;
        }
      }
    }
  }
}

function lostStaticReferences(
  pairs: Pairing,
  orig: ObjectModel,
  patched: ObjectModel,
): Correlation["removedStaticReferences"] {
  const { twinOfOrig } = pairs;
  // 4. Every reference to a static local must survive: the user's twin (or, for a split part
  //    that is gone, its function's twin) must reference the variable's twin. kpatch refuses
  //    otherwise — it cannot tell whether the variable is still the same one.
  const removedStaticReferences: { variable: string; user: string; why: string }[] = [];
  const seen = new Set<string>();
  for (const u of orig.units) {
    if (u.aliasOf) continue;
    for (const r of orig.relocationsOf(u)) {
      const variable = referencedUnit(orig, r.target);
      if (!variable || variable === u || !isStaticLocal(variable)) continue;
      const key = `${variable.name}\u0000${u.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let user: Unit | null = u;
      while (user && !twinOfOrig.has(user)) user = user.parent;
      const twinUser = user ? twinOfOrig.get(user) : undefined;
      const twinVariable = twinOfOrig.get(variable);
      if (!twinUser || !twinVariable) {
        removedStaticReferences.push({
          variable: variable.name,
          user: u.name,
          why: twinUser
            ? "no patched function uses a variable of that name and size"
            : `${u.name} is gone from the patched object`,
        });
      } else if (!findReference(patched, withChildren(twinUser), (c) => c === twinVariable)) {
        removedStaticReferences.push({
          variable: variable.name,
          user: u.name,
          why: `it is correlated with ${twinVariable.name}, but the patched ${twinUser.name} does not reference it`,
        });
      }
    }
  }
  return removedStaticReferences;
}

function referencedUnit(model: ObjectModel, target: RelocTarget): Unit | undefined {
  let t = target;
  while (t.kind === "indirect") t = t.via.target;
  if (t.kind !== "symbol") return undefined;
  const u = model.unitOfSymbol(t.symbol.index);
  return u ? (u.aliasOf ?? u) : undefined;
}

function withChildren(u: Unit): Unit[] {
  const all = [u];
  for (let i = 0; i < all.length; i++) all.push(...all[i]!.children);
  return all;
}

function findReference(
  model: ObjectModel,
  users: readonly Unit[],
  fits: (u: Unit) => boolean,
): Unit | undefined {
  for (const user of users) {
    for (const r of model.relocationsOf(user)) {
      const u = referencedUnit(model, r.target);
      if (u && fits(u)) return u;
    }
  }
  return undefined;
}

function sameBytes(om: ObjectModel, o: Unit, pm: ObjectModel, p: Unit): boolean {
  if (o.end - o.start !== p.end - p.start) return false;
  const a = om.bytesOf(o);
  const b = pm.bytesOf(p);
  if (!a || !b) return a === b;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function renameReason(origName: string, patchedName: string): string {
  const oh = llvmHash(origName);
  const ph = llvmHash(patchedName);
  if (oh !== null && ph !== null && stripLlvmSuffix(origName) === stripLlvmSuffix(patchedName))
    return "ThinLTO hash changed";
  return `renumbered ${origName} → ${patchedName}`;
}
