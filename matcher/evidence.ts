// Which of several same-named kernel symbols is the orig object's copy: ThinLTO identity, symbol
// kind, neighbourhood (the linker keeps one object's sections together), size fit and vmlinux
// STT_FILE blocks — each computed for every candidate and kept as data for the report.

import type { ElfFile } from "../elf/types.js";
import type { Flag } from "../lib/flags.js";
import type { KernelObject, KernelSymbol, KernelTable } from "../lib/kernel-table.js";
import { VMLINUX } from "../lib/kernel-table.js";
import { KSYM_NAME_LEN } from "../lib/livepatch/klp-names.js";
import { candidateWhere } from "../lib/report/candidate-where.js";
import { raise, raiseAs } from "../lib/report/flag-codes.js";
import type { CandidateReport, Decision, EvidenceItem, TargetPair } from "../lib/report/match-report.js";
import type { LookupRule } from "../lib/rules.js";
import { isSpecialStatic, isStubSymbol, llvmHash, stripLlvmSuffix } from "../lib/symbol-name.js";
import { candidateKey, candidatePositions, kindOfType, nearMisses, type SymbolKind } from "./candidates.js";
import { sizeFitWinner } from "./size-fit-decide.js";
import { klpSymNotes, positionOf, resolve, sameSymbol } from "./sympos.js";

const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_FILE = 4;
const STB_LOCAL = 0;

// ---------------------------------------------------------------------------------------------
// The orig object, as the neighbourhood sees it

export interface OrigSymbol {
  readonly name: string;
  readonly kind: Exclude<SymbolKind, "unknown">;
  /** The output-section group the linker puts it in (`.text`, `.text.unlikely`, `.init.text`, `.data`…). */
  readonly section: string;
  readonly size: bigint;
  readonly global: boolean;
}

export interface OrigProfile {
  readonly path: string;
  /** The STT_FILE name (`inode.c`), null when the object has none. */
  readonly file: string | null;
  readonly byName: ReadonlyMap<string, OrigSymbol>;
  /** Promoted (`.llvm.`) names by their stripped key: a rebuilt kernel may carry another hash. */
  readonly byPromotedKey: ReadonlyMap<string, OrigSymbol>;
  /** The `.llvm.<hash>` values the object's names carry (one per source file in practice). */
  readonly llvmHashes: ReadonlySet<string>;
  /** Names of its local functions and objects (for STT_FILE block comparison). */
  readonly localNames: ReadonlySet<string>;
}

/**
 * The group a section lands in after linking: -ffunction-sections/-fdata-sections names
 * (`.text.foo`, `.data.bar`) fold into their base; the kernel's own sections (`.init.text`,
 * `.noinstr.text`, `.data..percpu`) stay apart (include/asm-generic/vmlinux.lds.h).
 */
export function sectionGroup(name: string): string {
  if (name.startsWith(".text.")) {
    const second = name.slice(6).split(".")[0] ?? "";
    return ["unlikely", "hot", "startup", "exit", "split"].includes(second) ? `.text.${second}` : ".text";
  }
  for (const base of [".data.rel.ro", ".data.rel.local", ".data.rel", ".rodata", ".data", ".bss"]) {
    if (name === base) return base.startsWith(".data") ? ".data" : base;
    if (name.startsWith(`${base}.`) && !name.startsWith(`${base}..`))
      return base.startsWith(".data") ? ".data" : base;
  }
  return name;
}

/** The symbols of an orig object that can place it among the kernel's symbols. */
export function profileObject(elf: ElfFile): OrigProfile {
  const byName = new Map<string, OrigSymbol>();
  const byPromotedKey = new Map<string, OrigSymbol>();
  const llvmHashes = new Set<string>();
  const localNames = new Set<string>();
  let file: string | null = null;
  for (const sym of elf.symbols()) {
    if (sym.type === STT_FILE && file === null && sym.name !== "") file = sym.name;
    if (sym.name === "" || sym.sectionIndex === null) continue;
    if (sym.type !== STT_FUNC && sym.type !== STT_OBJECT) continue;
    if (isStubSymbol(sym.name) || isSpecialStatic(sym.name)) continue;
    const section = elf.sections[sym.sectionIndex];
    if (section === undefined) continue;
    const entry: OrigSymbol = {
      name: sym.name,
      kind: sym.type === STT_FUNC ? "text" : "data",
      section: sectionGroup(section.name),
      size: sym.size,
      global: sym.bind !== STB_LOCAL,
    };
    byName.set(sym.name, entry);
    const hash = llvmHash(sym.name);
    if (hash !== null) {
      llvmHashes.add(hash);
      byPromotedKey.set(stripLlvmSuffix(sym.name), entry);
    }
    if (sym.bind === STB_LOCAL) localNames.add(sym.name);
  }
  return { path: elf.path, file, byName, byPromotedKey, llvmHashes, localNames };
}

/** The orig symbol a kernel name stands for: the same name, or both promoted with another hash. */
export function origSymbolFor(profile: OrigProfile, kernelName: string): OrigSymbol | undefined {
  const exact = profile.byName.get(kernelName);
  if (exact !== undefined) return exact;
  if (llvmHash(kernelName) === null) return undefined;
  return profile.byPromotedKey.get(stripLlvmSuffix(kernelName));
}

// ---------------------------------------------------------------------------------------------
// The target object in address order

export interface TargetView {
  readonly obj: KernelObject;
  /** True when addresses are unknown: order is kallsyms order, sizes can't be checked. */
  readonly hidden: boolean;
  /**
   * A module without addresses is seen in its symtab order, where ld puts each input file's
   * locals together (code and data mixed) and all globals after them (ELF: locals first).
   */
  readonly symtabOrder: boolean;
  readonly count: number;
  positionAt(rank: number): number;
  rankOf(position: number): number;
  addressAt(position: number): bigint | null;
}

/**
 * vmlinux's kallsyms order is address order already; a module's is its symtab order, so its
 * symbols are sorted by address here (symtab order stays the fallback when addresses are hidden).
 */
export function targetView(obj: KernelObject): TargetView {
  const first = obj.count > 0 ? obj.at(0).address : null;
  const hidden = obj.count === 0 || (first === null && obj.at(obj.count - 1).address === null);
  const addressAt = (p: number) => obj.at(p).address;
  if (obj.objname === VMLINUX || hidden) {
    const symtabOrder = hidden && obj.objname !== VMLINUX;
    return { obj, hidden, symtabOrder, count: obj.count, positionAt: (r) => r, rankOf: (p) => p, addressAt };
  }
  const addresses = Array.from({ length: obj.count }, (_, p) => obj.at(p).address ?? 0n);
  const order = Array.from({ length: obj.count }, (_, p) => p).sort((a, b) => {
    const d = addresses[a]! - addresses[b]!;
    return d < 0n ? -1 : d > 0n ? 1 : a - b;
  });
  const rank = new Int32Array(obj.count);
  order.forEach((p, r) => {
    rank[p] = r;
  });
  return {
    obj,
    hidden,
    symtabOrder: false,
    count: obj.count,
    positionAt: (r) => order[r]!,
    rankOf: (p) => rank[p]!,
    addressAt: (p) => addresses[p] ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Neighbourhood

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
  const runs = new Map<number, { members: number[]; left: Walk; right: Walk }>();
  const runOf = new Map<number, number>();
  for (const p of candidates) {
    const r = view.rankOf(p);
    const start = edgeOfRun(r, -1);
    runOf.set(p, start);
    let run = runs.get(start);
    if (run === undefined) {
      const end = edgeOfRun(r, 1);
      run = {
        members: [],
        left: walk(view, start - 1, -1, profile, fn, key),
        right: walk(view, end + 1, 1, profile, fn, key),
      };
      runs.set(start, run);
    }
    run.members.push(p);
  }
  return candidates.map((p) => {
    const run = runs.get(runOf.get(p)!)!;
    const members = [...run.members].sort((a, b) => view.rankOf(a) - view.rankOf(b));
    const runIndex = members.indexOf(p);
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

// ---------------------------------------------------------------------------------------------
// Size fit

export interface SizeFit {
  /** Bytes from the candidate to the next symbol that is not a `__pfx_`/`__cfi_` stub. */
  readonly gap: bigint | null;
  readonly next: string | null;
  /** gap ≥ the orig size; null when unknown (hidden addresses, last symbol, size 0). */
  readonly fits: boolean | null;
}

/** Says when the fit rests on the -ffunction-sections slack. */
function slackNote(gap: bigint | null, size: bigint, slack: bigint): string {
  if (slack === 0n || gap === null || gap >= size) return "";
  return ` less the ${slack} its relocated long jumps may be short in the kernel's own build`;
}

export function sizeFit(view: TargetView, position: number, size: bigint): SizeFit {
  if (view.hidden || size <= 0n) return { gap: null, next: null, fits: null };
  const address = view.addressAt(position);
  if (address === null) return { gap: null, next: null, fits: null };
  const obj = view.obj;
  for (let r = view.rankOf(position) + 1; r < view.count && r < view.rankOf(position) + 64; r++) {
    const p = view.positionAt(r);
    const a = view.addressAt(p);
    if (a === null || a <= address) continue;
    const name = obj.nameAt(p);
    // the padding stub before the next function belongs to the gap (it is not our code)
    if (isStubSymbol(name)) continue;
    const gap = a - address;
    return { gap, next: name, fits: gap >= size };
  }
  return { gap: null, next: null, fits: null };
}

// ---------------------------------------------------------------------------------------------
// STT_FILE blocks of a vmlinux ELF (kpatch's way)

export interface FileBlock {
  readonly file: string;
  readonly locals: ReadonlySet<string>;
}

/** For each local function/object of a linked ELF, its STT_FILE block, keyed `name@address`. */
export function fileBlocks(elf: ElfFile): ReadonlyMap<string, FileBlock> {
  const byLocal = new Map<string, FileBlock>();
  let current: { file: string; locals: Set<string> } | null = null;
  for (const sym of elf.symbols()) {
    if (sym.type === STT_FILE) {
      current = { file: sym.name, locals: new Set() };
      continue;
    }
    if (current === null || sym.bind !== STB_LOCAL || sym.name === "") continue;
    if (sym.type !== STT_FUNC && sym.type !== STT_OBJECT) continue;
    current.locals.add(sym.name);
    byLocal.set(`${sym.name}@${sym.value.toString(16)}`, current);
  }
  return byLocal;
}

/**
 * STT_FILE blocks of a module's symbols by position in its kallsyms order, from the list its .ko
 * gives (lib/module-symbols: each local carries the STT_FILE it follows); null when `loaded`, the
 * object the table holds for the module, is not that list symbol for symbol (another build of the
 * module is loaded): positions would then name other symbols. A block is a run of consecutive
 * symbols of one file: the kernel keeps a module's symbols in its symtab order, which keeps each
 * object file's locals together after its STT_FILE entry.
 */
export function moduleFileBlocks(
  fromFile: KernelObject,
  loaded: KernelObject,
): ReadonlyMap<number, FileBlock> | null {
  if (fromFile.count !== loaded.count) return null;
  for (let p = 0; p < fromFile.count; p++) if (fromFile.nameAt(p) !== loaded.nameAt(p)) return null;
  const byPosition = new Map<number, FileBlock>();
  let current: { file: string; locals: Set<string> } | null = null;
  for (let p = 0; p < fromFile.count; p++) {
    const sym = fromFile.at(p);
    if (sym.file === null) {
      current = null;
      continue;
    }
    if (current === null || current.file !== sym.file) current = { file: sym.file, locals: new Set() };
    current.locals.add(sym.name);
    byPosition.set(p, current);
  }
  return byPosition;
}

export interface FileBlockMatch {
  readonly file: string | null;
  /** |block locals ∩ orig locals| / |block locals ∪ orig locals|; null when no block holds the candidate. */
  readonly similarity: number | null;
}

/** How well the STT_FILE block a candidate lies in (undefined: none) fits the orig object's locals. */
export function fileBlockMatch(block: FileBlock | undefined, profile: OrigProfile): FileBlockMatch {
  if (block === undefined) return { file: null, similarity: null };
  let common = 0;
  for (const n of profile.localNames) if (block.locals.has(n)) common++;
  const union = block.locals.size + profile.localNames.size - common;
  return { file: block.file, similarity: union === 0 ? 0 : common / union };
}

/** The vmlinux block of a candidate: fileBlocks keys a linked ELF's locals by name and address. */
export function vmlinuxFileBlock(
  blocks: ReadonlyMap<string, FileBlock>,
  name: string,
  address: bigint | null,
): FileBlock | undefined {
  return address === null ? undefined : blocks.get(`${name}@${address.toString(16)}`);
}

/**
 * Half the locals in common at least, the same file name, and a clear lead (a quarter of the
 * union) over the next block: small files share their static names with others (helper, cmp…).
 */
export function fileBlockWinner(
  profile: OrigProfile,
  matches: readonly { position: number; match: FileBlockMatch }[],
  objname = VMLINUX,
): NeighbourhoodVerdict {
  const inBlocks = matches.filter((m) => m.match.similarity !== null);
  if (inBlocks.length === 0) {
    return {
      winner: null,
      strength: null,
      detail: `no candidate lies in a file block of the ${objname === VMLINUX ? "vmlinux" : `${objname}.ko`} symtab`,
    };
  }
  // STT_FILE names the source file: a block of another file name is another object
  const sameName = inBlocks
    .filter((m) => profile.file === null || m.match.file === profile.file)
    .sort((a, b) => (b.match.similarity ?? 0) - (a.match.similarity ?? 0));
  const others = inBlocks.length - sameName.length;
  const best = sameName[0];
  if (best === undefined) {
    return { winner: null, strength: null, detail: `no candidate lies in a block of '${profile.file}'` };
  }
  const second = sameName[1]?.match.similarity ?? 0;
  const sim = best.match.similarity ?? 0;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const rest = `${sameName.length > 1 ? `next '${sameName[1]!.match.file}' block ${pct(second)}` : `no other '${best.match.file}' block`}${others > 0 ? `; ${others} in blocks of other files` : ""}`;
  if (sim >= 0.5 && sim - second >= 0.25) {
    return {
      winner: best.position,
      strength: "strong",
      detail: `STT_FILE block '${best.match.file}' shares ${pct(sim)} of its local names with the orig object (${rest})`,
    };
  }
  return {
    winner: null,
    strength: null,
    detail: `no STT_FILE block stands out (best '${best.match.file}' ${pct(sim)}; ${rest})`,
  };
}

// ---------------------------------------------------------------------------------------------
// The decision for one symbol: candidates, evidence, the pair, and its check by `resolve`

export interface SymbolQuery {
  /** The orig name (the running kernel carries the orig build's names). */
  readonly name: string;
  /** "any": an undefined reference of the orig object (NOTYPE), code or data. */
  readonly kind: Exclude<SymbolKind, "unknown"> | "any";
  readonly size: bigint;
  /** Bytes the orig function may exceed the kernel's copy by for -ffunction-sections alone (size-slack.ts). */
  readonly sizeSlack?: bigint;
  readonly section: string;
  /** A global defined elsewhere: of several candidates only global ones (upper-case type) qualify. */
  readonly global?: boolean;
  /** Defined in another object than the orig one: the orig object's neighbourhood says nothing. */
  readonly foreign?: boolean;
  /** A reference (data too) rather than a klp_func target: ftrace refusals don't apply. */
  readonly reference: boolean;
}

export interface IdentifyContext {
  readonly table: KernelTable;
  readonly rule: LookupRule;
  readonly profile: OrigProfile;
  view(objname: string): TargetView | null;
  /** STT_FILE blocks of the --vmlinux ELF, when given. */
  readonly blocks: ReadonlyMap<string, FileBlock> | null;
  /**
   * STT_FILE blocks of modules given with --module-file, by position (moduleFileBlocks); null for
   * a module whose .ko is not the build that is loaded.
   */
  readonly moduleBlocks?: ReadonlyMap<string, ReadonlyMap<number, FileBlock> | null>;
  /** Init-time symbol lists of modules given with --module-file (for INIT_SYMBOL_HAZARD). */
  readonly initLists: ReadonlyMap<string, KernelObject>;
  /** The longest `.klp.sym` name the target kernel parses (klpSymNameMax); null or absent: unknown. */
  readonly klpSymNameMax?: number | null;
}

export interface Identified {
  readonly decision: Decision;
  readonly symbol: KernelSymbol | null;
  readonly target: TargetPair | null;
  readonly candidates: readonly CandidateReport[];
  readonly evidence: readonly EvidenceItem[];
  readonly flags: readonly Flag[];
}

function hexOrNull(value: bigint | null): string | null {
  return value === null ? null : `0x${value.toString(16)}`;
}

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
  const slack = query.sizeSlack ?? 0n;
  for (const s of live) fits.set(s.position, sizeFit(view, s.position, query.size - slack));

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
        const bySize =
          winner === null
            ? sizeFitWinner(
                live.map((c) => c.position),
                fits,
              )
            : null;
        if (bySize !== null) {
          chosen = bySize.winner;
          decision = "size-fit";
          weak = true; // a clone of the name (foo.constprop.0) vetoes it below
          evidence.push({ kind: "size-fit", result: "decides", detail: bySize.detail + at(bySize.winner) });
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
  if (chosen !== null && decision !== "not-found" && decision !== "size-fit") {
    const fit = fits.get(chosen);
    if (fit !== undefined && fit.fits !== null) {
      const detail = `${fit.gap} bytes up to '${fit.next}' ${fit.fits ? "hold" : "cannot hold"} the orig ${query.size} bytes${slackNote(fit.gap, query.size, slack)}`;
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
            .map((c) => `${candidateWhere(c)} score ${c.score}`)
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

/**
 * The pair from positionOf under the era's rule, then checked the way the kernel will look it
 * up (resolve must land on the very symbol); what the lookup implies is flagged on the way.
 */
export function checkedPair(
  ctx: IdentifyContext,
  objname: string,
  symbol: KernelSymbol,
  query: SymbolQuery,
  flags: Flag[],
): TargetPair | null {
  const pos = positionOf(ctx.table, symbol, ctx.rule);
  if (!pos.ok) {
    flags.push(raise("UNREACHABLE", `${query.name}: ${pos.reason}`));
    return null;
  }
  const check = resolve(ctx.table, objname, pos.oldName, pos.oldSympos, ctx.rule);
  if (!check.ok || !sameSymbol(check.symbol, symbol)) {
    const got = check.ok ? describe(check.symbol) : check.message;
    flags.push(
      raise(
        "RESOLVE_MISMATCH",
        `${query.name}: (${pos.oldName}, ${pos.oldSympos}) resolves to ${got}, not ${describe(symbol)}`,
      ),
    );
    return null;
  }
  for (const note of pos.notes) {
    if (note.includes("unreliable")) flags.push(raise("LTO_NAME_UNRELIABLE", `${query.name}: ${note}`));
  }
  if (query.reference) {
    for (const note of klpSymNotes(objname, pos.oldName, ctx.klpSymNameMax ?? null))
      flags.push(raise("NAME_TOO_LONG", `${query.name}: ${note}`));
  }
  // kernel/livepatch/core.c klp_init_func(): strlen(old_name) >= KSYM_NAME_LEN → -EINVAL
  if (!query.reference && pos.oldName.length >= KSYM_NAME_LEN) {
    flags.push(
      raise(
        "NAME_TOO_LONG",
        `${query.name}: old_name is ${pos.oldName.length} characters: klp_init_func() refuses names of KSYM_NAME_LEN (${KSYM_NAME_LEN}) or more`,
      ),
    );
    return null;
  }
  if (!query.reference && check.warning !== null) {
    flags.push(raise("TARGET_REFUSED", `${query.name}: the kernel would refuse it: ${check.warning}`));
  }
  const key = candidateKey(query.name);
  const others = check.matches.filter((m) => candidateKey(m.name) !== key).map((m) => m.name);
  if (others.length > 0) {
    flags.push(
      raise(
        "STATIC_LOCAL_COLLISION",
        `${query.name}: under rule ${ctx.rule} '${pos.oldName}' also matches ${[...new Set(others)].slice(0, 5).join(", ")}, counted in old_sympos`,
      ),
    );
  }
  // a module loading after the patch is resolved against its init-time list (design note §2)
  const init = ctx.initLists.get(objname);
  if (init !== undefined) {
    const initOnly = init.positionsOf(pos.oldName).filter((p) => init.at(p).init);
    if (initOnly.length > 0) {
      flags.push(
        raise(
          "INIT_SYMBOL_HAZARD",
          `${query.name}: '${objname}' also has ${initOnly.length} init-section symbol(s) named '${pos.oldName}': while its init runs, old_sympos ${pos.oldSympos} counts differently`,
        ),
      );
    }
  }
  return { objname, oldName: pos.oldName, oldSympos: pos.oldSympos, address: hexOrNull(symbol.address) };
}

function describe(s: KernelSymbol): string {
  const where =
    s.address !== null
      ? `0x${s.address.toString(16)}`
      : s.line !== null
        ? `line ${s.line}`
        : `#${s.position}`;
  return `${s.type} ${s.name} at ${where}`;
}
