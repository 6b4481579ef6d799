// The object model the diff step compares: every function and data object with the bytes it owns
// (units.ts), and relocations whose section-symbol targets are rewritten to the symbol, string or
// constant they land in (reloc-targets.ts); which functions have an ftrace entry (entry-table.ts).
import { SHF_WRITE } from "../elf/constants.js";
import type { ElfFile, ElfSection } from "../elf/types.js";
import { type DiffArch, diffArchOf } from "./arch/index.js";
import { callsProfilingEntry, unitsWithEntryRecord } from "./entry-table.js";
import { kpatchIgnoreLists } from "./kpatch-markers.js";
import { type Reloc, readRelocations } from "./reloc-targets.js";
import { placeUnits, type Unit } from "./units.js";

export type { Reloc, RelocTarget } from "./reloc-targets.js";
export { isBundled, splitParentName, type Unit, type UnitKind } from "./units.js";

export interface ObjectModel {
  readonly file: ElfFile;
  readonly arch: DiffArch;
  /** Every function and data object, in symbol-table order. */
  readonly units: readonly Unit[];
  unitOfSymbol(symbolIndex: number): Unit | undefined;
  /** Units of one section sorted by start. */
  unitsIn(section: ElfSection): readonly Unit[];
  /** Relocations applying to a section, normalized, sorted by offset. Cached. */
  relocations(section: ElfSection): readonly Reloc[];
  /** The relocations inside a unit's own bytes [start, end). */
  relocationsOf(unit: Unit): readonly Reloc[];
  /** The unit's bytes [start, end); null for NOBITS. */
  bytesOf(unit: Unit): Uint8Array | null;
  /** Functions with an ftrace entry: a call to __fentry__/_mcount or an entry-table record. */
  hasPatchableEntry(unit: Unit): boolean;
  /** Functions and sections the source marked with KPATCH_IGNORE_FUNCTION / KPATCH_IGNORE_SECTION. */
  readonly ignoredFunctions: ReadonlySet<string>;
  readonly ignoredSections: ReadonlySet<string>;
}

export function isWritable(section: ElfSection): boolean {
  return (section.flags & SHF_WRITE) !== 0n;
}

export function modelObject(file: ElfFile): ObjectModel {
  const arch = diffArchOf(file.header.machine);
  const index = placeUnits(file);
  const relocations = readRelocations(file, index, arch);
  let withEntry: Set<Unit> | null = null;
  const { ignoredFunctions, ignoredSections } = kpatchIgnoreLists(file, relocations);
  return {
    file,
    arch,
    units: index.units,
    unitOfSymbol: (symbolIndex) => index.bySymbol.get(symbolIndex),
    unitsIn: (section) => index.bySection.get(section.index) ?? [],
    relocations: relocations.of,
    relocationsOf: relocations.ofUnit,
    bytesOf: (unit) =>
      unit.section.data ? unit.section.data.subarray(Number(unit.start), Number(unit.end)) : null,
    hasPatchableEntry: (unit) => {
      withEntry ??= unitsWithEntryRecord(file, index, relocations);
      return withEntry.has(unit) || callsProfilingEntry(relocations.ofUnit(unit));
    },
    ignoredFunctions,
    ignoredSections,
  };
}
