// Reads a module .ko into the kallsyms the kernel keeps for it (in progress).
import { InputError } from "./input-error.js";
import type { KernelTable } from "./kernel-table.js";

export interface ModuleReadOptions {
  readonly list?: "core" | "init";
  readonly kallsymsAll?: boolean;
}

export async function readModule(path: string, _opts: ModuleReadOptions = {}): Promise<KernelTable> {
  throw new InputError(path, "reading a module .ko is not implemented yet");
}
