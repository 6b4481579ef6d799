// The chosen symbol as the pair (objname, old_name, old_sympos), checked the way the kernel will
// look it up, with the flags that lookup implies.
import { hex } from "../../elf/layout.js";
import type { Flag } from "../../lib/flags.js";
import { describe } from "../../lib/kernel-symbol-text.js";
import type { KernelSymbol } from "../../lib/kernel-table.js";
import { KSYM_NAME_LEN } from "../../lib/livepatch/klp-names.js";
import { raise } from "../../lib/report/flag-codes.js";
import type { TargetPair } from "../../lib/report/match-report.js";
import { candidateKey } from "../candidates.js";
import { initHazard } from "../init-hazard.js";
import { klpSymNotes, positionOf, resolve, sameSymbol } from "../sympos.js";
import type { IdentifyContext, SymbolQuery } from "./types.js";

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
  for (const note of pos.unreliable) flags.push(raise("LTO_NAME_UNRELIABLE", `${query.name}: ${note}`));
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
  const initList = ctx.initLists.get(objname);
  const hazard = initList === undefined ? null : initHazard(initList, pos.oldName, ctx.rule);
  if (hazard !== null) {
    flags.push(
      raise(
        "INIT_SYMBOL_HAZARD",
        `${query.name}: '${objname}' also has ${hazard.init.length} init-section symbol(s) named '${pos.oldName}': while its init runs, old_sympos ${pos.oldSympos} counts differently`,
      ),
    );
  }
  return { objname, oldName: pos.oldName, oldSympos: pos.oldSympos, address: hexOrNull(symbol.address) };
}

export function hexOrNull(value: bigint | null): string | null {
  return value === null ? null : hex(value);
}
