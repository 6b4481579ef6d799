// By placement: where each candidate lies among the orig object's symbols (neighbourhood) and in the
// STT_FILE blocks of its ELF, and the choice the two verdicts make together.
import { describe } from "../../lib/kernel-symbol-text.js";
import type { KernelSymbol } from "../../lib/kernel-table.js";
import { VMLINUX } from "../../lib/kernel-table.js";
import {
  type FileBlock,
  type FileBlockMatch,
  fileBlockMatch,
  fileBlockWinner,
  vmlinuxFileBlock,
} from "./file-blocks.js";
import { type NeighbourhoodVerdict, neighbourhood, neighbourhoodWinner } from "./neighbourhood.js";
import type { OrigSymbol } from "./orig-profile.js";
import { sizeFitWinner } from "./size-fit-decide.js";
import {
  type Candidates,
  type Choice,
  type Findings,
  type IdentifyContext,
  type Measures,
  type SymbolQuery,
  UNDECIDED,
} from "./types.js";

/** By placement: where each candidate lies among the orig object's symbols and in the STT_FILE blocks. */
export function byPlacement(
  ctx: IdentifyContext,
  objname: string,
  found: Candidates,
  query: SymbolQuery,
  measures: Measures,
  out: Findings,
): Choice {
  if (query.foreign === true) {
    out.evidence.push({
      kind: "neighbourhood",
      result: "inconclusive",
      detail: "a global of another object: where the orig object lies says nothing about it",
    });
    return UNDECIDED;
  }
  const fn: OrigSymbol = ctx.profile.byName.get(query.name) ?? {
    name: query.name,
    kind: query.kind === "data" ? "data" : "text",
    section: query.section,
    size: query.size,
    global: false,
  };
  const nb = neighbourhood(
    found.view,
    ctx.profile,
    fn,
    found.live.map((s) => s.position),
  );
  for (const s of nb) measures.scores.set(s.position, s);
  const nbVerdict = neighbourhoodWinner(nb);
  const fbVerdict = fileBlockVerdict(ctx, objname, found.live, measures.blockMatches, out);
  return weighPlacement(found, nbVerdict, fbVerdict, measures, out);
}

/** The STT_FILE block verdict, when the object's ELF gives blocks; null when it does not. */
function fileBlockVerdict(
  ctx: IdentifyContext,
  objname: string,
  live: readonly KernelSymbol[],
  blockMatches: Map<number, FileBlockMatch>,
  out: Findings,
): NeighbourhoodVerdict | null {
  const blockOf = fileBlockLookup(ctx, objname);
  if (blockOf !== null) {
    const matches = live.map((s) => ({
      position: s.position,
      match: fileBlockMatch(blockOf(s), ctx.profile),
    }));
    for (const m of matches) blockMatches.set(m.position, m.match);
    return fileBlockWinner(ctx.profile, matches, objname);
  }
  if (ctx.moduleBlocks?.get(objname) === null) {
    out.evidence.push({
      kind: "file-block",
      result: "inconclusive",
      detail: `the --module-file for '${objname}' lists other symbols than the loaded module: another build`,
    });
  }
  return null;
}

/** Which STT_FILE block a candidate of `objname` lies in, when its ELF gives blocks; null when none does. */
function fileBlockLookup(
  ctx: IdentifyContext,
  objname: string,
): ((s: KernelSymbol) => FileBlock | undefined) | null {
  if (objname === VMLINUX) {
    const blocks = ctx.blocks;
    return blocks === null ? null : (s) => vmlinuxFileBlock(blocks, s.name, s.address);
  }
  const blocks = ctx.moduleBlocks?.get(objname);
  return blocks == null ? null : (s) => blocks.get(s.position);
}

/** The neighbourhood decides, the file block supports it or decides alone; two winners contradict. */
function weighPlacement(
  found: Candidates,
  nbVerdict: NeighbourhoodVerdict,
  fbVerdict: NeighbourhoodVerdict | null,
  measures: Measures,
  out: Findings,
): Choice {
  const { evidence } = out;
  const obj = found.obj;
  const at = (p: number | null) => (p === null ? "" : ` → ${describe(obj.at(p))}`);
  if (
    fbVerdict !== null &&
    fbVerdict.winner !== null &&
    nbVerdict.winner !== null &&
    fbVerdict.winner !== nbVerdict.winner
  ) {
    evidence.push({
      kind: "neighbourhood",
      result: "contradicts",
      detail: nbVerdict.detail + at(nbVerdict.winner),
    });
    evidence.push({
      kind: "file-block",
      result: "contradicts",
      detail: fbVerdict.detail + at(fbVerdict.winner),
    });
    return UNDECIDED;
  }
  const winner = nbVerdict.winner ?? fbVerdict?.winner ?? null;
  evidence.push({
    kind: "neighbourhood",
    result: nbVerdict.winner !== null ? "decides" : "inconclusive",
    detail: nbVerdict.detail + at(nbVerdict.winner),
  });
  if (fbVerdict !== null) {
    evidence.push({
      kind: "file-block",
      result:
        fbVerdict.winner !== null ? (nbVerdict.winner !== null ? "supports" : "decides") : "inconclusive",
      detail: fbVerdict.detail + at(fbVerdict.winner),
    });
  }
  if (winner === null) return bySizeFit(found, measures, out, at);
  return {
    chosen: winner,
    decision: nbVerdict.winner !== null ? "neighbourhood" : "file-block",
    weak: nbVerdict.winner !== null ? nbVerdict.strength === "edge" && fbVerdict?.winner !== winner : false,
  };
}

/** Neither placement decides: the one candidate whose gap holds the orig function, when every other's is too small. */
function bySizeFit(
  found: Candidates,
  measures: Measures,
  out: Findings,
  at: (p: number | null) => string,
): Choice {
  const bySize = sizeFitWinner(
    found.live.map((c) => c.position),
    measures.fits,
  );
  if (bySize === null) return UNDECIDED;
  out.evidence.push({ kind: "size-fit", result: "decides", detail: bySize.detail + at(bySize.winner) });
  // weak: a clone of the name (foo.constprop.0) vetoes it (nearMissVeto)
  return { chosen: bySize.winner, decision: "size-fit", weak: true };
}
