// How many bytes an orig function of a kpatch build may be longer than the kernel's own copy for
// the build flags alone. kpatch builds with -ffunction-sections: a jump to another function is to
// another section, so the assembler must leave it as `jmp rel32` (5 bytes) or `jcc rel32` (6 bytes)
// with a relocation, where the kernel's build, with its callees in the same .text, may relax it to
// the 2-byte short form (the arch's relaxableJump; fixed-width instruction sets have no such slack).
import type { ElfFile } from "../elf/types.js";
import { archRules, diffArchOf } from "./arch/index.js";

/** Bytes the function `name` of `elf` could shrink by in a build without -ffunction-sections. */
export function branchSlack(elf: ElfFile, name: string): bigint {
  const relaxable = archRules(diffArchOf(elf.header.machine))?.relaxableJump;
  if (relaxable === undefined) return 0n;
  const sym = elf.symbols().find((s) => s.name === name && s.sectionIndex !== null && s.size > 0n);
  if (sym === undefined || sym.sectionIndex === null) return 0n;
  const section = elf.sections[sym.sectionIndex];
  const data = section?.data;
  if (section === undefined || data === undefined || data === null) return 0n;
  let slack = 0n;
  for (const r of elf.relocationsFor(section)) {
    if (r.offset < sym.value || r.offset >= sym.value + sym.size) continue;
    slack += relaxable(r.typeName, data, Number(r.offset));
  }
  return slack;
}
