// vmlinux (--vmlinux): the ftrace call sites a linked kernel image records, and the text anchor
// that relates its link-time addresses to a (KASLR-shifted) kallsyms table.
import type { ElfFile, ElfSection } from "../../elf/types.js";

export interface VmlinuxCallSites {
  readonly path: string;
  /** Link-time addresses of every recorded call site, ascending. */
  readonly sites: BigUint64Array;
  /**
   * A text anchor (`_stext`; `_text` or `_start` where it lacks one) at link time: a kallsyms
   * table is shifted (KASLR) by its address of the same anchor minus this.
   */
  readonly anchor: { readonly name: string; readonly address: bigint } | null;
}

const TEXT_ANCHORS = ["_stext", "_text", "_start"] as const;

function readWords(elf: ElfFile, section: ElfSection, from: bigint, to: bigint): bigint[] {
  const data = section.data;
  const size = elf.header.class === 64 ? 8 : 4;
  const little = elf.header.endianness === "little";
  if (data === null || from < 0n || to > BigInt(data.length)) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const out: bigint[] = [];
  for (let at = Number(from); at + size <= Number(to); at += size) {
    out.push(size === 8 ? view.getBigUint64(at, little) : BigInt(view.getUint32(at, little)));
  }
  return out;
}

/**
 * The call sites a linked vmlinux records for ftrace: the words between `__start_mcount_loc` and
 * `__stop_mcount_loc` (include/asm-generic/vmlinux.lds.h MCOUNT_REC, inside .init.data), or a
 * `__mcount_loc` section of its own. Null when it records none (no CONFIG_DYNAMIC_FTRACE, or
 * -fpatchable-function-entry arches, whose sites are not read here).
 */
export function vmlinuxCallSites(elf: ElfFile): VmlinuxCallSites | null {
  const symbols = elf.symbols();
  const named = (name: string) => symbols.find((s) => s.name === name && s.sectionIndex !== null);
  let words: bigint[] | null = null;
  const start = named("__start_mcount_loc");
  const stop = named("__stop_mcount_loc");
  if (start !== undefined && stop !== undefined && start.sectionIndex === stop.sectionIndex) {
    const section = elf.sections[start.sectionIndex!]!;
    words = readWords(elf, section, start.value - section.addr, stop.value - section.addr);
  } else {
    const section = elf.sectionByName("__mcount_loc");
    if (section !== undefined) words = readWords(elf, section, 0n, BigInt(section.data?.length ?? 0));
  }
  if (words === null || words.length === 0) return null;
  const sites = BigUint64Array.from(words).sort();
  let anchor: VmlinuxCallSites["anchor"] = null;
  for (const name of TEXT_ANCHORS) {
    const sym = named(name);
    if (sym !== undefined) {
      anchor = { name, address: sym.value };
      break;
    }
  }
  return { path: elf.path, sites, anchor };
}

/** True when a site lies in [from, to). */
export function hasSiteIn(sites: BigUint64Array, from: bigint, to: bigint): boolean {
  let lo = 0;
  let hi = sites.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sites[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sites.length && sites[lo]! < to;
}
