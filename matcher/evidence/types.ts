// What identify is asked (one orig symbol), what it is given (the kernel's table, the rule, views
// and STT_FILE blocks of the target objects), what it answers, and what its steps pass along.
import type { Flag } from "../../lib/flags.js";
import type { KernelObject, KernelSymbol, KernelTable } from "../../lib/kernel-table.js";
import type { CandidateReport, Decision, EvidenceItem, TargetPair } from "../../lib/report/match-report.js";
import type { LookupRule } from "../../lib/rules.js";
import type { SymbolKind } from "../candidates.js";
import type { FileBlock, FileBlockMatch } from "./file-blocks.js";
import type { NeighbourhoodScore } from "./neighbourhood.js";
import type { OrigProfile } from "./orig-profile.js";
import type { SizeFit } from "./size-fit.js";
import type { TargetView } from "./target-view.js";

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

// The steps of identify: what they share on the way

/** What the steps find on the way, in the order the report shows it. */
export interface Findings {
  readonly evidence: EvidenceItem[];
  readonly flags: Flag[];
}

/** The symbols named so in the target object, and which of them the symbol kind rules out. */
export interface Candidates {
  readonly obj: KernelObject;
  readonly view: TargetView;
  readonly symbols: readonly KernelSymbol[];
  /** Why a candidate is ruled out, by position. */
  readonly excluded: ReadonlyMap<number, string>;
  readonly live: readonly KernelSymbol[];
}

/** The evidence computed per candidate, by position, for the candidate rows. */
export interface Measures {
  readonly scores: Map<number, NeighbourhoodScore>;
  readonly fits: Map<number, SizeFit>;
  readonly blockMatches: Map<number, FileBlockMatch>;
}

export interface Choice {
  readonly chosen: number | null;
  readonly decision: Decision;
  /** A choice made only from the edge of the object's block: the one a size misfit can overturn. */
  readonly weak: boolean;
}

export const UNDECIDED: Choice = { chosen: null, decision: "ambiguous", weak: false };
