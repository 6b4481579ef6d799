// --expect: does a target reach the symbol a match report decided for it (compared by address,
// else by position and type)?
import { hex } from "../../elf/layout.js";
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
  let agrees: boolean;
  let by: string;
  if (symbol !== null && symbol.address !== null && exp.address !== null) {
    agrees = symbol.address === exp.address;
    by = "address";
  } else if (symbol !== null) {
    // no addresses to compare: the symbol the report's pair reaches here, by position (and type)
    const theirs = resolve(ctx.table, exp.objname, exp.oldName, exp.oldSympos, ctx.choice.rule);
    const pos = exp.position ?? (theirs.ok ? theirs.symbol.position : null);
    agrees = pos !== null && pos === symbol.position && (exp.type === null || exp.type === symbol.type);
    by = exp.type !== null ? "position and type" : "position";
  } else {
    agrees = false;
    by = "resolution";
  }
  const check: ExpectationCheck = {
    source: exp.source,
    expectedAddress: exp.address,
    expectedSympos: exp.oldSympos,
    agrees,
    by,
  };
  if (agrees) return { check, flags: [] };
  const expectedText = exp.address !== null ? hex(exp.address) : `${exp.oldName},${exp.oldSympos}`;
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
