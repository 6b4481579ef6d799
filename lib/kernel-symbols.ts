// Loads the running kernel's symbols from whatever the user has: /proc/kallsyms, System.map,
// vmlinux, module .ko files — merged into one table (vmlinux from the best source, plus modules).
import type { CachedElfReader } from "../elf/read-file.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "./input-error.js";
import { readInputFile } from "./input-files.js";
import { readKallsyms } from "./kallsyms.js";
import type { KernelObject, KernelTable } from "./kernel-table.js";
import { VMLINUX } from "./kernel-table.js";
import { type ModuleReadOptions, readModule } from "./module-symbols.js";
import { readSystemMap } from "./system-map.js";
import { readVmlinux } from "./vmlinux-symbols.js";

export interface KernelSymbolSources {
  readonly kallsyms?: string;
  readonly systemMap?: string;
  readonly vmlinux?: string;
  readonly moduleFiles?: readonly string[];
  readonly lenient?: boolean;
  /** Which list of a module .ko: kept after init ("core", default) or at init time. */
  readonly moduleList?: ModuleReadOptions["list"];
  readonly kallsymsAll?: boolean;
  /** How vmlinux and .ko files are read: pass a cachedElfReader() to share their parse with the caller. */
  readonly readElf?: (path: string) => Promise<ElfFile>;
  /** How kallsyms and System.map are read (a run's reader keeps the bytes it parsed, for their sha256). */
  readonly readText?: (path: string) => Promise<Uint8Array>;
}

/**
 * vmlinux comes from the first of kallsyms, vmlinux, System.map that is given (kallsyms is what
 * runs); a module from kallsyms when it is loaded there, else from its .ko.
 */
export async function loadKernelSymbols(opts: KernelSymbolSources): Promise<KernelTable> {
  const tables: KernelTable[] = [];
  const text = { lenient: opts.lenient ?? false, ...(opts.readText ? { read: opts.readText } : {}) };
  if (opts.kallsyms !== undefined) tables.push(await readKallsyms(opts.kallsyms, text));
  if (opts.vmlinux !== undefined) {
    tables.push(
      await readVmlinux(
        opts.vmlinux,
        opts.kallsymsAll !== undefined ? { kallsymsAll: opts.kallsymsAll } : {},
        opts.readElf,
      ),
    );
  }
  if (opts.systemMap !== undefined) tables.push(await readSystemMap(opts.systemMap, text));
  for (const ko of opts.moduleFiles ?? []) {
    const moduleOpts: ModuleReadOptions = {
      ...(opts.moduleList !== undefined ? { list: opts.moduleList } : {}),
      ...(opts.kallsymsAll !== undefined ? { kallsymsAll: opts.kallsymsAll } : {}),
    };
    tables.push(await readModule(ko, moduleOpts, opts.readElf));
  }
  const first = tables[0];
  if (first === undefined) {
    throw InputError.usage(
      "kernel symbols",
      "no source given (--kallsyms, --system-map, --vmlinux or --module-file)",
    );
  }
  if (tables.length === 1) return first;
  return mergeTables(tables);
}

/** Objects from several tables; the first table holding an object wins, the others are noted. */
function mergeTables(tables: readonly KernelTable[]): KernelTable {
  const objects = new Map<string, KernelObject>();
  const notes: string[] = [];
  const vmlinuxFrom = tables.find((t) => t.objects.has(VMLINUX));
  for (const table of tables) {
    notes.push(...table.notes.map((n) => `${table.source.path}: ${n}`));
    for (const [name, obj] of table.objects) {
      if (objects.has(name)) {
        notes.push(
          `${table.source.path}: '${name}' already read from an earlier source; this one is not used`,
        );
        continue;
      }
      objects.set(name, obj);
    }
  }
  const primary = tables[0]!;
  return {
    source: primary.source,
    objects,
    addressesHidden: vmlinuxFrom?.addressesHidden ?? primary.addressesHidden,
    hasLlvmNames: vmlinuxFrom?.hasLlvmNames ?? false,
    notes,
  };
}

/** The sources' readers of a run: ELF files and symbol-table text each read once by `readElf`. */
export function sourceReaders(readElf: CachedElfReader): Pick<KernelSymbolSources, "readElf" | "readText"> {
  return { readElf, readText: (path) => readElf.bytes(path, readInputFile) };
}
