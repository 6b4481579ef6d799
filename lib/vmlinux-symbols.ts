// Reads a linked vmlinux ELF into the table kallsyms would hold (in progress).
import { InputError } from "./input-error.js";
import type { KernelTable } from "./kernel-table.js";

export async function readVmlinux(path: string): Promise<KernelTable> {
  throw new InputError(path, "reading a vmlinux ELF is not implemented yet");
}
