// STT_FILE blocks of a vmlinux ELF or a module's .ko (kpatch's way): the source file whose locals
// each candidate lies among, and the block that matches the orig object's locals.
import { STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT } from "../../elf/constants.js";
import type { ElfFile } from "../../elf/types.js";
import type { KernelObject } from "../../lib/kernel-table.js";
import { VMLINUX } from "../../lib/kernel-table.js";
import type { NeighbourhoodVerdict } from "./neighbourhood.js";
import type { OrigProfile } from "./orig-profile.js";

export interface FileBlock {
  readonly file: string;
  readonly locals: ReadonlySet<string>;
}

/** For each local function/object of a linked ELF, its STT_FILE block, keyed `name@address`. */
export function fileBlocks(elf: ElfFile): ReadonlyMap<string, FileBlock> {
  const byLocal = new Map<string, FileBlock>();
  let current: { file: string; locals: Set<string> } | null = null;
  for (const sym of elf.symbols()) {
    if (sym.type === STT_FILE) {
      current = { file: sym.name, locals: new Set() };
      continue;
    }
    if (current === null || sym.bind !== STB_LOCAL || sym.name === "") continue;
    if (sym.type !== STT_FUNC && sym.type !== STT_OBJECT) continue;
    current.locals.add(sym.name);
    byLocal.set(`${sym.name}@${sym.value.toString(16)}`, current);
  }
  return byLocal;
}

/**
 * STT_FILE blocks of a module's symbols by position in its kallsyms order, from the list its .ko
 * gives (lib/module-symbols: each local carries the STT_FILE it follows); null when `loaded`, the
 * object the table holds for the module, is not that list symbol for symbol (another build of the
 * module is loaded): positions would then name other symbols. A block is a run of consecutive
 * symbols of one file: the kernel keeps a module's symbols in its symtab order, which keeps each
 * object file's locals together after its STT_FILE entry.
 */
export function moduleFileBlocks(
  fromFile: KernelObject,
  loaded: KernelObject,
): ReadonlyMap<number, FileBlock> | null {
  if (fromFile.count !== loaded.count) return null;
  for (let p = 0; p < fromFile.count; p++) if (fromFile.nameAt(p) !== loaded.nameAt(p)) return null;
  const byPosition = new Map<number, FileBlock>();
  let current: { file: string; locals: Set<string> } | null = null;
  for (let p = 0; p < fromFile.count; p++) {
    const sym = fromFile.at(p);
    if (sym.file === null) {
      current = null;
      continue;
    }
    if (current === null || current.file !== sym.file) current = { file: sym.file, locals: new Set() };
    current.locals.add(sym.name);
    byPosition.set(p, current);
  }
  return byPosition;
}

export interface FileBlockMatch {
  readonly file: string | null;
  /** |block locals ∩ orig locals| / |block locals ∪ orig locals|; null when no block holds the candidate. */
  readonly similarity: number | null;
}

/** How well the STT_FILE block a candidate lies in (undefined: none) fits the orig object's locals. */
export function fileBlockMatch(block: FileBlock | undefined, profile: OrigProfile): FileBlockMatch {
  if (block === undefined) return { file: null, similarity: null };
  let common = 0;
  for (const n of profile.localNames) if (block.locals.has(n)) common++;
  const union = block.locals.size + profile.localNames.size - common;
  return { file: block.file, similarity: union === 0 ? 0 : common / union };
}

/** The vmlinux block of a candidate: fileBlocks keys a linked ELF's locals by name and address. */
export function vmlinuxFileBlock(
  blocks: ReadonlyMap<string, FileBlock>,
  name: string,
  address: bigint | null,
): FileBlock | undefined {
  return address === null ? undefined : blocks.get(`${name}@${address.toString(16)}`);
}

/**
 * Half the locals in common at least, the same file name, and a clear lead (a quarter of the
 * union) over the next block: small files share their static names with others (helper, cmp…).
 */
export function fileBlockWinner(
  profile: OrigProfile,
  matches: readonly { position: number; match: FileBlockMatch }[],
  objname = VMLINUX,
): NeighbourhoodVerdict {
  const inBlocks = matches.filter((m) => m.match.similarity !== null);
  if (inBlocks.length === 0) {
    return {
      winner: null,
      strength: null,
      detail: `no candidate lies in a file block of the ${objname === VMLINUX ? "vmlinux" : `${objname}.ko`} symtab`,
    };
  }
  // STT_FILE names the source file: a block of another file name is another object
  const sameName = inBlocks
    .filter((m) => profile.file === null || m.match.file === profile.file)
    .sort((a, b) => (b.match.similarity ?? 0) - (a.match.similarity ?? 0));
  const others = inBlocks.length - sameName.length;
  const best = sameName[0];
  if (best === undefined) {
    return { winner: null, strength: null, detail: `no candidate lies in a block of '${profile.file}'` };
  }
  const second = sameName[1]?.match.similarity ?? 0;
  const sim = best.match.similarity ?? 0;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const rest = `${sameName.length > 1 ? `next '${sameName[1]!.match.file}' block ${pct(second)}` : `no other '${best.match.file}' block`}${others > 0 ? `; ${others} in blocks of other files` : ""}`;
  if (sim >= 0.5 && sim - second >= 0.25) {
    return {
      winner: best.position,
      strength: "strong",
      detail: `STT_FILE block '${best.match.file}' shares ${pct(sim)} of its local names with the orig object (${rest})`,
    };
  }
  return {
    winner: null,
    strength: null,
    detail: `no STT_FILE block stands out (best '${best.match.file}' ${pct(sim)}; ${rest})`,
  };
}
