// --expect: does a target reach the symbol a match report decided for it? Compared by the symbol
// each pair reaches in the kernel's order (and its type), never by address.
import type { Flag } from "../../lib/flags.js";
import { symbolRow } from "../../lib/kernel-symbol-text.js";
import type { KernelSymbol, KernelTable } from "../../lib/kernel-table.js";
import type { ExpectedTarget, LivepatchTarget } from "../../lib/livepatch/index.js";
import { raise } from "../../lib/report/flag-codes.js";
import type { ExpectationCheck } from "../../lib/report/verify-types.js";
import type { RuleChoice } from "../../lib/rules.js";
import { resolve } from "../sympos.js";

/** What the check reads of a verify run (target.ts's Context has it): the table, its rule, the report's targets. */
export interface ExpectationContext {
  readonly table: KernelTable;
  readonly choice: RuleChoice;
  readonly expected: readonly ExpectedTarget[] | null;
}

export function expectation(
  ctx: ExpectationContext,
  target: LivepatchTarget,
  symbol: KernelSymbol | null,
): { check: ExpectationCheck | null; flags: Flag[] } {
  if (ctx.expected === null) return { check: null, flags: [] };
  const exp = ctx.expected.find(
    (e) => e.role === target.role && e.objname === target.objname && e.oldName === target.oldName,
  );
  if (exp === undefined) {
    return {
      check: null,
      flags: [
        raise(
          "EXPECT_MISSING",
          `the expected report has no ${target.role} target ${target.objname}:${target.oldName}`,
        ),
      ],
    };
  }
  // by identity, never by address (KASLR, a System.map against a kallsyms of the same build): the
  // symbol the report's pair reaches in this table must be the one the target reaches
  const theirs = resolve(ctx.table, exp.objname, exp.oldName, exp.oldSympos, ctx.choice.rule);
  const agrees =
    symbol !== null &&
    theirs.ok &&
    theirs.symbol.position === symbol.position &&
    (exp.type === null || exp.type === symbol.type);
  const by = symbol === null ? "resolution" : exp.type !== null ? "kernel order and type" : "kernel order";
  const check: ExpectationCheck = {
    source: exp.source,
    expectedAddress: exp.address,
    expectedSympos: exp.oldSympos,
    agrees,
    by,
  };
  if (agrees) return { check, flags: [] };
  const expectedText = `${exp.oldName},${exp.oldSympos}${theirs.ok ? ` (${symbolRow(theirs.symbol)})` : " (which does not resolve)"}`;
  const got = symbol === null ? "does not resolve" : `resolves to ${symbolRow(symbol)}`;
  return {
    check,
    flags: [
      raise(
        "EXPECT_MISMATCH",
        `${target.oldName},${target.oldSympos} ${got}, but ${exp.source} expects ${expectedText} (compared by ${by})`,
      ),
    ],
  };
}
