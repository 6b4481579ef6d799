// Where each candidate lies among the orig object's unique-named symbols (the linker keeps one
// object's sections together), and which candidate that singles out.
import { isStubSymbol } from "../../lib/symbol-name.js";
import { candidateKey, kindOfType } from "../candidates.js";
import { type OrigProfile, type OrigSymbol, origSymbolFor } from "./orig-profile.js";
import type { TargetView } from "./target-view.js";

export type Placement = "enclosed" | "edge" | "outside" | "later-in-run";

export interface NeighbourhoodScore {
  readonly position: number;
  /** Unique-named symbols of the orig object (same section group) found walking down / up. */
  readonly leftAnchors: readonly string[];
  readonly rightAnchors: readonly string[];
  /** Same-named candidates lying next to each other (a merged `.text.<name>` section), ≥ 1. */
  readonly runLength: number;
  readonly runIndex: number;
  readonly placement: Placement;
  readonly score: number;
  /** Anchors that are globals of the orig object: certainly its own symbols. */
  readonly globalAnchors: number;
}

/** Walks longer than this stop: an object's block is never this long in practice. */
const WALK_LIMIT = 4000;

interface Walk {
  readonly anchors: string[];
  /** How many anchors are orig globals (a unique global name is surely the object's own). */
  globals: number;
  /** Why the walk stopped: the first symbol not from the orig object, another copy, or the end. */
  readonly stop: string;
}

function walk(
  view: TargetView,
  fromRank: number,
  step: 1 | -1,
  profile: OrigProfile,
  fn: OrigSymbol,
  key: string,
): Walk {
  const obj = view.obj;
  const anchors: string[] = [];
  const found = { anchors, globals: 0 };
  let steps = 0;
  for (let r = fromRank; r >= 0 && r < view.count; r += step) {
    if (++steps > WALK_LIMIT) return { ...found, stop: "walk limit" };
    const p = view.positionAt(r);
    const name = obj.nameAt(p);
    if (isStubSymbol(name)) continue;
    // by address, code and data lie apart; in symtab order one file's locals mix both
    if (!view.symtabOrder && kindOfType(obj.typeAt(p)) !== fn.kind) continue;
    if (candidateKey(name) === key) return { ...found, stop: `another '${name}'` };
    const orig = origSymbolFor(profile, name);
    if (orig === undefined) return { ...found, stop: `'${name}' (not in the orig object)` };
    if (view.symtabOrder) {
      // the globals follow every file's locals: reaching one means the file's locals ended
      if (orig.global) return { ...found, stop: `'${name}' (a global: the locals ended)` };
      if (obj.positionsOf(name).length === 1) anchors.push(name);
      continue;
    }
    // an anchor: a name of the orig object, in the same section group, that only one kernel symbol has
    if (orig.kind === fn.kind && orig.section === fn.section && obj.positionsOf(name).length === 1) {
      anchors.push(name);
      if (orig.global) found.globals++;
    }
  }
  return { ...found, stop: "end of table" };
}

/**
 * Scores every candidate by the orig object's unique-named symbols around it. The walk from a
 * candidate goes outward over symbols of its kind until a symbol the orig object does not have
 * (the object's block ended) or another copy of the name. Adjacent copies form a run — a merged
 * `.text.<name>` output section, which `ld -r` of vmlinux.o/modules places where its first input
 * lies — so a run enclosed by the object on both sides starts with the object's own copy.
 */
export function neighbourhood(
  view: TargetView,
  profile: OrigProfile,
  fn: OrigSymbol,
  candidates: readonly number[],
): NeighbourhoodScore[] {
  const obj = view.obj;
  const key = candidateKey(fn.name);
  const isCopy = (r: number) => {
    const p = view.positionAt(r);
    const name = obj.nameAt(p);
    return candidateKey(name) === key && kindOfType(obj.typeAt(p)) === fn.kind;
  };
  const skippable = (r: number) => {
    const p = view.positionAt(r);
    return isStubSymbol(obj.nameAt(p)) || (!view.symtabOrder && kindOfType(obj.typeAt(p)) !== fn.kind);
  };
  const edgeOfRun = (r: number, step: 1 | -1) => {
    let edge = r;
    for (let s = r + step; s >= 0 && s < view.count; s += step) {
      if (skippable(s)) continue;
      if (!isCopy(s)) break;
      edge = s;
    }
    return edge;
  };
  // Candidates in kallsyms-view order: a run is a contiguous stretch of ranks, so each run is found
  // and walked once, and a candidate's index in it is its order of arrival — O(N log N) for N copies.
  interface Run {
    readonly end: number;
    readonly members: number[];
    readonly left: Walk;
    readonly right: Walk;
  }
  const byRank = [...candidates].sort((a, b) => view.rankOf(a) - view.rankOf(b));
  const runOf = new Map<number, { run: Run; index: number }>();
  let run: Run | undefined;
  for (const p of byRank) {
    const r = view.rankOf(p);
    if (run === undefined || r > run.end) {
      const start = edgeOfRun(r, -1);
      const end = edgeOfRun(r, 1);
      run = {
        end,
        members: [],
        left: walk(view, start - 1, -1, profile, fn, key),
        right: walk(view, end + 1, 1, profile, fn, key),
      };
    }
    runOf.set(p, { run, index: run.members.length });
    run.members.push(p);
  }
  return candidates.map((p) => {
    const { run, index: runIndex } = runOf.get(p)!;
    const members = run.members;
    const left = run.left.anchors;
    const right = run.right.anchors;
    const both = left.length > 0 && right.length > 0;
    let placement: Placement;
    if (members.length > 1 && both && runIndex > 0) placement = "later-in-run";
    else if (both) placement = "enclosed";
    else if (left.length + right.length > 0) placement = "edge";
    else placement = "outside";
    return {
      position: p,
      leftAnchors: left,
      rightAnchors: right,
      runLength: members.length,
      runIndex,
      placement,
      score: placement === "later-in-run" ? 0 : left.length + right.length,
      globalAnchors: placement === "later-in-run" ? 0 : run.left.globals + run.right.globals,
    };
  });
}

export interface NeighbourhoodVerdict {
  readonly winner: number | null;
  /** "strong": enclosed by the object (or its file block); "edge": only at the edge of its block. */
  readonly strength: "strong" | "edge" | null;
  readonly detail: string;
}

/**
 * A clear winner: the one candidate enclosed by the object's symbols; or, when none is, the one
 * candidate at the edge of the object's block while every other has no anchor at all (the
 * object's own copy must lie in its block) — with two anchors at least, or one that is a global
 * of the object (a local's unique name might be another file's copy of a header's static inline).
 * A run of copies that is not enclosed can't be split.
 */
export function neighbourhoodWinner(scores: readonly NeighbourhoodScore[]): NeighbourhoodVerdict {
  const enclosed = scores.filter((s) => s.placement === "enclosed");
  if (enclosed.length === 1) {
    const w = enclosed[0]!;
    const run =
      w.runLength > 1
        ? ` (first of ${w.runLength} adjacent copies: a merged section starts with its first input)`
        : "";
    return {
      winner: w.position,
      strength: "strong",
      detail: `the only candidate enclosed by the object's symbols: ${w.leftAnchors.length} below, ${w.rightAnchors.length} above${run}`,
    };
  }
  if (enclosed.length > 1) {
    return {
      winner: null,
      strength: null,
      detail: `${enclosed.length} candidates are each enclosed by the object's symbols (contradictory)`,
    };
  }
  const scored = scores.filter((s) => s.score > 0);
  const lone = scored[0];
  if (
    scored.length === 1 &&
    lone !== undefined &&
    lone.runLength === 1 &&
    (lone.score >= 2 || lone.globalAnchors >= 1)
  ) {
    const w = scored[0]!;
    return {
      winner: w.position,
      strength: "edge",
      detail: `the only candidate next to the object's symbols (${w.score}, at the edge of its block); the others have none`,
    };
  }
  if (scored.length === 0)
    return {
      winner: null,
      strength: null,
      detail: "no candidate lies among the object's unique-named symbols",
    };
  if (scored.length === 1) {
    return {
      winner: null,
      strength: null,
      detail: "one candidate lies next to a single local of the object, too little to decide",
    };
  }
  return {
    winner: null,
    strength: null,
    detail: `${scored.length} candidates lie next to the object's symbols and none is enclosed by them`,
  };
}
