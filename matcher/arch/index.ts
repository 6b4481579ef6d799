// The architectures the diff step knows, by ELF machine. Adding one: a file with its ArchRules
// record, and its line in ARCHES.
import { aarch64 } from "./aarch64.js";
import { loongarch } from "./loongarch.js";
import { ppc64 } from "./ppc64.js";
import { s390 } from "./s390.js";
import type { ArchRules, DiffArch } from "./types.js";
import { x86_64 } from "./x86_64.js";

export type { ArchRules, DiffArch, FunctionBytes } from "./types.js";

const ARCHES: readonly ArchRules[] = [x86_64, ppc64, s390, aarch64, loongarch];

const BY_MACHINE: ReadonlyMap<number, ArchRules> = new Map(ARCHES.map((a) => [a.machine, a]));
const BY_NAME: ReadonlyMap<DiffArch, ArchRules> = new Map(ARCHES.map((a) => [a.name, a]));

/** The arch of an ELF e_machine: its record's name, or "other". */
export function diffArchOf(machine: number): DiffArch {
  return BY_MACHINE.get(machine)?.name ?? "other";
}

/** The rules of an arch; undefined for "other". */
export function archRules(arch: DiffArch): ArchRules | undefined {
  return BY_NAME.get(arch);
}

/** How far past `symbol + addend` a relocation's real target lies (see ArchRules.landingBias). */
export function landingBias(arch: DiffArch, typeName: string, code: Uint8Array | null, at: number): bigint {
  return BY_NAME.get(arch)?.landingBias?.(typeName, code, at) ?? 0n;
}

// Section and symbol names belong to one arch's toolchain or kernel, and an object of another arch
// never holds them: they are recognised on every machine.
const namesOf = (field: (a: ArchRules) => readonly string[] | undefined): ReadonlySet<string> =>
  new Set(ARCHES.flatMap((a) => field(a) ?? []));
const POINTER_SLOT_SECTIONS = namesOf((a) => a.pointerSlotSections);
const PER_FUNCTION_TABLES = namesOf((a) => a.perFunctionTables);
const INERT_CODE_SECTIONS = namesOf((a) => a.inertCodeSections);
const MAPPING_SYMBOL_PREFIXES = [...namesOf((a) => (a.mappingSymbolPrefix ? [a.mappingSymbolPrefix] : []))];

/** A section of anonymous pointer slots (ppc64 `.toc`). */
export function isPointerSlotSection(name: string): boolean {
  return POINTER_SLOT_SECTIONS.has(name);
}

/** An arch's table describing places in functions (alternatives, feature fixups, expolines, …). */
export function isArchPerFunctionTable(name: string): boolean {
  return PER_FUNCTION_TABLES.has(name);
}

/** Code never run in a module (x86 `.altinstr_aux`). */
export function isInertCodeSection(name: string): boolean {
  return INERT_CODE_SECTIONS.has(name);
}

/** An assembler mapping symbol (`$x`, `$d`). */
export function isMappingSymbol(name: string): boolean {
  return MAPPING_SYMBOL_PREFIXES.some((p) => name.startsWith(p));
}
