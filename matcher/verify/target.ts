// One target checked as the kernel would: its lookup now (or when its module loads), the refusals
// after it, and the hazards and expectations around it.
import type { Flag } from "../../lib/flags.js";
import { symbolRow } from "../../lib/kernel-symbol-text.js";
import type { KernelObject, KernelTable } from "../../lib/kernel-table.js";
import type { ExpectedTarget, LivepatchTarget } from "../../lib/livepatch/index.js";
import { raise, raiseAs } from "../../lib/report/flag-codes.js";
import type { OnLoadCheck, TargetVerdict, VerifyOutcome } from "../../lib/report/verify-types.js";
import { type LookupRule, RULES, type RuleChoice } from "../../lib/rules.js";
import { llvmHash, stripLlvmSuffix } from "../../lib/symbol-name.js";
import { llvmStrippedIndex } from "../candidates.js";
import { initHazard } from "../init-hazard.js";
import { candidatesByRule, isFunctionType, positionOf, type ResolveResult, resolve } from "../sympos.js";
import { expectation } from "./expectation.js";
import type { ModuleFileFacts } from "./module-file.js";
import { noFtraceLocation, refusal } from "./refusal.js";
import { view } from "./symbol-view.js";
import type { VmlinuxCallSites } from "./vmlinux-call-sites.js";

function failureFlag(
  outcome: Exclude<VerifyOutcome, "resolved" | "not-loaded">,
  message: string,
  prefix = "",
): Flag {
  const code =
    outcome === "ambiguous"
      ? "AMBIGUOUS"
      : outcome === "position-not-found"
        ? "POSITION_NOT_FOUND"
        : "NOT_FOUND";
  return raise(code, `${prefix}${message}`);
}

/** What every target's check reads: the kernel's table, its rule, and the optional inputs. */
export interface Context {
  readonly table: KernelTable;
  readonly choice: RuleChoice;
  readonly modules: ReadonlyMap<string, ModuleFileFacts>;
  /** Per loaded module object: does the --module-file describe the loaded module? */
  readonly moduleMatchesLoaded: ReadonlyMap<string, boolean>;
  readonly expected: readonly ExpectedTarget[] | null;
  readonly vmlinuxCalls: VmlinuxCallSites | null;
}

/**
 * `.llvm.<hash>` names of the same base in the object when the target's own name is not found:
 * either the kernel has the very name but the era's rule never matches a full `.llvm.` name
 * (6.5.1–6.10.6 compare kallsyms names with the suffix cut, kernel/livepatch/core.c), or only other
 * hashes exist (rebuilt from other sources).
 */
function rebuiltHint(
  table: KernelTable,
  obj: KernelObject | undefined,
  target: LivepatchTarget,
  rule: RuleChoice,
): Flag | null {
  if (obj === undefined || llvmHash(target.oldName) === null) return null;
  const base = stripLlvmSuffix(target.oldName);
  const others: string[] = [];
  // the names of the same base that carry a hash (the stripped-name index holds plain ones too)
  for (const p of llvmStrippedIndex(obj).get(base) ?? []) {
    if (llvmHash(obj.nameAt(p)) !== null) others.push(obj.nameAt(p));
  }
  if (others.length === 0) return null;
  if (others.includes(target.oldName)) {
    // the pair that reaches this very symbol under the era's rule (the stripped name there)
    const symbol = obj.at(obj.positionsOf(target.oldName)[0]!);
    const pair = positionOf(table, symbol, rule.rule);
    const count = candidatesByRule(table, target.objname, base, rule.rule).length;
    const use = pair.ok
      ? `old_name '${pair.oldName}' with old_sympos ${pair.oldSympos} (${count} symbol(s) strip to '${base}')`
      : `old_name '${base}'`;
    return raise(
      "LLVM_NAME_NEVER_MATCHES",
      `'${target.oldName}' is in the kernel, but under the ${rule.rule} rule (${RULES[rule.rule].kernels}) the kernel compares each kallsyms name with its .llvm.<hash> cut off, so a full .llvm. name never matches: give ${use}`,
    );
  }
  return raise(
    "KERNEL_REBUILT",
    `'${target.oldName}' is not in the kernel, but ${others.map((n) => `'${n}'`).join(", ")} is: the ThinLTO hash differs, so the running kernel was built from different sources than the livepatch was made for (rebuild the livepatch against this kernel)`,
  );
}

function initHazardFlag(facts: ModuleFileFacts, target: LivepatchTarget, rule: RuleChoice): Flag | null {
  const obj = facts.initTable.objects.get(facts.objname);
  const hazard = obj === undefined ? null : initHazard(obj, target.oldName, rule.rule);
  if (hazard === null) return null;
  const { matches, init } = hazard;
  return raise(
    "INIT_SYMBOL_HAZARD",
    `'${target.oldName}' also names ${init.length} symbol(s) in init sections of ${facts.path}: while ${facts.objname}'s init runs (when it loads after the patch) they count too, ${matches.length} match(es) instead of ${matches.length - init.length}, so old_sympos may select a different symbol then`,
  );
}

export function verifyTarget(ctx: Context, target: LivepatchTarget): TargetVerdict {
  const flags: Flag[] = [...target.flags];
  const facts = ctx.modules.get(target.objname) ?? null;
  if (target.kernelMessage !== null && flags.some((f) => f.code === "BAD_KLP_SYM_NAME")) {
    // the kernel rejects the name before any lookup
    return {
      target,
      outcome: "not-found",
      symbol: null,
      matches: [],
      kernelMessage: target.kernelMessage,
      onLoad: null,
      expected: null,
      flags,
    };
  }
  const r = resolve(ctx.table, target.objname, target.oldName, target.oldSympos, ctx.choice.rule);
  for (const note of r.notes) flags.push(raise("UNRELIABLE_QUERY", note));
  const matches = r.matches.map(view);
  const check: TargetCheck = { ctx, target, facts, matches, flags };
  if (!r.ok && r.outcome === "not-loaded") return notLoadedVerdict(check);
  if (!r.ok) return failedVerdict(check, r);
  return resolvedVerdict(check, r);
}

/** One target's check under way: what every step of verifyTarget reads, and the flags it adds to. */
interface TargetCheck {
  readonly ctx: Context;
  readonly target: LivepatchTarget;
  /** The --module-file of the target's object, if given. */
  readonly facts: ModuleFileFacts | null;
  readonly matches: TargetVerdict["matches"];
  readonly flags: Flag[];
}

/** The target's object is not loaded: checked against --module-file's init-time list when given. */
function notLoadedVerdict({ ctx, target, facts, matches, flags }: TargetCheck): TargetVerdict {
  let onLoad: OnLoadCheck | null = null;
  if (facts === null) {
    flags.push(
      raise(
        "NOT_LOADED",
        `${target.objname} is not loaded in ${ctx.table.source.path}${ctx.table.source.kind === "kallsyms" ? "" : ` (a ${ctx.table.source.kind} holds no module symbols)`}: the kernel resolves this target only when ${target.objname} loads; give --module-file ${target.objname}.ko to check it against the module's symbols`,
      ),
    );
  } else {
    onLoad = onLoadCheck(facts, target, ctx.choice.rule, flags);
    const hazard = initHazardFlag(facts, target, ctx.choice);
    if (hazard !== null) flags.push(hazard);
  }
  // nothing to compare until the module loads: an expectation is neither met nor broken
  return {
    target,
    outcome: "not-loaded",
    symbol: null,
    matches,
    kernelMessage: null,
    onLoad,
    expected: null,
    flags,
  };
}

/** The lookup the kernel makes when the module loads after the patch, against its init-time list. */
function onLoadCheck(
  facts: ModuleFileFacts,
  target: LivepatchTarget,
  rule: LookupRule,
  flags: Flag[],
): OnLoadCheck | null {
  let onLoad: OnLoadCheck | null = null;
  const lr = resolve(facts.initTable, target.objname, target.oldName, target.oldSympos, rule);
  const prefix = `when ${target.objname} loads (${facts.path}, init-time symbol list): `;
  if (lr.ok) {
    const idx = lr.symbol.position;
    let kernelMessage: string | null = null;
    if (target.role === "function") {
      const traceOk = facts.traceable[idx];
      if (!isFunctionType(lr.symbol.type) || traceOk === false) {
        kernelMessage = noFtraceLocation(target.oldName);
        flags.push(
          raise(
            "FTRACE_REFUSED",
            `${prefix}resolves to ${lr.symbol.type} ${lr.symbol.name}, which ftrace cannot attach to: "${kernelMessage}"`,
          ),
        );
      }
    }
    onLoad = { moduleFile: facts.path, outcome: "resolved", symbol: view(lr.symbol), kernelMessage };
    flags.push(
      raiseAs(
        "NOT_LOADED",
        "info",
        `${target.objname} is not loaded: ${prefix}resolves to symbol #${idx + 1} ${lr.symbol.type} ${lr.symbol.name}`,
      ),
    );
  } else if (lr.outcome !== "not-loaded") {
    onLoad = { moduleFile: facts.path, outcome: lr.outcome, symbol: null, kernelMessage: lr.message };
    flags.push(failureFlag(lr.outcome, lr.message, prefix));
  }
  return onLoad;
}

/** The lookup fails (ambiguous, position not found, not found). */
function failedVerdict(
  { ctx, target, facts, matches, flags }: TargetCheck,
  r: Extract<ResolveResult, { ok: false }>,
): TargetVerdict {
  const obj = ctx.table.objects.get(target.objname);
  flags.push(
    failureFlag(r.outcome as Exclude<VerifyOutcome, "resolved" | "not-loaded">, describeFailure(r, target)),
  );
  if (r.outcome === "not-found") {
    const hint = rebuiltHint(ctx.table, obj, target, ctx.choice);
    if (hint !== null) flags.push(hint);
  }
  if (facts !== null) {
    const hazard = initHazardFlag(facts, target, ctx.choice);
    if (hazard !== null) flags.push(hazard);
  }
  const exp = expectation(ctx, target, null);
  flags.push(...exp.flags);
  return {
    target,
    outcome: r.outcome as VerifyOutcome,
    symbol: null,
    matches,
    kernelMessage: target.kernelMessage ?? r.message,
    onLoad: null,
    expected: exp.check,
    flags,
  };
}

/** The lookup reaches a symbol: what the kernel then does with it. */
function resolvedVerdict(
  { ctx, target, facts, matches, flags }: TargetCheck,
  r: Extract<ResolveResult, { ok: true }>,
): TargetVerdict {
  const obj = ctx.table.objects.get(target.objname);
  let kernelMessage = target.kernelMessage;
  if (target.role === "function" && obj !== undefined) {
    const loadedMatches = facts !== null && ctx.moduleMatchesLoaded.get(target.objname) === true;
    const traceIndex = loadedMatches ? (facts.coreToInit[r.symbol.position] ?? null) : null;
    const refused = refusal(
      target,
      obj,
      r.symbol,
      r,
      loadedMatches ? facts : null,
      traceIndex,
      ctx.vmlinuxCalls,
    );
    if (refused !== null) {
      kernelMessage ??= refused.message;
      flags.push(refused.flag);
    }
  }
  if (target.oldSympos === 1 && r.matches.length === 1) {
    flags.push(
      raise(
        "SYMPOS_ONE_UNIQUE",
        `old_sympos 1 on a unique name works, but tools write 0 for unique names, and before upstream commit 139560e8b973 cumulative patches compare old_sympos exactly (klp_find_func), so 0 and 1 are different functions there`,
      ),
    );
  }
  if (facts !== null) {
    const hazard = initHazardFlag(facts, target, ctx.choice);
    if (hazard !== null) flags.push(hazard);
  }
  const exp = expectation(ctx, target, r.symbol);
  flags.push(...exp.flags);
  return {
    target,
    outcome: "resolved",
    symbol: view(r.symbol),
    matches,
    kernelMessage,
    onLoad: null,
    expected: exp.check,
    flags,
  };
}

function describeFailure(r: Extract<ResolveResult, { ok: false }>, target: LivepatchTarget): string {
  const listed = r.matches.slice(0, 8).map(symbolRow).join("; ");
  const more = r.matches.length > 8 ? `; … ${r.matches.length - 8} more` : "";
  switch (r.outcome) {
    case "ambiguous":
      return `'${target.oldName}' matches ${r.matches.length} symbols in ${target.objname} and old_sympos is 0: the kernel refuses with "${r.message}" (${listed}${more})`;
    case "position-not-found":
      return `old_sympos ${target.oldSympos} but '${target.oldName}' matches only ${r.matches.length} symbol(s) in ${target.objname}: "${r.message}" (${listed}${more})`;
    default:
      return `'${target.oldName}' is not in ${target.objname}: "${r.message}"`;
  }
}
