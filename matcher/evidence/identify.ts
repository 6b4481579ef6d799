// Which of several same-named kernel symbols is the orig object's copy: ThinLTO identity, symbol
// kind, neighbourhood (the linker keeps one object's sections together), size fit and vmlinux
// STT_FILE blocks — each computed for every candidate and kept as data for the report.
import type { Flag } from "../../lib/flags.js";
import type { KernelSymbol } from "../../lib/kernel-table.js";
import { VMLINUX } from "../../lib/kernel-table.js";
import { raise, raiseAs } from "../../lib/report/flag-codes.js";
import type { CandidateReport, Decision, EvidenceItem } from "../../lib/report/match-report.js";
import { llvmHash } from "../../lib/symbol-name.js";
import { candidatePositions, kindOfType, nearMisses } from "../candidates.js";
import { positionOf } from "../sympos.js";
import { checkedPair, describe, hexOrNull } from "./checked-pair.js";
import {
  type FileBlock,
  type FileBlockMatch,
  fileBlockMatch,
  fileBlockWinner,
  vmlinuxFileBlock,
} from "./file-blocks.js";
import {
  type NeighbourhoodScore,
  type NeighbourhoodVerdict,
  neighbourhood,
  neighbourhoodWinner,
} from "./neighbourhood.js";
import type { OrigSymbol } from "./orig-profile.js";
import { type SizeFit, sizeFit } from "./size-fit.js";
import type { Identified, IdentifyContext, SymbolQuery } from "./types.js";

function kindFits(type: string, kind: SymbolQuery["kind"]): boolean {
  const k = kindOfType(type);
  return kind === "any" || k === "unknown" || k === kind;
}

function kindWord(kind: SymbolQuery["kind"]): string {
  return kind === "text" ? "code" : kind === "data" ? "data" : "symbol";
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

export function identify(ctx: IdentifyContext, objname: string, query: SymbolQuery): Identified {
  const evidence: EvidenceItem[] = [];
  const flags: Flag[] = [];
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
  const live = symbols.filter((s) => !excluded.has(s.position));
  if (excluded.size > 0) {
    evidence.push({
      kind: "symbol-kind",
      result: live.length > 0 ? "excludes" : "inconclusive",
      detail: `${excluded.size} of ${symbols.length} symbol(s) named so are not the kind of the orig symbol (${[...new Set(excluded.values())].join("; ")})`,
    });
  }

  const scores = new Map<number, NeighbourhoodScore>();
  const fits = new Map<number, SizeFit>();
  const blockMatches = new Map<number, FileBlockMatch>();
  for (const s of live) fits.set(s.position, sizeFit(view, s.position, query.size));

  let chosen: number | null = null;
  let decision: Decision = "ambiguous";
  // a choice made only from the edge of the object's block is the one a size misfit can overturn
  let weak = false;
  if (live.length === 0) {
    flags.push(
      raise(
        "NOT_FOUND",
        `${query.name}: '${objname}' has this name only on symbols of another kind (not ${kindWord(query.kind)})`,
      ),
    );
    decision = "not-found";
  } else if (live.length === 1) {
    chosen = live[0]!.position;
    decision = symbols.length === 1 ? "unique" : "only-of-kind";
    evidence.push({
      kind: "unique-name",
      result: "decides",
      detail:
        symbols.length === 1
          ? `the only symbol of '${objname}' with this name`
          : `the only ${kindWord(query.kind)} symbol of '${objname}' with this name that qualifies`,
    });
  } else {
    // ThinLTO identity: the hash is per source file, so the full name names this file's copy
    if (llvmHash(query.name) !== null) {
      const same = live.filter((s) => s.name === query.name);
      if (same.length === 1) {
        chosen = same[0]!.position;
        decision = "llvm-identity";
        evidence.push({
          kind: "llvm-identity",
          result: "decides",
          detail: `'${query.name}' (the orig file's ThinLTO hash) is carried by exactly one candidate`,
        });
      } else {
        if (same.length === 0) {
          flags.push(
            raiseAs(
              "BUILD_MISMATCH",
              "warning",
              `${query.name}: no kernel symbol carries this ThinLTO hash: the orig file was not built as the running kernel's`,
            ),
          );
        }
        evidence.push({
          kind: "llvm-identity",
          result: "inconclusive",
          detail:
            same.length === 0
              ? `no candidate carries the orig hash of '${query.name}': the file's IR differs from the running kernel's`
              : `${same.length} candidates carry '${query.name}'`,
        });
      }
    }
    if (chosen === null && query.foreign === true) {
      evidence.push({
        kind: "neighbourhood",
        result: "inconclusive",
        detail: "a global of another object: where the orig object lies says nothing about it",
      });
    } else if (chosen === null) {
      const fn: OrigSymbol = ctx.profile.byName.get(query.name) ?? {
        name: query.name,
        kind: query.kind === "data" ? "data" : "text",
        section: query.section,
        size: query.size,
        global: false,
      };
      const nb = neighbourhood(
        view,
        ctx.profile,
        fn,
        live.map((s) => s.position),
      );
      for (const s of nb) scores.set(s.position, s);
      const nbVerdict = neighbourhoodWinner(nb);
      let fbVerdict: NeighbourhoodVerdict | null = null;
      const blockOf = fileBlockLookup(ctx, objname);
      if (blockOf !== null) {
        const matches = live.map((s) => ({
          position: s.position,
          match: fileBlockMatch(blockOf(s), ctx.profile),
        }));
        for (const m of matches) blockMatches.set(m.position, m.match);
        fbVerdict = fileBlockWinner(ctx.profile, matches, objname);
      } else if (ctx.moduleBlocks?.get(objname) === null) {
        evidence.push({
          kind: "file-block",
          result: "inconclusive",
          detail: `the --module-file for '${objname}' lists other symbols than the loaded module: another build`,
        });
      }
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
      } else {
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
              fbVerdict.winner !== null
                ? nbVerdict.winner !== null
                  ? "supports"
                  : "decides"
                : "inconclusive",
            detail: fbVerdict.detail + at(fbVerdict.winner),
          });
        }
        if (winner !== null) {
          chosen = winner;
          decision = nbVerdict.winner !== null ? "neighbourhood" : "file-block";
          weak =
            nbVerdict.winner !== null ? nbVerdict.strength === "edge" && fbVerdict?.winner !== winner : false;
        }
      }
    }
  }

  // a choice from the block's edge assumes the object's copy is in the kernel under this very
  // name; a clone of it under another name (foo.constprop.0 for foo) breaks that assumption
  if (chosen !== null && weak) {
    const misses = nearMisses(obj, query.name, 5);
    if (misses.length > 0) {
      const names = [...new Set(misses.map((p) => obj.nameAt(p)))].join(", ");
      evidence.push({
        kind: "near-miss",
        result: "contradicts",
        detail: `the kernel also has ${names}: the object's copy may be one of those, so the block's edge can't decide`,
      });
      flags.push(raiseAs("BUILD_MISMATCH", "warning", `${query.name}: the kernel also has ${names}`));
      chosen = null;
      decision = "ambiguous";
    }
  }

  // size fit: confirms the choice, or contradicts it. An orig object built with -ffunction-sections
  // can differ by a few bytes from the kernel's own build (oracle gcc 09: 24 vs 21 bytes), so a
  // misfit only overturns a choice made from the edge of the object's block.
  if (chosen !== null && decision !== "not-found") {
    const fit = fits.get(chosen);
    if (fit !== undefined && fit.fits !== null) {
      const detail = `${fit.gap} bytes up to '${fit.next}' ${fit.fits ? "hold" : "cannot hold"} the orig ${query.size} bytes`;
      if (fit.fits) {
        evidence.push({ kind: "size-fit", result: "supports", detail });
      } else if (!weak) {
        evidence.push({ kind: "size-fit", result: "contradicts", detail });
        flags.push(
          raiseAs(
            "BUILD_MISMATCH",
            "warning",
            `${query.name}: ${detail}: the running kernel's copy differs from the orig build`,
          ),
        );
      } else {
        evidence.push({ kind: "size-fit", result: "contradicts", detail });
        flags.push(raise("BUILD_MISMATCH", `${query.name}: the chosen candidate's ${detail}`));
        chosen = null;
        decision = "ambiguous";
      }
    }
  }

  const candidates: CandidateReport[] = symbols.map((s) => {
    const pos = positionOf(ctx.table, s, ctx.rule);
    const nb = scores.get(s.position);
    const fit = fits.get(s.position);
    const block = blockMatches.get(s.position);
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
      excluded: excluded.get(s.position) ?? null,
      chosen: s.position === chosen,
    };
  });

  if (chosen === null) {
    if (decision === "ambiguous") {
      const live2 = candidates.filter((c) => c.excluded === null);
      flags.push(
        raise(
          "AMBIGUOUS",
          `${query.name}: ${live2.length} candidates in '${objname}' and the evidence does not single one out (${live2
            .map((c) => `${c.address ?? `#${c.position}`} score ${c.score}`)
            .join(
              ", ",
            )})${ctx.blocks === null && objname === VMLINUX && query.foreign !== true ? "; --vmlinux adds STT_FILE block evidence" : ""}`,
        ),
      );
    }
    return { decision, symbol: null, target: null, candidates, evidence, flags };
  }

  // the pair, then the kernel's own lookup must land on the same symbol
  const symbol = obj.at(chosen);
  const target = checkedPair(ctx, objname, symbol, query, flags);
  return { decision, symbol, target, candidates, evidence, flags };
}
