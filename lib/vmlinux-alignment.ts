// A vmlinux ELF given beside the running kernel's kallsyms: is it that kernel's build, and by how
// much are its addresses shifted? KASLR moves the whole kernel image by one offset at boot
// (arch/x86/boot/compressed/kaslr.c), so every text symbol of the same build lies at its link
// address plus that offset. Another build of the same source may agree on names and addresses but
// not on ThinLTO's `.llvm.<hash>` suffixes (the hash covers the module's path).
import { STT_FUNC } from "../elf/constants.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "./input-error.js";
import { type KernelTable, VMLINUX } from "./kernel-table.js";

export interface VmlinuxAlignment {
  /** kallsyms address − vmlinux address of the same symbol (0n when not shifted or not comparable). */
  readonly offset: bigint;
  /** The unique symbol the offset was measured on, null when nothing was compared. */
  readonly anchor: string | null;
  /** How many unique text symbols were compared, and how many agree with the offset. */
  readonly compared: number;
  readonly agreeing: number;
}

const NONE: VmlinuxAlignment = { offset: 0n, anchor: null, compared: 0, agreeing: 0 };

/** Function symbols of the ELF by name, with how many share each name. */
function elfFunctions(elf: ElfFile): Map<string, { value: bigint; count: number }> {
  const byName = new Map<string, { value: bigint; count: number }>();
  for (const s of elf.symbols()) {
    if (s.type !== STT_FUNC || s.name === "" || s.sectionIndex === null) continue;
    const seen = byName.get(s.name);
    if (seen === undefined) byName.set(s.name, { value: s.value, count: 1 });
    else seen.count++;
  }
  return byName;
}

/** `.llvm.<hash>` names of the table's vmlinux that the ELF lacks, and how many the table has. */
function llvmDifferences(table: KernelTable, elf: ElfFile): { missing: string[]; total: number } {
  const vmlinux = table.objects.get(VMLINUX);
  if (vmlinux === undefined || !table.hasLlvmNames) return { missing: [], total: 0 };
  const names = new Set<string>();
  for (const s of elf.symbols()) if (s.name.includes(".llvm.")) names.add(s.name);
  const missing: string[] = [];
  let total = 0;
  for (let i = 0; i < vmlinux.count; i++) {
    const name = vmlinux.nameAt(i);
    if (!name.includes(".llvm.")) continue;
    total++;
    if (!names.has(name)) missing.push(name);
  }
  return { missing, total };
}

function measureOffset(table: KernelTable, elf: ElfFile): VmlinuxAlignment {
  const vmlinux = table.objects.get(VMLINUX);
  if (vmlinux === undefined || table.addressesHidden || table.source.kind === "vmlinux") return NONE;
  const functions = elfFunctions(elf);
  const votes = new Map<bigint, { anchor: string; count: number }>();
  let compared = 0;
  for (let i = 0; i < vmlinux.count; i++) {
    const type = vmlinux.typeAt(i);
    if (type !== "t" && type !== "T") continue;
    const name = vmlinux.nameAt(i);
    const inElf = functions.get(name);
    if (inElf === undefined || inElf.count !== 1 || vmlinux.positionsOf(name).length !== 1) continue;
    const address = vmlinux.at(i).address;
    if (address === null) continue;
    compared++;
    const offset = address - inElf.value;
    const vote = votes.get(offset);
    if (vote === undefined) votes.set(offset, { anchor: name, count: 1 });
    else vote.count++;
  }
  let best: [bigint, { anchor: string; count: number }] | null = null;
  for (const entry of votes) if (best === null || entry[1].count > best[1].count) best = entry;
  if (best === null) return NONE;
  return { offset: best[0], anchor: best[1].anchor, compared, agreeing: best[1].count };
}

/**
 * Checks that the vmlinux at `path` is the build the table comes from and measures its shift.
 * Throws InputError (one line, exit 2) for another build: `.llvm.<hash>` names that differ, or
 * text addresses that no single offset lines up.
 */
export function alignVmlinux(table: KernelTable, elf: ElfFile, path: string): VmlinuxAlignment {
  const { missing, total } = llvmDifferences(table, elf);
  if (missing.length > 0) {
    throw new InputError(
      path,
      `another build than ${table.source.path}: ${missing.length} of its ${total} .llvm.<hash> names are not in this vmlinux (e.g. '${missing[0]}'); names without a hash may agree, but its STT_FILE blocks and sizes are not the running kernel's — drop --vmlinux (the ${table.source.kind} alone is sound) or give the running kernel's vmlinux`,
    );
  }
  const alignment = measureOffset(table, elf);
  // the same build: (nearly) every unique text symbol moved by the one offset
  if (alignment.compared >= 10 && alignment.agreeing * 10 < alignment.compared * 9) {
    throw new InputError(
      path,
      `another build than ${table.source.path}: only ${alignment.agreeing} of ${alignment.compared} unique text symbols lie at one offset from their ${table.source.kind} addresses`,
    );
  }
  return alignment;
}

/** File blocks keyed `name@address` (vmlinux addresses) re-keyed to the table's addresses. */
export function shiftKeys<T>(byNameAt: ReadonlyMap<string, T>, offset: bigint): ReadonlyMap<string, T> {
  if (offset === 0n) return byNameAt;
  const shifted = new Map<string, T>();
  for (const [key, value] of byNameAt) {
    const at = key.lastIndexOf("@");
    const address = BigInt(`0x${key.slice(at + 1)}`) + offset;
    shifted.set(`${key.slice(0, at)}@${address.toString(16)}`, value);
  }
  return shifted;
}
