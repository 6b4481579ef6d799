// Which architecture the target kernel is, and from what: a vmlinux or .ko ELF says it in e_machine;
// a text table (kallsyms, System.map) only by the entry code's symbol names and its address ranges.
import { EM_AARCH64, EM_LOONGARCH, EM_PPC64, EM_S390, EM_X86_64 } from "../elf/constants.js";
import { hex } from "../elf/layout.js";
import { machineName } from "../elf/names.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "./input-error.js";
import { type KernelTable, VMLINUX } from "./kernel-table.js";

export interface KernelArch {
  /** ELF e_machine: 62 x86_64, 183 aarch64, 21 ppc64, 22 s390, 258 loongarch. */
  readonly machine: number;
  readonly name: string;
  /** What it was inferred from, in words: "vmlinux e_machine", "kallsyms K: startup_64, …". */
  readonly from: string;
}

const EM = {
  x86_64: EM_X86_64,
  aarch64: EM_AARCH64,
  ppc64: EM_PPC64,
  s390: EM_S390,
  loongarch: EM_LOONGARCH,
} as const;

/** Entry-code symbols only one architecture defines (the files that define them in the comments). */
const ARCH_SYMBOLS: readonly (readonly [number, readonly string[]])[] = [
  // arch/x86/kernel/head_64.S, arch/x86/entry/entry_64.S
  [EM.x86_64, ["startup_64", "entry_SYSCALL_64", "secondary_startup_64"]],
  // arch/arm64/kernel/head.S, arch/arm64/kernel/entry.S (el1h_64_sync ≥ 5.12, el1_sync before)
  [EM.aarch64, ["__primary_switch", "el1h_64_sync", "el0t_64_sync", "el1_sync", "el0_sync"]],
  // arch/powerpc/kernel/interrupt_64.S, arch/powerpc/kernel/exceptions-64s.S
  [EM.ppc64, ["system_call_common", "__start_interrupts", "start_here_multiplatform"]],
  // arch/s390/kernel/entry.S
  [EM.s390, ["pgm_check_handler", "mcck_int_handler", "ext_int_handler"]],
  // arch/loongarch/kernel/entry.S, arch/loongarch/kernel/head.S
  [EM.loongarch, ["handle_syscall", "kernel_entry", "handle_reserved"]],
];

/** Kernel text address ranges (arch/<arch>/include/asm/page*.h): a hint only when no name tells. */
function archOfAddress(address: bigint): number | null {
  if (address >= 0xffffffff80000000n) return EM.x86_64;
  if (address >= 0xffff000000000000n) return EM.aarch64;
  if (address >> 60n === 0xcn) return EM.ppc64;
  if (address >> 60n === 0x9n) return EM.loongarch;
  return null;
}

function fromNames(table: KernelTable): KernelArch | null {
  const vmlinux = table.objects.get(VMLINUX);
  if (vmlinux === undefined) return null;
  for (const [machine, names] of ARCH_SYMBOLS) {
    const found = names.filter((n) => vmlinux.positionsOf(n).length > 0);
    if (found.length > 0) {
      return {
        machine,
        name: machineName(machine),
        from: `${table.source.kind} ${table.source.path}: ${found.join(", ")}`,
      };
    }
  }
  // __pfx_ symbols: objtool's function padding, x86 only (tools/objtool, CONFIG_CALL_PADDING)
  for (let i = 0; i < vmlinux.count; i++) {
    if (vmlinux.nameAt(i).startsWith("__pfx_")) {
      return {
        machine: EM.x86_64,
        name: machineName(EM.x86_64),
        from: `${table.source.kind} ${table.source.path}: __pfx_ symbols`,
      };
    }
  }
  return null;
}

function fromAddresses(table: KernelTable): KernelArch | null {
  const vmlinux = table.objects.get(VMLINUX);
  if (vmlinux === undefined || table.addressesHidden) return null;
  for (let i = 0; i < vmlinux.count; i++) {
    const sym = vmlinux.at(i);
    if (sym.address === null || !/^[tT]$/.test(sym.type)) continue;
    const machine = archOfAddress(sym.address);
    if (machine === null) return null;
    return {
      machine,
      name: machineName(machine),
      from: `${table.source.kind} ${table.source.path}: text at ${hex(sym.address)}`,
    };
  }
  return null;
}

/**
 * The kernel's architecture: from the first ELF given (vmlinux, module or livepatch .ko), else from
 * the table's names, else its addresses; null when nothing tells (a test table of a user program).
 */
export function kernelArch(
  table: KernelTable,
  elves: readonly { path: string; elf: ElfFile }[],
): KernelArch | null {
  const first = elves[0];
  if (first !== undefined) {
    const machine = first.elf.header.machine;
    return { machine, name: machineName(machine), from: `${first.path} e_machine` };
  }
  return fromNames(table) ?? fromAddresses(table);
}

/** Objects of one machine against a kernel of another: an InputError naming both. */
export function checkObjectArch(arch: KernelArch | null, path: string, elf: ElfFile): void {
  if (arch === null || elf.header.machine === arch.machine) return;
  throw new InputError(
    path,
    `${elf.header.machineName} object, but the kernel is ${arch.name} (from ${arch.from}): wrong architecture`,
  );
}

/** Every ELF of the kernel side (vmlinux, modules) must be of one machine too. */
export function checkKernelElves(elves: readonly { path: string; elf: ElfFile }[]): void {
  const first = elves[0];
  for (const { path, elf } of elves.slice(1)) {
    if (first !== undefined && elf.header.machine !== first.elf.header.machine) {
      throw new InputError(
        path,
        `${elf.header.machineName} ELF, but ${first.path} is ${first.elf.header.machineName}: wrong architecture`,
      );
    }
  }
}

/** The kernel's architecture from its table and the kernel-side ELF files (vmlinux, modules), checked to agree. */
export async function kernelArchOf(
  table: KernelTable,
  paths: readonly string[],
  readElf: (path: string) => Promise<ElfFile>,
): Promise<KernelArch | null> {
  const elves = await Promise.all(paths.map(async (path) => ({ path, elf: await readElf(path) })));
  checkKernelElves(elves);
  return kernelArch(table, elves);
}
