// Which of several same-named kernel symbols is the orig object's copy: ThinLTO identity, symbol
// kind, neighbourhood (the linker keeps one object's sections together), size fit and vmlinux
// STT_FILE blocks — each computed for every candidate and kept as data for the report.
import type { Flag } from "../../lib/flags.js";
import type { KernelObject, KernelSymbol } from "../../lib/kernel-table.js";
import { VMLINUX } from "../../lib/kernel-table.js";
import { candidateWhere } from "../../lib/report/candidate-where.js";
import { raise, raiseAs } from "../../lib/report/flag-codes.js";
import type { CandidateReport } from "../../lib/report/match-report.js";
import { llvmHash } from "../../lib/symbol-name.js";
import { candidatePositions, kindOfType, nearMisses } from "../candidates.js";
import { positionOf } from "../sympos.js";
import { checkedPair, hexOrNull } from "./checked-pair.js";
import { byPlacement } from "./placement.js";
import { type SizeFit, sizeFit } from "./size-fit.js";
import {
  type Candidates,
  type Choice,
  type Findings,
  type Identified,
  type IdentifyContext,
  type Measures,
  type SymbolQuery,
  UNDECIDED,
} from "./types.js";

/**
 * The decision for one symbol, step by step: by kind, by ThinLTO hash, by placement (neighbourhood
 * and STT_FILE blocks), then the near-miss veto and the size fit; the candidate rows, and the pair
 * checked by the kernel's lookup.
 */
export function identify(ctx: IdentifyContext, objname: string, query: SymbolQuery): Identified {
  const out: Findings = { evidence: [], flags: [] };
  const found = lookUp(ctx, objname, query, out);
  if ("decision" in found) return found;
  const measures: Measures = { scores: new Map(), fits: new Map(), blockMatches: new Map() };
  const slack = query.sizeSlack ?? 0n;
  for (const s of found.live)
    measures.fits.set(s.position, sizeFit(found.view, s.position, query.size - slack));
  let choice = byKind(found, objname, query, out);
  if (choice === null) choice = byThinLtoHash(found.live, query, out);
  if (choice === null) choice = byPlacement(ctx, objname, found, query, measures, out);
  choice = nearMissVeto(found.obj, query, choice, out);
  choice = checkSizeFit(choice, measures.fits, query, out);
  const candidates = candidateRows(ctx, found, measures, choice.chosen);
  const { evidence, flags } = out;
  if (choice.chosen === null) {
    if (choice.decision === "ambiguous") flags.push(ambiguity(ctx, objname, query, candidates));
    return { decision: choice.decision, symbol: null, target: null, candidates, evidence, flags };
  }
  // the pair, then the kernel's own lookup must land on the same symbol
  const symbol = found.obj.at(choice.chosen);
  const target = checkedPair(ctx, objname, symbol, query, flags);
  return { decision: choice.decision, symbol, target, candidates, evidence, flags };
}

/** The symbols of `objname` named so, with those of another kind ruled out; or the answer when there are none. */
function lookUp(
  ctx: IdentifyContext,
  objname: string,
  query: SymbolQuery,
  out: Findings,
): Candidates | Identified {
  const { evidence, flags } = out;
  const obj = ctx.table.objects.get(objname);
  const view = ctx.view(objname);
  if (obj === undefined || view === null) {
    flags.push(
      raise(
        "OBJECT_NOT_LOADED",
        `${query.name}: object '${objname}' is not in the kernel's symbols; load the module or pass its .ko with --module-file`,
      ),
    );
    return { decision: "not-loaded", symbol: null, target: null, candidates: [], evidence, flags };
  }
  const positions = candidatePositions(obj, query.name, objname !== VMLINUX || ctx.table.hasLlvmNames);
  if (positions.length === 0) {
    const misses = nearMisses(obj, query.name);
    if (misses.length > 0) {
      const names = [...new Set(misses.map((p) => obj.nameAt(p)))];
      evidence.push({
        kind: "near-miss",
        result: "inconclusive",
        detail: `the kernel has ${names.join(", ")} instead`,
      });
      flags.push(
        raise(
          "BUILD_MISMATCH",
          `${query.name}: not in '${objname}', which has ${names.join(", ")}: the orig build does not match the running kernel`,
        ),
      );
    }
    flags.push(
      raise("NOT_FOUND", `${query.name}: no symbol of '${objname}' has this name (.llvm.<hash> ignored)`),
    );
    return { decision: "not-found", symbol: null, target: null, candidates: [], evidence, flags };
  }
  const symbols = positions.map((p) => obj.at(p));
  const excluded = kindExclusions(symbols, query);
  return { obj, view, symbols, excluded, live: symbols.filter((s) => !excluded.has(s.position)) };
}

/** The candidates whose type is not the orig symbol's kind, with the reason. */
function kindExclusions(symbols: readonly KernelSymbol[], query: SymbolQuery): Map<number, string> {
  const excluded = new Map<number, string>();
  for (const s of symbols) {
    if (!kindFits(s.type, query.kind))
      excluded.set(s.position, `type '${s.type}' is not ${kindWord(query.kind)}`);
  }
  // nm/kallsyms print globals upper-case: a global defined elsewhere is never a lower-case local
  if (query.global === true && symbols.some((s) => s.type !== s.type.toLowerCase())) {
    for (const s of symbols)
      if (s.type === s.type.toLowerCase()) excluded.set(s.position, `type '${s.type}' is local`);
  }
  return excluded;
}

/** By kind: none of the candidates qualifies, or only one does; null when several remain. */
function byKind(found: Candidates, objname: string, query: SymbolQuery, out: Findings): Choice | null {
  const { symbols, excluded, live } = found;
  if (excluded.size > 0) {
    out.evidence.push({
      kind: "symbol-kind",
      result: live.length > 0 ? "excludes" : "inconclusive",
      detail: `${excluded.size} of ${symbols.length} symbol(s) named so are not the kind of the orig symbol (${[...new Set(excluded.values())].join("; ")})`,
    });
  }
  if (live.length === 0) {
    out.flags.push(
      raise(
        "NOT_FOUND",
        `${query.name}: '${objname}' has this name only on symbols of another kind (not ${kindWord(query.kind)})`,
      ),
    );
    return { chosen: null, decision: "not-found", weak: false };
  }
  if (live.length > 1) return null;
  out.evidence.push({
    kind: "unique-name",
    result: "decides",
    detail:
      symbols.length === 1
        ? `the only symbol of '${objname}' with this name`
        : `the only ${kindWord(query.kind)} symbol of '${objname}' with this name that qualifies`,
  });
  return {
    chosen: live[0]!.position,
    decision: symbols.length === 1 ? "unique" : "only-of-kind",
    weak: false,
  };
}

/** ThinLTO identity: the hash is per source file, so the full name names this file's copy. */
function byThinLtoHash(live: readonly KernelSymbol[], query: SymbolQuery, out: Findings): Choice | null {
  if (llvmHash(query.name) === null) return null;
  const same = live.filter((s) => s.name === query.name);
  if (same.length === 1) {
    out.evidence.push({
      kind: "llvm-identity",
      result: "decides",
      detail: `'${query.name}' (the orig file's ThinLTO hash) is carried by exactly one candidate`,
    });
    return { chosen: same[0]!.position, decision: "llvm-identity", weak: false };
  }
  if (same.length === 0) {
    out.flags.push(
      raiseAs(
        "BUILD_MISMATCH",
        "warning",
        `${query.name}: no kernel symbol carries this ThinLTO hash: the orig file was not built as the running kernel's`,
      ),
    );
  }
  out.evidence.push({
    kind: "llvm-identity",
    result: "inconclusive",
    detail:
      same.length === 0
        ? `no candidate carries the orig hash of '${query.name}': the file's IR differs from the running kernel's`
        : `${same.length} candidates carry '${query.name}'`,
  });
  return null;
}

/**
 * A choice from the block's edge assumes the object's copy is in the kernel under this very
 * name; a clone of it under another name (foo.constprop.0 for foo) breaks that assumption.
 */
function nearMissVeto(obj: KernelObject, query: SymbolQuery, choice: Choice, out: Findings): Choice {
  if (choice.chosen === null || !choice.weak) return choice;
  const misses = nearMisses(obj, query.name, 5);
  if (misses.length === 0) return choice;
  const names = [...new Set(misses.map((p) => obj.nameAt(p)))].join(", ");
  out.evidence.push({
    kind: "near-miss",
    result: "contradicts",
    detail: `the kernel also has ${names}: the object's copy may be one of those, so the block's edge can't decide`,
  });
  out.flags.push(raiseAs("BUILD_MISMATCH", "warning", `${query.name}: the kernel also has ${names}`));
  return UNDECIDED;
}

/**
 * Size fit: confirms the choice, or contradicts it. An orig object built with -ffunction-sections
 * can differ by a few bytes from the kernel's own build (oracle gcc 09: 24 vs 21 bytes), so a
 * misfit only overturns a choice made from the edge of the object's block.
 */
function checkSizeFit(
  choice: Choice,
  fits: ReadonlyMap<number, SizeFit>,
  query: SymbolQuery,
  out: Findings,
): Choice {
  if (choice.chosen === null || choice.decision === "not-found" || choice.decision === "size-fit")
    return choice;
  const fit = fits.get(choice.chosen);
  if (fit === undefined || fit.fits === null) return choice;
  const slack = slackNote(fit.gap, query.size, query.sizeSlack ?? 0n);
  const detail = `${fit.gap} bytes up to '${fit.next}' ${fit.fits ? "hold" : "cannot hold"} the orig ${query.size} bytes${slack}`;
  if (fit.fits) {
    out.evidence.push({ kind: "size-fit", result: "supports", detail });
    return choice;
  }
  out.evidence.push({ kind: "size-fit", result: "contradicts", detail });
  if (!choice.weak) {
    out.flags.push(
      raiseAs(
        "BUILD_MISMATCH",
        "warning",
        `${query.name}: ${detail}: the running kernel's copy differs from the orig build`,
      ),
    );
    return choice;
  }
  out.flags.push(raise("BUILD_MISMATCH", `${query.name}: the chosen candidate's ${detail}`));
  return UNDECIDED;
}

/** Says when the fit rests on the -ffunction-sections slack. */
function slackNote(gap: bigint | null, size: bigint, slack: bigint): string {
  if (slack === 0n || gap === null || gap >= size) return "";
  return ` less the ${slack} its relocated long jumps may be short in the kernel's own build`;
}

/** One row per symbol named so: its pair, the evidence measured on it, and whether it was chosen. */
function candidateRows(
  ctx: IdentifyContext,
  found: Candidates,
  measures: Measures,
  chosen: number | null,
): CandidateReport[] {
  return found.symbols.map((s) => {
    const pos = positionOf(ctx.table, s, ctx.rule);
    const nb = measures.scores.get(s.position);
    const fit = measures.fits.get(s.position);
    const block = measures.blockMatches.get(s.position);
    return {
      name: s.name,
      type: s.type,
      address: hexOrNull(s.address),
      position: s.position,
      line: s.line,
      oldName: pos.ok ? pos.oldName : null,
      oldSympos: pos.ok ? pos.oldSympos : null,
      score: nb?.score ?? 0,
      placement: nb?.placement ?? null,
      anchorsBelow: (nb?.leftAnchors ?? []).slice(0, 5),
      anchorsAbove: (nb?.rightAnchors ?? []).slice(0, 5),
      sizeGap: hexOrNull(fit?.gap ?? null),
      sizeFits: fit?.fits ?? null,
      fileBlock: block === undefined ? null : { file: block.file, similarity: block.similarity },
      excluded: found.excluded.get(s.position) ?? null,
      chosen: s.position === chosen,
    };
  });
}

/** AMBIGUOUS, with every qualifying candidate and its score. */
function ambiguity(
  ctx: IdentifyContext,
  objname: string,
  query: SymbolQuery,
  candidates: readonly CandidateReport[],
): Flag {
  const live = candidates.filter((c) => c.excluded === null);
  const hint =
    ctx.blocks === null && objname === VMLINUX && query.foreign !== true
      ? "; --vmlinux adds STT_FILE block evidence"
      : "";
  return raise(
    "AMBIGUOUS",
    `${query.name}: ${live.length} candidates in '${objname}' and the evidence does not single one out (${live
      .map((c) => `${candidateWhere(c)} score ${c.score}`)
      .join(", ")})${hint}`,
  );
}

function kindFits(type: string, kind: SymbolQuery["kind"]): boolean {
  const k = kindOfType(type);
  return kind === "any" || k === "unknown" || k === kind;
}

function kindWord(kind: SymbolQuery["kind"]): string {
  return kind === "text" ? "code" : kind === "data" ? "data" : "symbol";
}
