// The STT_FILE block evidence of a vmlinux given beside kallsyms: only from the running kernel's
// build (lib/vmlinux-alignment.ts refuses another), with its addresses moved by the KASLR offset.
import type { ElfFile } from "../elf/types.js";
import type { Flag } from "../lib/flags.js";
import type { KernelTable } from "../lib/kernel-table.js";
import { raise } from "../lib/report/flag-codes.js";
import { alignVmlinux, shiftKeys } from "../lib/vmlinux-alignment.js";
import { type FileBlock, fileBlocks } from "../matcher/evidence/index.js";

export interface VmlinuxEvidence {
  readonly blocks: ReadonlyMap<string, FileBlock>;
  /** VMLINUX_ALIGNED when the addresses had to be moved. */
  readonly flags: readonly Flag[];
}

export async function vmlinuxEvidence(
  table: KernelTable,
  path: string,
  readElf: (path: string) => Promise<ElfFile>,
): Promise<VmlinuxEvidence> {
  const elf = await readElf(path);
  const alignment = alignVmlinux(table, elf, path);
  const blocks = shiftKeys(fileBlocks(elf), alignment.offset);
  if (alignment.offset === 0n) return { blocks, flags: [] };
  const sign = alignment.offset < 0n ? "-" : "+";
  const abs = alignment.offset < 0n ? -alignment.offset : alignment.offset;
  return {
    blocks,
    flags: [
      raise(
        "VMLINUX_ALIGNED",
        `${path}: its addresses are ${table.source.path}'s ${sign}0x${abs.toString(16)} (KASLR): aligned by the unique symbol '${alignment.anchor}' (${alignment.agreeing} of ${alignment.compared} unique text symbols agree)`,
      ),
    ],
  };
}
