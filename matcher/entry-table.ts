// Which functions ftrace can redirect: those whose code calls the profiling entry (__fentry__,
// _mcount) or that an entry table (__mcount_loc, __patchable_function_entries) records.
import type { ElfFile } from "../elf/types.js";
import { ENTRY_TABLES } from "../lib/section-roles.js";
import type { Reloc, Relocations } from "./reloc-targets.js";
import { type Unit, type UnitIndex, unitAt } from "./units.js";

/**
 * The ftrace entry call a patchable function starts with: `__fentry__` (x86-64 -mfentry, s390x
 * -mfentry), `_mcount`/`mcount` (ppc64le -pg, older arches); arm64 and LoongArch use
 * -fpatchable-function-entry, recorded in `__patchable_function_entries` instead.
 */
const PROFILING_CALLS: ReadonlySet<string> = new Set([
  "__fentry__",
  "_mcount",
  "mcount",
  "__mcount",
  "__gnu_mcount_nc",
]);

/**
 * Units an entry table records: its entries point at each traceable function's entry, or at the
 * nops before it, so they are looked up among the bytes each unit owns.
 */
export function unitsWithEntryRecord(file: ElfFile, index: UnitIndex, relocations: Relocations): Set<Unit> {
  const symbols = file.symbols();
  const withEntry = new Set<Unit>();
  for (const section of file.sections) {
    if (!ENTRY_TABLES.has(section.name)) continue;
    for (const r of relocations.raw(section)) {
      const symbol = symbols[r.symbolIndex];
      if (!symbol || symbol.sectionIndex === null) continue;
      const place = file.sections[symbol.sectionIndex]!;
      const unit = unitAt(index, place, symbol.value + (r.addend ?? 0n), true);
      if (unit) withEntry.add(unit);
    }
  }
  return withEntry;
}

/** The code calls the profiling entry (a relocation to __fentry__, _mcount, …). */
export function callsProfilingEntry(relocations: readonly Reloc[]): boolean {
  for (const r of relocations) {
    if (r.target.kind === "symbol" && PROFILING_CALLS.has(r.target.symbol.name)) return true;
  }
  return false;
}
