// What verify finds: a verdict per target (outcome, the symbol reached, what the kernel would
// print) and the prediction for the patch as a whole. matcher/verify computes it;
// lib/report/verify-report.ts builds the report from it.
import type { Flag } from "../flags.js";
import type { LivepatchTarget } from "../livepatch/index.js";
import type { RuleChoice } from "../rules.js";

export type VerifyOutcome = "resolved" | "ambiguous" | "position-not-found" | "not-found" | "not-loaded";

/** A kernel symbol as the report shows it. */
export interface SymbolView {
  readonly name: string;
  readonly type: string;
  readonly address: bigint | null;
  /** 0-based index in its object's kallsyms order. */
  readonly position: number;
  /** 1-based line of the symbol table file, null for ELF-derived tables. */
  readonly line: number | null;
}

/** The lookup made when a module that is not loaded yet loads (against its .ko's init-time list). */
export interface OnLoadCheck {
  readonly moduleFile: string;
  readonly outcome: Exclude<VerifyOutcome, "not-loaded">;
  readonly symbol: SymbolView | null;
  readonly kernelMessage: string | null;
}

export interface ExpectationCheck {
  readonly source: string;
  readonly expectedAddress: bigint | null;
  readonly expectedSympos: number;
  readonly agrees: boolean;
  /** How the comparison was made: "address", "position and type", "position". */
  readonly by: string;
}

export interface TargetVerdict {
  readonly target: LivepatchTarget;
  readonly outcome: VerifyOutcome;
  readonly symbol: SymbolView | null;
  /** Every symbol whose name compares equal under the rule, in kallsyms order. */
  readonly matches: readonly SymbolView[];
  /** What the kernel prints about this target (lookup failure, size lookup, ftrace refusal), else null. */
  readonly kernelMessage: string | null;
  readonly onLoad: OnLoadCheck | null;
  readonly expected: ExpectationCheck | null;
  readonly flags: readonly Flag[];
}

/** What loading the patch would do, as far as symbols decide it. */
export interface PatchPrediction {
  /** `refused`: the kernel prints `kernelMessage` and the patch fails; `accepted`: every loaded object's targets pass. */
  readonly result: "accepted" | "refused";
  readonly kernelMessage: string | null;
  /** Where the refusal comes from (a target's source, or "module"). */
  readonly at: string | null;
  /** The stage: "load" (insmod, vmlinux .klp.rela), "resolve" (klp_enable_patch), "ftrace" (registration). */
  readonly stage: "load" | "resolve" | "ftrace" | null;
  /** Objects not loaded now: resolved when they load. */
  readonly deferred: readonly string[];
  /**
   * For a deferred object checked against its --module-file: the first message when it loads (the
   * kernel then refuses to load that module: klp_module_coming), or null when every target passes.
   */
  readonly whenLoaded: readonly {
    readonly objname: string;
    readonly kernelMessage: string | null;
    readonly at: string | null;
  }[];
}

export interface VerifyResult {
  readonly rule: RuleChoice;
  readonly verdicts: readonly TargetVerdict[];
  readonly patch: PatchPrediction;
  /** Flags about the inputs as a whole. */
  readonly flags: readonly Flag[];
  readonly notes: readonly string[];
}
