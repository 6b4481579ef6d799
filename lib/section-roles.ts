// Kernel section roles: which sections of an object never matter for a patch, which hold init/exit
// code freed after boot or load, whether a section holds code, data, read-only data or metadata, and
// the output-section group its symbols land in after linking (include/asm-generic/vmlinux.lds.h).
import { SHF_EXECINSTR } from "../elf/constants.js";
import type { ElfSection } from "../elf/types.js";

/** What a section holds, for deciding whether a change in it matters. */
export type SectionRole = "text" | "init" | "data" | "rodata" | "metadata";

/** Sections listing each traceable function's entry (x86/s390 -mrecord-mcount, -fpatchable-function-entry). */
export const ENTRY_TABLES: ReadonlySet<string> = new Set(["__mcount_loc", "__patchable_function_entries"]);

/** Sections that never matter for a patch: debug info, notes, unwind and address-significance tables. */
export function isIgnoredSection(name: string): boolean {
  return (
    name.startsWith(".debug") ||
    name.startsWith(".rela.debug") ||
    name.startsWith(".discard") ||
    name.startsWith(".llvm") ||
    name === ".comment" ||
    name.startsWith(".note") ||
    name === ".eh_frame" ||
    name === ".sframe" ||
    name === ".symtab" ||
    name === ".strtab" ||
    name === ".shstrtab" ||
    ENTRY_TABLES.has(name)
  );
}

const DATA_PREFIXES = [".data", ".bss", ".tdata", ".tbss", ".sdata", ".sbss", ".ldata", ".lbss"];
const RODATA_PREFIXES = [".rodata", ".srodata", ".lrodata"];

/** init/exit code and data: freed after boot (built-in) or load, never a livepatch target. */
function isInitSection(name: string): boolean {
  return name.startsWith(".init.") || name.startsWith(".exit.") || name === ".init" || name === ".exit";
}

export function sectionRole(section: ElfSection): SectionRole {
  const name = section.name;
  if (isInitSection(name)) return "init";
  if ((section.flags & SHF_EXECINSTR) !== 0n) return "text";
  if (DATA_PREFIXES.some((p) => name === p || name.startsWith(`${p}.`))) return "data";
  if (RODATA_PREFIXES.some((p) => name === p || name.startsWith(`${p}.`))) return "rodata";
  return "metadata";
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
