// A linked vmlinux ELF → the table kallsyms holds for it, the way the kernel build makes it:
// `nm -n` → scripts/mksysmap (System.map) → scripts/kallsyms.c (drop, re-type, re-order).
import {
  ET_DYN,
  ET_EXEC,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_NOBITS,
  STB_GLOBAL,
  STB_GNU_UNIQUE,
  STB_LOCAL,
  STB_WEAK,
  STT_FILE,
  STT_GNU_IFUNC,
  STT_OBJECT,
  STT_SECTION,
} from "../elf/constants.js";
import { readElfFile } from "../elf/index.js";
import type { ElfFile, ElfSection, ElfSymbol } from "../elf/types.js";
import { InputError } from "./input-error.js";
import { type KernelTable, objectsFromEntries, type SymbolEntry, VMLINUX } from "./kernel-table.js";

/** The letter GNU nm prints for a defined symbol's section (binutils bfd decode_section_type). */
function sectionLetter(section: ElfSection | undefined): string {
  if (section === undefined) return "?";
  if ((section.flags & SHF_EXECINSTR) !== 0n) return "t";
  if ((section.flags & SHF_ALLOC) !== 0n) {
    if (section.type === SHT_NOBITS) return "b";
    return (section.flags & SHF_WRITE) !== 0n ? "d" : "r";
  }
  return section.name.startsWith(".debug") ? "N" : "n";
}

/** GNU nm's type letter for an ELF symbol. */
function nmTypeLetter(sym: ElfSymbol, section: ElfSection | undefined): string {
  const weak = sym.bind === STB_WEAK;
  if (sym.special === "UNDEF") return weak ? (sym.type === STT_OBJECT ? "v" : "w") : "U";
  if (sym.special === "COMMON") return "C";
  if (sym.type === STT_GNU_IFUNC) return "i";
  if (weak) return sym.type === STT_OBJECT ? "V" : "W";
  if (sym.bind === STB_GNU_UNIQUE) return "u";
  const letter = sym.special === "ABS" ? "a" : sectionLetter(section);
  return sym.bind === STB_GLOBAL ? letter.toUpperCase() : letter;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What `nm -n vmlinux` lists: named non-section, non-file symbols, by address, ties by name
 * (GNU nm's numeric sort falls back to the name). STT_FILE blocks are kept as `file`.
 */
export function nmSymbols(elf: ElfFile): SymbolEntry[] {
  const out: SymbolEntry[] = [];
  let file: string | null = null;
  for (const sym of elf.symbols()) {
    if (sym.index === 0) continue;
    if (sym.type === STT_FILE) {
      file = sym.name === "" ? null : sym.name;
      continue;
    }
    if (sym.type === STT_SECTION || sym.name === "") continue;
    const section = sym.sectionIndex === null ? undefined : elf.sections[sym.sectionIndex];
    out.push({
      name: sym.name,
      type: nmTypeLetter(sym, section),
      address: sym.value,
      size: sym.size,
      // STT_FILE opens a block of the locals that follow; globals come after every block
      file: sym.bind === STB_LOCAL ? file : null,
      init: section?.name.startsWith(".init") ?? false,
    });
  }
  return out.sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : compareBytes(a.name, b.name),
  );
}

/** Name patterns scripts/mksysmap removes from `nm -n` to make System.map (checked on the oracle kernels). */
const MKSYSMAP_DROPPED_TYPES = new Set(["a", "N", "U", "w"]);
const MKSYSMAP_DROPPED_PREFIXES = [
  "$", // ARM/MIPS mapping symbols
  ".L", // local labels
  "__efistub_",
  "__pi_$",
  "__pi_.L",
  "__kvm_nvhe_$",
  "__kvm_nvhe_.L",
  "__crc_", // modversions CRCs
  "__kstrtab_", // EXPORT_SYMBOL strings
  "__kstrtabns_",
];
const MKSYSMAP_DROPPED_SUFFIXES = ["_from_arm", "_from_thumb", "_veneer"];
const MKSYSMAP_DROPPED_NAMES = new Set(["L0", "_SDA_BASE_", "_SDA2_BASE_"]);

function droppedByMksysmap(e: SymbolEntry): boolean {
  const n = e.name;
  if (MKSYSMAP_DROPPED_TYPES.has(e.type)) return true;
  if (MKSYSMAP_DROPPED_PREFIXES.some((p) => n.startsWith(p))) return true;
  if (MKSYSMAP_DROPPED_SUFFIXES.some((s) => n.endsWith(s))) return true;
  if (MKSYSMAP_DROPPED_NAMES.has(n)) return true;
  // lld thunks (__AArch64ADRPThunk_…, __ARMV7PILongThunk_…) and clang kCFI type ids
  if (/^__[A-Za-z0-9]*Thunk_/.test(n) || n.includes("__kcfi_typeid_")) return true;
  return n.includes(".long_branch.") || n.includes(".plt_branch.");
}

/** System.map from `nm -n` (scripts/mksysmap): same order, fewer symbols. */
export function systemMapSymbols(nm: readonly SymbolEntry[]): SymbolEntry[] {
  return nm.filter((e) => !droppedByMksysmap(e));
}

export interface KallsymsBuildOptions {
  /** CONFIG_KALLSYMS_ALL (default true): without it only text symbols are kept. */
  readonly kallsymsAll?: boolean;
}

/** scripts/kallsyms.c may_be_linker_script_provide_symbol(): `__start_x`, `__stop_x`, `__end_x`, `__x_start`, `__x_end`. */
function mayBeLinkerProvided(name: string): boolean {
  if (name.length < 8 || !name.startsWith("__")) return false;
  const rest = name.slice(2);
  return (
    rest.startsWith("start_") ||
    rest.startsWith("stop_") ||
    rest.startsWith("end_") ||
    name.endsWith("_start") ||
    name.endsWith("_end")
  );
}

function leadingUnderscores(name: string): number {
  let n = 0;
  while (name.charCodeAt(n) === 95) n++;
  return n;
}

function addressOf(list: readonly SymbolEntry[], name: string): bigint | undefined {
  return list.find((e) => e.name === name)?.address;
}

/**
 * The vmlinux part of /proc/kallsyms from System.map (scripts/kallsyms.c): absolute symbols
 * dropped, per-CPU symbols of a zero-based per-CPU area turned into `A`, then sorted by address,
 * weak after non-weak, linker-provided names after others, fewer leading underscores first,
 * System.map order last. Reproduces the oracle kernels' kallsyms from their System.map exactly.
 */
export function kallsymsSymbols(map: readonly SymbolEntry[], opts: KallsymsBuildOptions = {}): SymbolEntry[] {
  const all = opts.kallsymsAll ?? true;
  const percpuStart = addressOf(map, "__per_cpu_start");
  const percpuEnd = addressOf(map, "__per_cpu_end");
  // CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86_64 SMP): the per-CPU area is linked at 0
  const absolutePercpu = percpuStart === 0n && percpuEnd !== undefined;
  const textRanges: [bigint, bigint][] = [];
  for (const [s, e] of [
    ["_stext", "_etext"],
    ["_sinittext", "_einittext"],
  ] as const) {
    const start = addressOf(map, s);
    const end = addressOf(map, e);
    if (start !== undefined && end !== undefined) textRanges.push([start, end]);
  }
  const kept: { entry: SymbolEntry; seq: number }[] = [];
  map.forEach((e, seq) => {
    // absolute symbols of System.map (text_size, phys_startup_64, init_per_cpu__*) are not in kallsyms
    if (e.type === "A" || e.type === "a") return;
    let entry = e;
    if (absolutePercpu && e.address >= percpuStart! && e.address <= percpuEnd!) entry = { ...e, type: "A" };
    else if (!all && !textRanges.some(([s, t]) => e.address >= s && e.address <= t)) return;
    kept.push({ entry, seq });
  });
  kept.sort((x, y) => {
    const a = x.entry;
    const b = y.entry;
    if (a.address !== b.address) return a.address < b.address ? -1 : 1;
    const wa = a.type === "w" || a.type === "W" ? 1 : 0;
    const wb = b.type === "w" || b.type === "W" ? 1 : 0;
    if (wa !== wb) return wa - wb;
    const la = mayBeLinkerProvided(a.name) ? 1 : 0;
    const lb = mayBeLinkerProvided(b.name) ? 1 : 0;
    if (la !== lb) return la - lb;
    const ua = leadingUnderscores(a.name);
    const ub = leadingUnderscores(b.name);
    if (ua !== ub) return ua - ub;
    return x.seq - y.seq;
  });
  return kept.map((k) => k.entry);
}

export interface VmlinuxReadOptions extends KallsymsBuildOptions {}

export async function readVmlinux(
  path: string,
  opts: VmlinuxReadOptions = {},
  readElf: (path: string) => Promise<ElfFile> = readElfFile,
): Promise<KernelTable> {
  const elf = await readElf(path);
  if (elf.header.type !== ET_EXEC && elf.header.type !== ET_DYN) {
    throw new InputError(
      path,
      `not a linked vmlinux (ELF type ${elf.header.typeName}); give the final vmlinux`,
    );
  }
  const nm = nmSymbols(elf);
  if (nm.length === 0) throw new InputError(path, "no symbol table (stripped vmlinux?)");
  const entries = kallsymsSymbols(systemMapSymbols(nm), opts);
  return {
    source: { kind: "vmlinux", path },
    objects: objectsFromEntries(new Map([[VMLINUX, entries]])),
    addressesHidden: false,
    hasLlvmNames: entries.some((e) => e.name.includes(".llvm.")),
    notes: [
      `vmlinux symbols in kallsyms order (scripts/kallsyms.c), KALLSYMS_ALL ${opts.kallsymsAll === false ? "off" : "on"}`,
    ],
  };
}
