// What a patch's source marked with kpatch's macros (kpatch-macros.h): KPATCH_IGNORE_FUNCTION puts
// a pointer to the function in .kpatch.ignore.functions, KPATCH_IGNORE_SECTION a pointer to the
// section's name in .kpatch.ignore.sections. The name is reached however the compiler emits it: a
// section symbol plus addend (or a .LC label) into a merged string section — rewritten to its text
// by reloc-targets.ts — or a named array (a symbol) or an offset into a plain data section.
import type { ElfFile, ElfSection } from "../elf/types.js";
import type { Reloc, Relocations } from "./reloc-targets.js";

export interface KpatchIgnoreLists {
  readonly ignoredFunctions: Set<string>;
  readonly ignoredSections: Set<string>;
}

function cString(section: ElfSection | undefined, offset: bigint): string | null {
  const data = section?.data;
  if (data === undefined || data === null || offset < 0n || offset >= BigInt(data.length)) return null;
  const start = Number(offset);
  const end = data.indexOf(0, start);
  if (end < 0) return null;
  return Buffer.from(data.subarray(start, end)).toString("latin1");
}

/** The section name one .kpatch.ignore.sections pointer reaches, null when it reaches no string. */
function pointedString(file: ElfFile, r: Reloc): string | null {
  const t = r.target;
  if (t.kind === "string") return t.text;
  if (t.kind === "symbol" && t.symbol.sectionIndex !== null) {
    return cString(file.sections[t.symbol.sectionIndex], t.symbol.value + r.addend);
  }
  if (t.kind === "section") return cString(t.section, r.addend);
  return null;
}

export function kpatchIgnoreLists(file: ElfFile, relocations: Relocations): KpatchIgnoreLists {
  const ignoredFunctions = new Set<string>();
  const ignoredSections = new Set<string>();
  for (const section of file.sections) {
    if (section.name === ".kpatch.ignore.functions") {
      for (const r of relocations.of(section))
        if (r.target.kind === "symbol") ignoredFunctions.add(r.target.symbol.name);
    } else if (section.name === ".kpatch.ignore.sections") {
      for (const r of relocations.of(section)) {
        const name = pointedString(file, r);
        if (name !== null) ignoredSections.add(name);
      }
    }
  }
  return { ignoredFunctions, ignoredSections };
}
