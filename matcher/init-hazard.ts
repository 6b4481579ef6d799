// INIT_SYMBOL_HAZARD, decided once for match and verify: a module that loads after the patch is
// resolved while its init runs (kernel/livepatch/core.c klp_module_coming() → klp_init_object_loaded()),
// against its full symbol list, init-section symbols included, so old_sympos may count more symbols.
import type { KernelObject, KernelSymbol } from "../lib/kernel-table.js";
import type { LookupRule } from "../lib/rules.js";
import { positionsByRule } from "./sympos.js";

export interface InitHazard {
  /** Every symbol of the init-time list the lookup matches. */
  readonly matches: readonly KernelSymbol[];
  /** Those of them in init sections (gone once init has run). */
  readonly init: readonly KernelSymbol[];
}

/** The init-time matches of `name` under `rule`, or null when none of them is an init symbol. */
export function initHazard(initList: KernelObject, name: string, rule: LookupRule): InitHazard | null {
  const matches = positionsByRule(initList, name, rule).map((p) => initList.at(p));
  const init = matches.filter((s) => s.init);
  return init.length === 0 ? null : { matches, init };
}
