// One translation unit of a linked relocatable as an object of its own, the shape the diff step
// reads (an ElfFile view, no bytes copied): each of its pieces a section, its symbols rebased into
// them, its relocations rebased and re-aimed (a place in another unit's piece becomes a reference
// to that piece's symbol, as it was an undefined symbol in the per-file object), merged string and
// constant sections whole, and its slice of every table that points into it (__mcount_loc, …).
import {
  SHF_ALLOC,
  SHF_INFO_LINK,
  SHT_RELA,
  SHT_SYMTAB,
  STB_LOCAL,
  STT_NOTYPE,
  STT_SECTION,
} from "../elf/constants.js";
import type { ElfFile, ElfRelocation, ElfRelocationSection, ElfSection, ElfSymbol } from "../elf/types.js";
import { pieceIndexAt } from "./linked-pieces.js";
import { isMergedSection, type LinkedUnits, type Piece, type TranslationUnit } from "./translation-units.js";

function sliceSection(base: ElfSection, index: number, start: bigint, end: bigint): ElfSection {
  return {
    index,
    name: base.name,
    type: base.type,
    typeName: base.typeName,
    flags: base.flags,
    flagNames: base.flagNames,
    addr: 0n,
    offset: base.offset + start,
    size: end - start,
    link: 0,
    info: 0,
    addralign: base.addralign,
    entsize: base.entsize,
    data: base.data ? base.data.subarray(Number(start), Number(end)) : null,
  };
}

function syntheticSection(
  index: number,
  name: string,
  type: number,
  typeName: string,
  link = 0,
  info = 0,
): ElfSection {
  return {
    index,
    name,
    type,
    typeName,
    flags: type === SHT_RELA ? SHF_INFO_LINK : 0n,
    flagNames: type === SHT_RELA ? ["INFO LINK"] : [],
    addr: 0n,
    offset: 0n,
    size: 0n,
    link,
    info,
    addralign: 8n,
    entsize: type === SHT_RELA ? 24n : 0n,
    data: null,
  };
}

function copySymbol(s: ElfSymbol, index: number, sectionIndex: number | null, value: bigint): ElfSymbol {
  const undefinedHere = sectionIndex === null && s.sectionIndex !== null;
  return {
    index,
    name: s.name,
    value,
    size: undefinedHere ? 0n : s.size,
    type: s.type,
    typeName: s.typeName,
    bind: s.bind,
    bindName: s.bindName,
    visibility: s.visibility,
    visibilityName: s.visibilityName,
    other: s.other,
    shndx: sectionIndex ?? (undefinedHere ? 0 : s.shndx),
    special: sectionIndex !== null ? null : undefinedHere ? "UNDEF" : s.special,
    sectionIndex,
  };
}

function sectionSymbol(index: number, sectionIndex: number, like: ElfSymbol): ElfSymbol {
  return {
    ...copySymbol(like, index, sectionIndex, 0n),
    name: "",
    size: 0n,
    type: STT_SECTION,
    typeName: "SECTION",
    bind: STB_LOCAL,
    bindName: "LOCAL",
  };
}

/** Per unit, the relocations of tables without symbols of their own that point into its pieces. */
export type TableSlices = Map<number, Map<number, ElfRelocation[]>>;

/**
 * Scans once every allocated section without pieces for relocations that land in a piece of one of
 * the units asked for.
 */
export function tableSlices(linked: LinkedUnits, units: ReadonlySet<number>): TableSlices {
  const out: TableSlices = new Map();
  const { symbols: cols, sections: secs, pieces, pieceUnit, relocations } = linked.columns;
  const tables = relocations.tables;
  // the sections that hold a piece of a unit asked for: other targets are passed over at once
  const holds = new Uint8Array(secs.count);
  for (let k = 0; k < pieces.count; k++) if (units.has(pieceUnit[k]!)) holds[pieces.section[k]!] = 1;
  // every relocation section in order, its entries in file order
  for (let t = 0; t < tables.count; t++) {
    const target = tables.target[t]!;
    if (target === 0 || (secs.flags(target) & Number(SHF_ALLOC)) === 0 || pieces.firstOf[target]! >= 0)
      continue;
    for (let e = 0; e < tables.entries(t); e++) {
      const s = tables.symbol(t, e);
      if (cols.section[s]! < 0 || !holds[cols.section[s]!]) continue;
      const at = pieceIndexAt(pieces, cols.section[s]!, cols.value[s]! + tables.addend(t, e));
      if (at < 0 || !units.has(pieceUnit[at]!)) continue;
      const r = tables.relocation(t, e);
      const piece = linked.piece(at);
      let bySection = out.get(piece.unit);
      if (!bySection) {
        bySection = new Map();
        out.set(piece.unit, bySection);
      }
      const slice = bySection.get(target);
      if (slice) slice.push(r);
      else bySection.set(target, [r]);
    }
  }
  return out;
}

interface Builder {
  readonly linked: LinkedUnits;
  readonly unit: TranslationUnit;
  readonly sections: ElfSection[];
  readonly symbols: ElfSymbol[];
  readonly rela: ElfRelocationSection[];
  /** Linked-object symbol index → view symbol index. */
  readonly symbolMap: Map<number, number>;
  readonly pieceSection: Map<Piece, number>;
  /** Linked-object section index → view index of a section included whole. */
  readonly wholeSection: Map<number, number>;
  readonly sectionSymbolOf: Map<number, number>;
  symtab: ElfSection | null;
}

function addSection(b: Builder, section: ElfSection): number {
  b.sections.push(section);
  b.sectionSymbolOf.set(section.index, b.symbols.length);
  b.symbols.push(sectionSymbol(b.symbols.length, section.index, b.linked.symbol(0)));
  return section.index;
}

function wholeSectionIndex(b: Builder, index: number): number {
  let at = b.wholeSection.get(index);
  if (at === undefined) {
    const base = b.linked.section(index);
    at = addSection(b, sliceSection(base, b.sections.length, 0n, base.size));
    b.wholeSection.set(index, at);
  }
  return at;
}

/** A view symbol for a symbol of the linked object that this unit does not define: undefined here. */
function externalSymbol(b: Builder, s: ElfSymbol): number {
  let at = b.symbolMap.get(s.index);
  if (at === undefined) {
    at = b.symbols.length;
    b.symbols.push(copySymbol(s, at, null, 0n));
    b.symbolMap.set(s.index, at);
  }
  return at;
}

/** The anchor of a piece that covers a place (a function over its __pfx_ stub). */
function anchorAt(piece: Piece, place: bigint): ElfSymbol {
  let best = piece.anchors[0]!;
  for (const a of piece.anchors) if (a.value <= place && !a.name.startsWith("__pfx_")) best = a;
  return best;
}

/** A relocation of the linked object, re-aimed at this view's symbols. */
function mapRelocation(b: Builder, r: ElfRelocation, from: ElfSection, base: bigint): ElfRelocation {
  const s = r.symbolIndex < b.linked.columns.symbols.count ? b.linked.symbol(r.symbolIndex) : undefined;
  const addend = r.addend ?? 0n;
  const offset = r.offset - base;
  if (!s) return { ...r, offset };
  const mapped = b.symbolMap.get(s.index);
  if (mapped !== undefined) return { ...r, offset, symbolIndex: mapped };
  // section symbols and local labels name places: re-aim them at the piece the place lies in
  const place = s.type === STT_SECTION || (s.type === STT_NOTYPE && s.bind === STB_LOCAL);
  if (s.sectionIndex === null || !place) return { ...r, offset, symbolIndex: externalSymbol(b, s) };
  const target = b.linked.section(s.sectionIndex);
  const piece = isMergedSection(target)
    ? undefined
    : b.linked.pieceAt(s.sectionIndex, s.value + b.linked.landing(r, from));
  if (piece === undefined) {
    const at = wholeSectionIndex(b, s.sectionIndex);
    return { ...r, offset, symbolIndex: b.sectionSymbolOf.get(at)!, addend: s.value + addend };
  }
  const own = b.pieceSection.get(piece);
  if (own !== undefined) {
    return { ...r, offset, symbolIndex: b.sectionSymbolOf.get(own)!, addend: s.value + addend - piece.start };
  }
  const anchor = anchorAt(piece, s.value + b.linked.landing(r, from));
  return { ...r, offset, symbolIndex: externalSymbol(b, anchor), addend: s.value + addend - anchor.value };
}

function addRelocations(b: Builder, target: ElfSection, entries: readonly ElfRelocation[]): void {
  if (entries.length === 0) return;
  const index = b.sections.length;
  const section = syntheticSection(index, `.rela${target.name}`, SHT_RELA, "RELA", 0, target.index);
  b.sections.push(section);
  b.rela.push({
    section,
    target,
    get symtab(): ElfSection {
      return b.symtab!;
    },
    isRela: true,
    count: entries.length,
    entries: () => entries,
  });
}

/** The unit as an object file named `path`. */
export function unitObject(
  linked: LinkedUnits,
  unit: TranslationUnit,
  slices: TableSlices,
  path: string,
): ElfFile {
  const file = linked.file;
  const b: Builder = {
    linked,
    unit,
    sections: [linked.section(0)],
    symbols: [linked.symbol(0)],
    rela: [],
    symbolMap: new Map(),
    pieceSection: new Map(),
    wholeSection: new Map(),
    sectionSymbolOf: new Map(),
    symtab: null,
  };
  if (unit.fileSymbol) {
    b.symbolMap.set(unit.fileSymbol.index, b.symbols.length);
    b.symbols.push(copySymbol(unit.fileSymbol, b.symbols.length, null, 0n));
  }
  const pieces = [...unit.pieces].sort((x, y) =>
    x.section.index !== y.section.index ? x.section.index - y.section.index : x.start < y.start ? -1 : 1,
  );
  for (const p of pieces) {
    b.pieceSection.set(p, addSection(b, sliceSection(p.section, b.sections.length, p.start, p.end)));
  }
  const ordered = [...unit.symbols].sort((x, y) => (x.bind === y.bind ? x.index - y.index : x.bind - y.bind));
  for (const s of ordered) {
    const piece = s.sectionIndex === null ? undefined : linked.pieceAt(s.sectionIndex, s.value);
    const at = piece === undefined ? undefined : b.pieceSection.get(piece);
    if (at === undefined || piece === undefined) continue;
    b.symbolMap.set(s.index, b.symbols.length);
    b.symbols.push(copySymbol(s, b.symbols.length, at, s.value - piece.start));
  }
  for (const p of pieces) {
    const own = b.sections[b.pieceSection.get(p)!]!;
    const entries = linked.relocationsIn(p).map((r) => mapRelocation(b, r, p.section, p.start));
    addRelocations(b, own, entries);
  }
  for (const [index, list] of slices.get(unit.index) ?? []) {
    const base = linked.section(index);
    let lo = list[0]!.offset;
    let hi = lo;
    for (const r of list) {
      if (r.offset < lo) lo = r.offset;
      if (r.offset > hi) hi = r.offset;
    }
    hi = hi + 8n > base.size ? base.size : hi + 8n;
    const slice = sliceSection(base, b.sections.length, lo, hi);
    addSection(b, slice);
    addRelocations(
      b,
      slice,
      list.map((r) => mapRelocation(b, r, base, lo)),
    );
  }
  b.symtab = syntheticSection(b.sections.length, ".symtab", SHT_SYMTAB, "SYMTAB");
  b.sections.push(b.symtab);
  return viewFile(file, path, b);
}

function viewFile(file: ElfFile, path: string, b: Builder): ElfFile {
  const byTarget = new Map<number, ElfRelocation[]>();
  for (const rs of b.rela)
    byTarget.set(rs.target!.index, [...(byTarget.get(rs.target!.index) ?? []), ...rs.entries()]);
  const { sections, symbols, rela } = b;
  return {
    path,
    bytes: file.bytes,
    header: file.header,
    sections,
    sectionByName: (name) => sections.find((s) => s.name === name),
    symbols: () => symbols,
    dynamicSymbols: () => [],
    symbolsOf: () => symbols,
    relocationSections: () => rela,
    relocationsFor: (section) => byTarget.get(typeof section === "number" ? section : section.index) ?? [],
  };
}
