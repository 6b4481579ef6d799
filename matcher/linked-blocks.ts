// STT_FILE blocks for the kernel's symbols taken from vmlinux.o itself, the build that was booted:
// vmlinux is linked from vmlinux.o, so the kernel's symbols of a name are vmlinux.o's symbols of that
// name, in the order the final link lays them out. Within one group of the linker script
// (include/asm-generic/vmlinux.lds.h) that is vmlinux.o's section order, then offset (ld -r keeps
// same-named input sections merged in input order); between groups the order depends on the
// script (tools/objtool/klp-diff.c's find_sympos counts .text.unlikely* first for 6.19's), so
// a name whose copies lie in different groups is left without blocks rather than guessed.
import { sectionColumns, symbolColumns } from "../elf/columns.js";
import { STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT } from "../elf/constants.js";
import type { ElfFile } from "../elf/types.js";
import type { KernelObject } from "../lib/kernel-table.js";
import type { FileBlock } from "./evidence/index.js";

/**
 * The group of the final link's layout a section lands in, where its order within the group is sure:
 * hot text, ordinary text, unlikely text, rodata, data, bss (include/asm-generic/vmlinux.lds.h;
 * only copies of one name in one group are counted, so the groups' own order does not matter). The kernel's own text
 * sections (.init.text, .noinstr.text, .entry.text, .sched.text, …) lie elsewhere in an order this
 * does not model: null, and a name with a copy there gets no block from vmlinux.o.
 */
function layoutRank(section: string): number | null {
  if (section.startsWith(".text.hot")) return 0;
  if (section.startsWith(".text.unlikely")) return 5;
  // .text.startup/.text.exit (init and exit text), .text.unknown: placed by rules of their own
  if (/^\.text\.(startup|exit|unknown)(\.|$)/.test(section)) return null;
  if (section === ".text" || (section.startsWith(".text.") && !section.startsWith(".text.."))) return 1;
  if (section === ".rodata" || section.startsWith(".rodata.")) return 2;
  if (section === ".data" || (section.startsWith(".data.") && !section.startsWith(".data.."))) return 3;
  if (section === ".bss" || (section.startsWith(".bss.") && !section.startsWith(".bss.."))) return 4;
  return null;
}

interface Occurrence {
  readonly block: FileBlock;
  readonly rank: number | null;
  /** Its section's place in vmlinux.o and its offset there: the final link keeps input order. */
  readonly section: number;
  readonly value: number;
}

/**
 * The file block of each kernel symbol of `vmlinux` (keyed `name@address`, as fileBlocks keys a
 * linked vmlinux's) whose name vmlinux.o has as a local, where vmlinux.o has exactly as many
 * symbols of that name as the kernel, all in one layout group: the k-th in vmlinux.o's section
 * order (and offset) is the k-th by address.
 */
export function linkedFileBlocks(linked: ElfFile, vmlinux: KernelObject): Map<string, FileBlock> {
  const out = new Map<string, FileBlock>();
  for (const [name, list] of localsByName(linked)) {
    const positions = vmlinux.positionsOf(name);
    if (positions.length !== list.length) continue;
    // copies in different groups, or in the kernel's own text sections: their order is not sure
    const rank = list[0]!.rank;
    if (rank === null || list.some((o) => o.rank !== rank)) continue;
    const symbols = positions.map((p) => vmlinux.at(p));
    if (symbols.some((s) => s.address === null)) continue;
    symbols.sort((a, b) => (a.address! < b.address! ? -1 : a.address! > b.address! ? 1 : 0));
    list.sort((a, b) => a.section - b.section || a.value - b.value);
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
  const cols = symbolColumns(linked);
  if (cols === null) return byName;
  const sections = sectionColumns(linked);
  const ranks = new Map<number, number | null>();
  const rankOf = (section: number): number | null => {
    let rank = ranks.get(section);
    if (rank === undefined) {
      rank = layoutRank(sections.name(section));
      ranks.set(section, rank);
    }
    return rank;
  };
  let current: { file: string; locals: Set<string> } | null = null;
  for (let i = 1; i < cols.count; i++) {
    const type = cols.info[i]! & 0xf;
    if (type === STT_FILE) {
      current = { file: cols.name(i), locals: new Set() };
      continue;
    }
    const section = cols.section[i]!;
    if (current === null || cols.info[i]! >> 4 !== STB_LOCAL || cols.nameStart[i]! < 0 || section < 0)
      continue;
    if (type !== STT_FUNC && type !== STT_OBJECT) continue;
    const name = cols.name(i);
    if (name === "") continue;
    current.locals.add(name);
    const o = { block: current, rank: rankOf(section), section, value: cols.value[i]! };
    const list = byName.get(name);
    if (list) list.push(o);
    else byName.set(name, [o]);
  }
  return byName;
}
