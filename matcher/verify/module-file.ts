// Module files (--module-file): a target module's init-time symbol list, and which of its
// functions ftrace can attach to (those with a recorded call site).
import { SHF_EXECINSTR, STT_FILE, STT_FUNC } from "../../elf/constants.js";
import type { ElfFile, ElfSection } from "../../elf/types.js";
import { type KernelTable, objectsFromEntries, type SymbolEntry } from "../../lib/kernel-table.js";
import { moduleSymbolLists } from "../../lib/module-symbols.js";

export interface ModuleFileFacts {
  readonly objname: string;
  readonly path: string;
  readonly core: readonly SymbolEntry[];
  readonly init: readonly SymbolEntry[];
  /** Index into `init` of each `core` entry. */
  readonly coreToInit: readonly number[];
  /**
   * Per `init` entry: true when it is a function with an ftrace call site (`__mcount_loc` /
   * `__patchable_function_entries`), false when it has none, null when the module records no call
   * sites at all (no verdict).
   */
  readonly traceable: readonly (boolean | null)[];
  /** The init-time list as a table, for lookups made when the module loads. */
  readonly initTable: KernelTable;
}

// Where compilers record ftrace call sites: -mrecord-mcount (x86, s390, ppc) and
// -fpatchable-function-entry (arm64, riscv, loongarch, ppc64 ELFv2 with CALL_OPS).
const CALL_SITE_SECTIONS = new Set(["__mcount_loc", "__patchable_function_entries"]);

function callSites(elf: ElfFile): Map<number, bigint[]> | null {
  const sites = new Map<number, bigint[]>();
  let any = false;
  const little = elf.header.endianness === "little";
  const wordSize = elf.header.class === 64 ? 8 : 4;
  for (const rs of elf.relocationSections()) {
    const target = rs.target;
    if (target === null || !CALL_SITE_SECTIONS.has(target.name)) continue;
    any = true;
    const symbols = elf.symbolsOf(rs.symtab);
    for (const reloc of rs.entries()) {
      const sym = symbols[reloc.symbolIndex];
      if (sym === undefined || sym.sectionIndex === null) continue;
      const addend = reloc.addend ?? implicitAddend(target, reloc.offset, wordSize, little);
      const list = sites.get(sym.sectionIndex);
      const at = sym.value + addend;
      if (list === undefined) sites.set(sym.sectionIndex, [at]);
      else list.push(at);
    }
  }
  return any ? sites : null;
}

function implicitAddend(section: ElfSection, offset: bigint, size: number, little: boolean): bigint {
  const data = section.data;
  if (data === null || offset + BigInt(size) > BigInt(data.length)) return 0n;
  const view = new DataView(data.buffer, data.byteOffset + Number(offset), size);
  return size === 8 ? view.getBigUint64(0, little) : BigInt(view.getUint32(0, little));
}

/** The facts verify needs from a target module's .ko. */
export function moduleFileFacts(elf: ElfFile): ModuleFileFacts {
  const lists = moduleSymbolLists(elf);
  const initIndex = new Map<SymbolEntry, number>();
  lists.init.forEach((e, i) => {
    initIndex.set(e, i);
  });
  const coreToInit = lists.core.map((e) => initIndex.get(e) ?? -1);
  // the init list holds the defined, named symtab entries in symtab order (lib/module-symbols.ts)
  const elfSymbols = elf.symbols().filter((s) => s.index !== 0 && s.special !== "UNDEF" && s.name !== "");
  const sites = callSites(elf);
  const traceable = lists.init.map((_, i): boolean | null => {
    const sym = elfSymbols[i];
    if (sites === null || sym === undefined || sym.type === STT_FILE) return null;
    const section = sym.sectionIndex === null ? undefined : elf.sections[sym.sectionIndex];
    if (sym.type !== STT_FUNC || section === undefined || (section.flags & SHF_EXECINSTR) === 0n)
      return false;
    const end = sym.value + (sym.size > 0n ? sym.size : 1n);
    return (sites.get(section.index) ?? []).some((at) => at >= sym.value && at < end);
  });
  const initTable: KernelTable = {
    source: { kind: "module", path: elf.path },
    objects: objectsFromEntries(new Map([[lists.objname, lists.init]]), true),
    addressesHidden: true,
    hasLlvmNames: false,
    notes: [],
  };
  return {
    objname: lists.objname,
    path: elf.path,
    core: lists.core,
    init: lists.init,
    coreToInit,
    traceable,
    initTable,
  };
}
