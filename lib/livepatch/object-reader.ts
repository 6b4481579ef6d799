// Reading words, pointers and strings out of a relocatable object: a pointer-sized field is
// followed through the relocation applying to it, as the module loader would fill it in.

import { STT_NOTYPE, STT_OBJECT } from "../../elf/constants.js";
import { hex } from "../../elf/layout.js";
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "../../elf/types.js";

/** What a pointer-sized field holds in a relocatable object. */
export type Pointer =
  | { readonly kind: "null" }
  /** A constant the object does not relocate (not followable). */
  | { readonly kind: "value"; readonly value: bigint }
  /** Relocated against a defined symbol: a place in one of the object's sections. */
  | {
      readonly kind: "local";
      readonly section: ElfSection;
      readonly offset: bigint;
      readonly symbol: ElfSymbol;
    }
  /** Relocated against an undefined symbol (e.g. `__this_module` before linking, exported functions). */
  | { readonly kind: "external"; readonly name: string; readonly addend: bigint };

export class ObjectReader {
  readonly elf: ElfFile;
  readonly pointerSize: 4 | 8;
  readonly little: boolean;
  private readonly relocs = new Map<
    number,
    Map<bigint, { reloc: ElfRelocation; symbols: readonly ElfSymbol[] }>
  >();

  constructor(elf: ElfFile) {
    this.elf = elf;
    this.pointerSize = elf.header.class === 64 ? 8 : 4;
    this.little = elf.header.endianness === "little";
  }

  /** An unsigned word of `size` bytes at `offset` of the section's data, or null when outside it. */
  word(section: ElfSection, offset: bigint, size: number = this.pointerSize): bigint | null {
    const data = section.data;
    if (data === null || offset < 0n || offset + BigInt(size) > BigInt(data.length)) return null;
    const at = Number(offset);
    const view = new DataView(data.buffer, data.byteOffset + at, size);
    if (size === 8) return view.getBigUint64(0, this.little);
    if (size === 4) return BigInt(view.getUint32(0, this.little));
    if (size === 2) return BigInt(view.getUint16(0, this.little));
    return BigInt(view.getUint8(0));
  }

  /** Relocations applying to a section, by offset (first one wins: one pointer per place). */
  relocationsAt(section: ElfSection): Map<bigint, { reloc: ElfRelocation; symbols: readonly ElfSymbol[] }> {
    let map = this.relocs.get(section.index);
    if (map === undefined) {
      map = new Map();
      for (const rs of this.elf.relocationSections()) {
        if (rs.target?.index !== section.index) continue;
        const symbols = this.elf.symbolsOf(rs.symtab);
        for (const reloc of rs.entries())
          if (!map.has(reloc.offset)) map.set(reloc.offset, { reloc, symbols });
      }
      this.relocs.set(section.index, map);
    }
    return map;
  }

  hasRelocationIn(section: ElfSection, from: bigint, to: bigint): boolean {
    for (const offset of this.relocationsAt(section).keys()) if (offset >= from && offset < to) return true;
    return false;
  }

  /** The pointer-sized field at `offset`: followed through its relocation when it has one. */
  pointer(section: ElfSection, offset: bigint): Pointer | null {
    const raw = this.word(section, offset);
    if (raw === null) return null;
    const hit = this.relocationsAt(section).get(offset);
    if (hit === undefined) return raw === 0n ? { kind: "null" } : { kind: "value", value: raw };
    const symbol = hit.symbols[hit.reloc.symbolIndex];
    if (symbol === undefined) return null;
    // SHT_REL keeps the addend in the place itself (System V gABI, "Relocation").
    const addend = hit.reloc.addend ?? raw;
    if (symbol.sectionIndex !== null) {
      const target = this.elf.sections[symbol.sectionIndex];
      if (target === undefined) return null;
      return { kind: "local", section: target, offset: symbol.value + addend, symbol };
    }
    return { kind: "external", name: symbol.name, addend };
  }

  /** The NUL-terminated string a pointer leads to (latin1, as the kernel compares bytes), or null. */
  string(p: Pointer | null): string | null {
    if (p === null || p.kind !== "local") return null;
    const data = p.section.data;
    if (data === null || p.offset < 0n || p.offset >= BigInt(data.length)) return null;
    const start = Number(p.offset);
    const end = data.indexOf(0, start);
    if (end < 0) return null;
    return Buffer.from(data.buffer, data.byteOffset + start, end - start).toString("latin1");
  }

  /** The size of a sized data symbol starting exactly at `offset` of `section`, else null. */
  extentAt(section: ElfSection, offset: bigint): bigint | null {
    let best: bigint | null = null;
    // a size reaching past the section's data is corrupt: not an extent (and never a loop bound)
    const room = BigInt(section.data?.length ?? 0) - offset;
    for (const s of this.elf.symbols()) {
      if (
        s.sectionIndex === section.index &&
        s.value === offset &&
        s.size > 0n &&
        s.size <= room &&
        (s.type === STT_OBJECT || s.type === STT_NOTYPE)
      ) {
        if (best === null || s.size > best) best = s.size;
      }
    }
    return best;
  }
}

/** `section+0xoffset`, how notes and sources name a place in the object. */
export function place(section: ElfSection, offset: bigint): string {
  return `${section.name}+${hex(offset)}`;
}
