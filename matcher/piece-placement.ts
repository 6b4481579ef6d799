// Which translation unit each piece of a linked relocatable belongs to: a local anchor's FILE run;
// a global's by, in turn, the run holding its section's symbol (ld.lld, for the section's first
// piece), the per-file object that defines it, the unit of another name with the same .llvm.<hash>
// (ThinLTO gives all promoted names of a module one hash), and the unit of the locals its
// relocations reach. Over columns: numbers in, a unit per piece out.

import type { SymbolColumns } from "../elf/columns.js";
import { STT_SECTION } from "../elf/constants.js";
import { llvmHash } from "../lib/symbol-name.js";
import { hasLlvmMark, type PieceTable, pieceIndexAt, type RelocationIndex } from "./linked-pieces.js";

export interface PlacementInput {
  readonly cols: SymbolColumns;
  readonly pieces: PieceTable;
  /** Each local's FILE run (section symbols too), -1 for none. */
  readonly run: Int32Array;
  /** The run holding each section's STT_SECTION symbol, -1 for none. */
  readonly sectionRun: Int32Array;
  readonly runs: readonly { readonly member: string | null }[];
  readonly relocations: RelocationIndex;
  readonly landingOf: (type: number, addend: number, from: number, offset: number) => number;
  readonly globalHomes: ReadonlyMap<string, string> | undefined;
  readonly vote: boolean;
}

/** The unit of every piece; runs.length (the unplaced unit) for those no evidence places. */
export function placePieces(input: PlacementInput): Int32Array {
  const { cols, pieces, run, sectionRun, runs, globalHomes } = input;
  const unit = new Int32Array(pieces.count).fill(-1);
  const unitOfMember = new Map<string, number>();
  runs.forEach((r, i) => {
    if (r.member !== null) unitOfMember.set(r.member, i);
  });
  const unitOfHash = new Map<string, number>();
  const none: string[] = [];
  const hashesOf = (k: number): string[] => {
    let out = none;
    for (let a = pieces.anchorFrom[k]!; a < pieces.anchorFrom[k + 1]!; a++) {
      const i = pieces.anchors[a]!;
      const h = hasLlvmMark(cols, i) ? llvmHash(cols.name(i)) : null;
      if (h === null) continue;
      if (out === none) out = [];
      out.push(h);
    }
    return out;
  };
  const noteHashes = (k: number): void => {
    const hashes = hashesOf(k);
    for (let h = 0; h < hashes.length; h++)
      if (!unitOfHash.has(hashes[h]!)) unitOfHash.set(hashes[h]!, unit[k]!);
  };
  const isLocalInRun = (i: number): boolean => run[i]! >= 0 && (cols.info[i]! & 0xf) !== STT_SECTION;
  const open = new Int32Array(pieces.count);
  let opened = 0;
  const order = sectionsInSymbolOrder(cols, pieces);
  for (let o = 0; o < order.length; o++) {
    const section = order[o]!;
    const first = pieces.firstOf[section]!;
    for (let k = first; k < first + pieces.countOf[section]!; k++) {
      let local = -1;
      for (let a = pieces.anchorFrom[k]!; a < pieces.anchorFrom[k + 1]! && local < 0; a++) {
        if (isLocalInRun(pieces.anchors[a]!)) local = pieces.anchors[a]!;
      }
      if (local >= 0) unit[k] = run[local]!;
      else if (k === first && sectionRun[section]! >= 0) unit[k] = sectionRun[section]!;
      else if (globalHomes) {
        for (let a = pieces.anchorFrom[k]!; a < pieces.anchorFrom[k + 1]!; a++) {
          const home = globalHomes.get(cols.name(pieces.anchors[a]!));
          if (home === undefined) continue;
          unit[k] = unitOfMember.get(home) ?? -1;
          break;
        }
      }
      if (unit[k]! >= 0) noteHashes(k);
      else open[opened++] = k;
    }
  }
  // placing a piece can place others (its hash, the pieces that reach it): again while that happens
  let pending = open.subarray(0, opened);
  for (let round = 0; round < 4 && pending.length > 0; round++) {
    // the pieces still open, kept in place (left never passes q)
    let left = 0;
    for (let q = 0; q < pending.length; q++) {
      const k = pending[q]!;
      const hashes = hashesOf(k);
      let byHash: string | undefined;
      for (let h = 0; h < hashes.length && byHash === undefined; h++)
        if (unitOfHash.has(hashes[h]!)) byHash = hashes[h];
      unit[k] =
        byHash !== undefined ? unitOfHash.get(byHash)! : input.vote ? voteByReferences(input, unit, k) : -1;
      if (unit[k]! >= 0) noteHashes(k);
      else pending[left++] = k;
    }
    if (left === pending.length) break;
    pending = pending.subarray(0, left);
  }
  placeBetween(pieces, unit);
  for (let k = 0; k < unit.length; k++) if (unit[k]! < 0) unit[k] = runs.length;
  return unit;
}

/** The sections that have pieces, in the order their first anchor comes in the symbol table. */
function sectionsInSymbolOrder(cols: SymbolColumns, pieces: PieceTable): number[] {
  const seen = new Uint8Array(pieces.firstOf.length);
  const order: number[] = [];
  // an anchor's section has pieces; the first anchor met in symbol order puts its section next
  const isAnchorOf = new Uint8Array(cols.count);
  for (let a = 0; a < pieces.anchors.length; a++) isAnchorOf[pieces.anchors[a]!] = 1;
  for (let i = 0; i < cols.count; i++) {
    const s = cols.section[i]!;
    if (!isAnchorOf[i] || seen[s]) continue;
    seen[s] = 1;
    order.push(s);
  }
  return order;
}

/**
 * ld -r lays each input section out whole, so the pieces of a merged output section that lie
 * between two pieces of one unit are that unit's too (globals of `.init.text`, `.text.unlikely`).
 */
function placeBetween(pieces: PieceTable, unit: Int32Array): void {
  for (let s = 0; s < pieces.firstOf.length; s++) {
    const first = pieces.firstOf[s]!;
    if (first < 0) continue;
    let last = -1;
    for (let k = first; k < first + pieces.countOf[s]!; k++) {
      const u = unit[k]!;
      if (u < 0) continue;
      if (last >= 0 && k - last > 1 && unit[last] === u) unit.fill(u, last + 1, k);
      last = k;
    }
  }
}

/** The unit whose locals (or placed pieces) a piece's relocations reach most; -1 when none or a tie. */
function voteByReferences(input: PlacementInput, unit: Int32Array, k: number): number {
  const { cols, pieces, run } = input;
  const section = pieces.section[k]!;
  const { list, from, to } = input.relocations.range(section, pieces.start[k]!, pieces.end[k]!);
  const votes = new Map<number, number>();
  const tables = input.relocations.tables;
  for (let e = from; e < to; e++) {
    const t = list.table(e);
    const entry = list.entry(e);
    const s = tables.symbol(t, entry);
    const type = cols.info[s]! & 0xf;
    let u = type !== STT_SECTION && run[s]! >= 0 ? run[s]! : -1;
    if (u < 0 && type === STT_SECTION && cols.section[s]! >= 0) {
      const landing = input.landingOf(
        tables.type(t, entry),
        tables.addend(t, entry),
        section,
        tables.offset(t, entry),
      );
      const target = pieceIndexAt(pieces, cols.section[s]!, cols.value[s]! + landing);
      if (target >= 0 && target !== k && unit[target]! >= 0) u = unit[target]!;
    }
    if (u >= 0) votes.set(u, (votes.get(u) ?? 0) + 1);
  }
  let best = -1;
  let bestCount = 0;
  let tie = false;
  for (const [u, n] of votes) {
    if (n > bestCount) {
      best = u;
      bestCount = n;
      tie = false;
    } else if (n === bestCount) tie = true;
  }
  return tie ? -1 : best;
}
