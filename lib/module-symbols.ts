// The kallsyms a module .ko gets from the kernel: its core list (what /proc/kallsyms shows once
// the module's init has run) and its full init-time list, both in ELF symtab order.
import { basename } from "node:path";
import { SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS, STB_LOCAL, STT_FILE } from "../elf/constants.js";
import { readElfFile } from "../elf/index.js";
import type { ElfFile, ElfSection, ElfSymbol } from "../elf/types.js";
import { InputError } from "./input-error.js";
import {
  type KernelObject,
  type KernelTable,
  normalizeModuleName,
  objectsFromEntries,
  type SymbolEntry,
} from "./kernel-table.js";

export interface ModuleReadOptions {
  /** "core" (default): the symbols kept after init; "init": the full list while init runs. */
  readonly list?: "core" | "init";
  /** CONFIG_KALLSYMS_ALL (default true, as Debian's and the corpus kernels): data symbols are kept too. */
  readonly kallsymsAll?: boolean;
}

export interface ModuleSymbolLists {
  readonly objname: string;
  /** Kept after the module's init finished (kernel/module/kallsyms.c is_core_symbol). */
  readonly core: readonly SymbolEntry[];
  /** Every defined, named symbol: what klp resolves against while the module's init runs. */
  readonly init: readonly SymbolEntry[];
}

/** Section names that go to the module's init memory, freed after init (kernel/module/main.c: ".init*"). */
// kernel/module/main.c module_init_section(): the weak default is strstarts(name, ".init")
function isInitSection(section: ElfSection): boolean {
  return section.name.startsWith(".init");
}

/**
 * The type letter kernel/module/kallsyms.c's elf_type() gives; /proc/kallsyms upper-cases it for
 * exported symbols only (kernel/kallsyms.c s_show), so a global that is not exported stays lower case.
 */
function moduleTypeLetter(
  sym: ElfSymbol,
  section: ElfSection | undefined,
  percpu: number,
  exported: boolean,
): string {
  let letter: string;
  if (sym.special === "ABS" || (sym.sectionIndex !== null && sym.sectionIndex === percpu)) letter = "a";
  else if (section === undefined) letter = "?";
  else if ((section.flags & SHF_EXECINSTR) !== 0n) letter = "t";
  else if ((section.flags & SHF_ALLOC) !== 0n && !isDroppedAtLoad(section) && section.type !== SHT_NOBITS) {
    letter = (section.flags & SHF_WRITE) === 0n ? "r" : "d";
  } else if (section.type === SHT_NOBITS) letter = "b";
  else if (section.name.startsWith(".debug")) letter = "n";
  else letter = "?";
  return exported ? letter.toUpperCase() : letter;
}

/** Both lists of one module, from its parsed ELF. */
export function moduleSymbolLists(elf: ElfFile, opts: ModuleReadOptions = {}): ModuleSymbolLists {
  const kallsymsAll = opts.kallsymsAll ?? true;
  const symbols = elf.symbols();
  if (symbols.length === 0) throw new InputError(elf.path, "no symbol table (stripped module?)");
  const percpu = elf.sectionByName(".data..percpu")?.index ?? -1;
  const exported = new Set<string>();
  for (const sym of symbols) if (sym.name.startsWith("__ksymtab_")) exported.add(sym.name.slice(10));
  const core: SymbolEntry[] = [];
  const init: SymbolEntry[] = [];
  let file: string | null = null;
  for (const sym of symbols) {
    if (sym.index === 0 || sym.special === "UNDEF") continue;
    if (sym.type === STT_FILE) file = sym.name === "" ? null : sym.name;
    if (sym.name === "") continue;
    const section = sym.sectionIndex === null ? undefined : elf.sections[sym.sectionIndex];
    const inInit = section !== undefined && isInitSection(section);
    const entry: SymbolEntry = {
      name: sym.name,
      type: moduleTypeLetter(sym, section, percpu, exported.has(sym.name)),
      address: sym.value,
      size: sym.size,
      file: sym.type === STT_FILE || sym.bind !== STB_LOCAL ? null : file,
      init: inInit,
    };
    init.push(entry);
    if (isCoreSymbol(sym, section, percpu, kallsymsAll)) core.push(entry);
  }
  return { objname: normalizeModuleName(basename(elf.path)), core, init };
}

/** The loader clears SHF_ALLOC of .modinfo and __versions: "track but don't keep" (kernel/module/main.c). */
function isDroppedAtLoad(section: ElfSection): boolean {
  return section.name === ".modinfo" || section.name === "__versions";
}

/** kernel/module/kallsyms.c is_core_symbol(): defined, in a real section, named, allocated, not init. */
function isCoreSymbol(
  sym: ElfSymbol,
  section: ElfSection | undefined,
  percpu: number,
  kallsymsAll: boolean,
): boolean {
  if (sym.special !== null || section === undefined || sym.name === "") return false;
  if (kallsymsAll && sym.sectionIndex === percpu) return true;
  if ((section.flags & SHF_ALLOC) === 0n || isDroppedAtLoad(section)) return false;
  if (!kallsymsAll && (section.flags & SHF_EXECINSTR) === 0n) return false;
  return !isInitSection(section);
}

/** Both lists of a module .ko as kernel objects, from one reading of its symbols. */
export async function readModuleObjects(
  path: string,
  readElf: (path: string) => Promise<ElfFile> = readElfFile,
): Promise<{ readonly objname: string; readonly core: KernelObject; readonly init: KernelObject }> {
  const lists = moduleSymbolLists(await readElf(path));
  const objectOf = (list: readonly SymbolEntry[]) =>
    objectsFromEntries(new Map([[lists.objname, list]]), true).get(lists.objname)!;
  return { objname: lists.objname, core: objectOf(lists.core), init: objectOf(lists.init) };
}

export async function readModule(
  path: string,
  opts: ModuleReadOptions = {},
  readElf: (path: string) => Promise<ElfFile> = readElfFile,
): Promise<KernelTable> {
  const elf = await readElf(path);
  const lists = moduleSymbolLists(elf, opts);
  const list = opts.list === "init" ? lists.init : lists.core;
  return {
    source: { kind: "module", path },
    objects: objectsFromEntries(new Map([[lists.objname, list]]), true),
    addressesHidden: true,
    hasLlvmNames: false,
    notes: [
      `${lists.objname}: ${opts.list === "init" ? "init-time list (every defined symbol)" : "symbols kept after init"}; a .ko has no load address, so addresses are unknown`,
    ],
  };
}
