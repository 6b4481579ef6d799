// Sections that hold no function or object of their own (tables, strings, anonymous data): which
// ones kpatch regenerates or always carries, and comparing the others whole.

import { SHF_ALLOC, SHF_STRINGS, SHT_REL, SHT_RELA } from "../elf/constants.js";
import { hex } from "../elf/layout.js";
import type { ElfSection } from "../elf/types.js";
import { isIgnoredSection, sectionRole } from "../lib/section-roles.js";
import { correlationKey } from "../lib/symbol-name.js";
import { isArchPerFunctionTable, isPointerSlotSection } from "./arch/index.js";
import { relocationsEqual, type Sides } from "./compare.js";
import { isSpecialStaticSection } from "./correlate.js";
import type { ObjectModel } from "./object-model.js";

/**
 * Tables whose entries describe places in functions (bug, exception, jump-label, printk-index and
 * static-call tables; each arch adds its own: alternatives, paravirt, lock-prefix, ftrace-fixup, ORC,
 * expoline and objtool site tables, see matcher/arch/). kpatch rebuilds them for the functions it
 * carries (create-diff-object's special sections), so their changes don't count.
 */
const PER_FUNCTION_TABLES: ReadonlySet<string> = new Set([
  "__bug_table",
  ".fixup",
  "__ex_table",
  "__jump_table",
  ".printk_index",
  ".static_call_sites",
  ".static_call.text",
]);

function isPerFunctionTable(name: string): boolean {
  return PER_FUNCTION_TABLES.has(name) || isArchPerFunctionTable(name) || name.startsWith(".kpatch.");
}

/**
 * Sections kpatch always carries whole (include_standard_elements): `.rodata` (jump tables, local
 * to the functions using them), ppc64 `.toc`, and string literals.
 */
export function isAlwaysCarried(section: ElfSection): boolean {
  const name = section.name;
  return (
    name === ".rodata" ||
    isPointerSlotSection(name) ||
    name.includes(".str1.") ||
    (section.flags & SHF_STRINGS) !== 0n ||
    isUbsanData(name)
  );
}

/**
 * UBSAN check-site descriptors (`.data..Lubsan_data12`, `.data.rel.local..Lubsan_type3`): source
 * locations and type names the sanitizer handler prints; kpatch carries them like WARN_ONCE flags.
 */
function isUbsanData(name: string): boolean {
  return /^\.data(\.rel(\.ro)?(\.local)?)?\.\.Lubsan_/.test(name);
}

export interface SectionChange {
  readonly section: ElfSection;
  readonly patched: ElfSection;
  readonly reasons: readonly string[];
}

/** The twin of each orig section without units, by name (clone and counter numbers ignored). */
function sectionTwins(orig: ObjectModel, patched: ObjectModel): Map<ElfSection, ElfSection> {
  const byName = new Map<string, ElfSection[]>();
  for (const s of patched.file.sections) {
    const key = correlationKey(s.name);
    const list = byName.get(key);
    if (list) list.push(s);
    else byName.set(key, [s]);
  }
  const taken = new Set<ElfSection>();
  const twins = new Map<ElfSection, ElfSection>();
  for (const s of orig.file.sections) {
    const list = byName.get(correlationKey(s.name));
    if (!list) continue;
    const exact = list.find((c) => c.name === s.name && !taken.has(c));
    const twin = exact ?? list.find((c) => !taken.has(c));
    if (!twin) continue;
    taken.add(twin);
    twins.set(s, twin);
  }
  return twins;
}

/** Allocated sections compared whole (no function or object of their own, or kernel metadata) that differ. */
export function changedAnonymousSections(sides: Sides): SectionChange[] {
  const { orig, patched } = sides;
  const twins = sectionTwins(orig, patched);
  const changes: SectionChange[] = [];
  for (const [s, t] of twins) {
    if (s.index === 0 || (s.flags & SHF_ALLOC) === 0n || s.type === SHT_RELA || s.type === SHT_REL) continue;
    if (isIgnoredSection(s.name) || isPerFunctionTable(s.name) || isSpecialStaticSection(s.name)) continue;
    // Sections of functions and data objects are compared object by object; kernel metadata
    // sections (__param, __ksymtab, .modinfo, …) are compared whole even when they hold symbols.
    const hasUnits = orig.unitsIn(s).length > 0 || patched.unitsIn(t).length > 0;
    if (hasUnits && sectionRole(s) !== "metadata") continue;
    const reasons = compareWhole(sides, s, t);
    if (reasons.length > 0) changes.push({ section: s, patched: t, reasons });
  }
  return changes;
}

function compareWhole(sides: Sides, s: ElfSection, t: ElfSection): string[] {
  const reasons: string[] = [];
  if (s.size !== t.size) reasons.push(`size ${s.size} → ${t.size}`);
  const a = sides.orig.relocations(s);
  const b = sides.patched.relocations(t);
  let relocsDiffer = a.length !== b.length;
  for (let i = 0; !relocsDiffer && i < a.length; i++)
    relocsDiffer = !relocationsEqual(sides, a[i]!, 0n, b[i]!, 0n);
  if (relocsDiffer) reasons.push("relocations differ");
  if (s.size === t.size && s.data && t.data) {
    for (let i = 0; i < s.data.length; i++) {
      if (s.data[i] !== t.data[i]) {
        reasons.push(`bytes differ from ${hex(i)}`);
        break;
      }
    }
  }
  return reasons;
}
