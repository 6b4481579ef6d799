// STT_FILE blocks for the kernel's symbols taken from vmlinux.o itself, the build that was booted:
// vmlinux is linked from vmlinux.o, so the kernel's symbols of a name are vmlinux.o's symbols of that
// name, in the order the final link lays them out — symbol-table order (input order: same-named
// sections merged by ld -r keep their pieces in it), with the linker script's output sections
// first: tools/objtool/klp-diff.c (find_sympos) counts .text.unlikely* before the rest of .text
// for this reason; include/asm-generic/vmlinux.lds.h puts text, then rodata, data and bss.
import { STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT } from "../elf/constants.js";
import type { ElfFile } from "../elf/types.js";
import type { KernelObject } from "../lib/kernel-table.js";
import type { FileBlock } from "./evidence/index.js";

/** Where the final link puts a section, coarsely: the order of vmlinux.lds.h's output sections. */
function layoutRank(section: string): number {
  if (section.startsWith(".text.unlikely") || section.startsWith(".text.hot")) return 0;
  if (section.startsWith(".text") || section.endsWith(".text")) return 1;
  if (section.startsWith(".rodata")) return 2;
  if (section.startsWith(".data")) return 3;
  if (section.startsWith(".bss")) return 4;
  return 5;
}

interface Occurrence {
  readonly block: FileBlock;
  readonly rank: number;
  readonly index: number;
}

/**
 * The file block of each kernel symbol of `vmlinux` (keyed `name@address`, as fileBlocks keys a
 * linked vmlinux's) whose name vmlinux.o has as a local, where vmlinux.o has exactly as many
 * symbols of that name as the kernel: the k-th in layout order is the k-th by address.
 */
export function linkedFileBlocks(linked: ElfFile, vmlinux: KernelObject): Map<string, FileBlock> {
  const out = new Map<string, FileBlock>();
  for (const [name, list] of localsByName(linked)) {
    const positions = vmlinux.positionsOf(name);
    if (positions.length !== list.length) continue;
    const symbols = positions.map((p) => vmlinux.at(p));
    if (symbols.some((s) => s.address === null)) continue;
    symbols.sort((a, b) => (a.address! < b.address! ? -1 : a.address! > b.address! ? 1 : 0));
    list.sort((a, b) => a.rank - b.rank || a.index - b.index);
    for (let k = 0; k < list.length; k++)
      out.set(`${name}@${symbols[k]!.address!.toString(16)}`, list[k]!.block);
  }
  return out;
}

/**
 * The file blocks of a loaded module's symbols by position, from its <mod>.o: kallsyms lists a
 * module's symbols in its .ko's symtab order (kernel/module/kallsyms.c), which keeps <mod>.o's.
 */
export function linkedModuleBlocks(linked: ElfFile, module: KernelObject): Map<number, FileBlock> {
  const out = new Map<number, FileBlock>();
  for (const [name, list] of localsByName(linked)) {
    const positions = module.positionsOf(name);
    if (positions.length !== list.length) continue;
    for (let k = 0; k < list.length; k++) out.set(positions[k]!, list[k]!.block);
  }
  return out;
}

/** Each local function or object name of a linked object, with the STT_FILE block of each copy. */
function localsByName(linked: ElfFile): Map<string, Occurrence[]> {
  const byName = new Map<string, Occurrence[]>();
  let current: { file: string; locals: Set<string> } | null = null;
  for (const s of linked.symbols()) {
    if (s.type === STT_FILE) {
      current = { file: s.name, locals: new Set() };
      continue;
    }
    if (current === null || s.bind !== STB_LOCAL || s.name === "" || s.sectionIndex === null) continue;
    if (s.type !== STT_FUNC && s.type !== STT_OBJECT) continue;
    current.locals.add(s.name);
    const o = {
      block: current,
      rank: layoutRank(linked.sections[s.sectionIndex]?.name ?? ""),
      index: s.index,
    };
    const list = byName.get(s.name);
    if (list) list.push(o);
    else byName.set(s.name, [o]);
  }
  return byName;
}
