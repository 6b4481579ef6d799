// Writes small ELF files from a description, in either class and byte order, for tests that need
// shapes no compiler on this machine produces (ELF32, big-endian, odd symbol fields, corruptions).

export interface SymbolSpec {
  name: string;
  value?: bigint;
  size?: bigint;
  /** st_info; defaults to GLOBAL FUNC. */
  info?: number;
  other?: number;
  /** st_shndx as written; SHN_XINDEX (0xffff) takes its index from `xindex`. */
  shndx: number;
  xindex?: number;
}

export interface RelocationSpec {
  offset: bigint;
  type: number;
  symbol: number;
  addend?: bigint;
}

export interface SectionSpec {
  name: string;
  type: number;
  flags?: bigint;
  data?: Uint8Array;
  /** For SHT_NOBITS: the size without data. */
  size?: bigint;
  link?: number;
  info?: number;
  entsize?: bigint;
  addralign?: bigint;
  addr?: bigint;
}

export interface ElfSpec {
  class: 32 | 64;
  endianness: "little" | "big";
  machine: number;
  type?: number;
  osabi?: number;
  /** Sections after the null section 0; indexes start at 1 in this order. */
  sections: SectionSpec[];
  /** When given, .symtab/.strtab (and .symtab_shndx when needed) are appended after `sections`. */
  symbols?: SymbolSpec[];
  /** Relocation sections appended after the symbol table, each against section `target` (an index). */
  relocations?: { target: number; rela: boolean; entries: RelocationSpec[] }[];
  /** Write e_shnum = 0 / e_shstrndx = SHN_XINDEX even when the counts fit. */
  forceExtendedNumbering?: boolean;
  /** Bytes appended after everything (e.g. a module signature). */
  trailer?: Uint8Array;
}

class Writer {
  bytes: number[] = [];
  constructor(
    readonly le: boolean,
    readonly is64: boolean,
  ) {}
  u8(v: number) {
    this.bytes.push(v & 0xff);
  }
  u16(v: number) {
    if (this.le) this.bytes.push(v & 0xff, (v >> 8) & 0xff);
    else this.bytes.push((v >> 8) & 0xff, v & 0xff);
  }
  u32(v: number) {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.bytes.push(...(this.le ? b : b.reverse()));
  }
  u64(v: bigint) {
    const x = BigInt.asUintN(64, v);
    const lo = Number(x & 0xffffffffn);
    const hi = Number(x >> 32n);
    if (this.le) {
      this.u32(lo);
      this.u32(hi);
    } else {
      this.u32(hi);
      this.u32(lo);
    }
  }
  word(v: bigint) {
    if (this.is64) this.u64(v);
    else this.u32(Number(BigInt.asUintN(32, v)));
  }
  align(n: number) {
    while (this.bytes.length % n) this.bytes.push(0);
  }
  raw(data: Uint8Array | number[]) {
    for (const b of data) this.bytes.push(b);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function strtab(names: string[]): { data: Uint8Array; offsets: number[] } {
  const parts: number[] = [0];
  const offsets: number[] = [];
  for (const n of names) {
    if (n === "") {
      offsets.push(0);
      continue;
    }
    offsets.push(parts.length);
    for (const c of Buffer.from(n, "utf8")) parts.push(c);
    parts.push(0);
  }
  return { data: Uint8Array.from(parts), offsets };
}

/** Encodes symbols as a symtab section's bytes (entry 0 included in `symbols`). */
export function encodeSymbols(spec: ElfSpec, symbols: SymbolSpec[], nameOffsets: number[]): Uint8Array {
  const w = new Writer(spec.endianness === "little", spec.class === 64);
  symbols.forEach((s, i) => {
    const info = s.info ?? 0x12;
    if (spec.class === 64) {
      w.u32(nameOffsets[i]!);
      w.u8(info);
      w.u8(s.other ?? 0);
      w.u16(s.shndx);
      w.u64(s.value ?? 0n);
      w.u64(s.size ?? 0n);
    } else {
      w.u32(nameOffsets[i]!);
      w.u32(Number(s.value ?? 0n));
      w.u32(Number(s.size ?? 0n));
      w.u8(info);
      w.u8(s.other ?? 0);
      w.u16(s.shndx);
    }
  });
  return w.done();
}

export function encodeRelocations(spec: ElfSpec, rela: boolean, entries: RelocationSpec[]): Uint8Array {
  const w = new Writer(spec.endianness === "little", spec.class === 64);
  for (const r of entries) {
    if (spec.class === 64) {
      w.u64(r.offset);
      w.u64((BigInt(r.symbol) << 32n) | BigInt(r.type));
      if (rela) w.u64(r.addend ?? 0n);
    } else {
      w.u32(Number(r.offset));
      w.u32(((r.symbol << 8) | (r.type & 0xff)) >>> 0);
      if (rela) w.u32(Number(BigInt.asUintN(32, r.addend ?? 0n)));
    }
  }
  return w.done();
}

/** Builds the ELF file. Layout: header, section data (8-aligned), section header table, trailer. */
export function buildElf(spec: ElfSpec): Uint8Array {
  const is64 = spec.class === 64;
  const le = spec.endianness === "little";
  const sections: SectionSpec[] = [...spec.sections];
  if (spec.symbols) {
    const all: SymbolSpec[] = [{ name: "", shndx: 0, info: 0 }, ...spec.symbols];
    const names = strtab(all.map((s) => s.name));
    const symtabIndex = sections.length + 1;
    const firstGlobal = all.findIndex((s) => (s.info ?? 0x12) >> 4 !== 0);
    sections.push({
      name: ".symtab",
      type: 2,
      data: encodeSymbols(spec, all, names.offsets),
      link: symtabIndex + 1,
      info: firstGlobal < 0 ? all.length : firstGlobal,
      entsize: is64 ? 24n : 16n,
      addralign: 8n,
    });
    sections.push({ name: ".strtab", type: 3, data: names.data, addralign: 1n });
    if (all.some((s) => s.shndx === 0xffff)) {
      const w = new Writer(le, is64);
      for (const s of all) w.u32(s.shndx === 0xffff ? (s.xindex ?? 0) : 0);
      sections.push({
        name: ".symtab_shndx",
        type: 18,
        data: w.done(),
        link: symtabIndex,
        entsize: 4n,
        addralign: 4n,
      });
    }
    for (const r of spec.relocations ?? []) {
      const target = spec.sections[r.target - 1]?.name ?? `#${r.target}`;
      sections.push({
        name: (r.rela ? ".rela" : ".rel") + target,
        type: r.rela ? 4 : 9,
        flags: 0x40n,
        data: encodeRelocations(spec, r.rela, r.entries),
        link: symtabIndex,
        info: r.target,
        entsize: BigInt(is64 ? (r.rela ? 24 : 16) : r.rela ? 12 : 8),
        addralign: 8n,
      });
    }
  }
  const shstrtabIndex = sections.length + 1;
  sections.push({ name: ".shstrtab", type: 3, data: new Uint8Array(0), addralign: 1n });
  const shnames = strtab(sections.map((s) => s.name));
  sections[sections.length - 1] = { ...sections[sections.length - 1]!, data: shnames.data };

  const w = new Writer(le, is64);
  const headerSize = is64 ? 64 : 52;
  w.raw(new Uint8Array(headerSize));
  const offsets: number[] = [];
  for (const s of sections) {
    w.align(8);
    offsets.push(w.bytes.length);
    if (s.type !== 8 && s.data) w.raw(s.data);
  }
  w.align(8);
  const shoff = w.bytes.length;
  const shnum = sections.length + 1;
  const extended = spec.forceExtendedNumbering || shnum >= 0xff00;
  const extendedStr = spec.forceExtendedNumbering || shstrtabIndex >= 0xff00;
  const writeHeader = (
    name: number,
    type: number,
    flags: bigint,
    addr: bigint,
    offset: number,
    size: bigint,
    link: number,
    info: number,
    align: bigint,
    entsize: bigint,
  ) => {
    w.u32(name);
    w.u32(type);
    w.word(flags);
    w.word(addr);
    w.word(BigInt(offset));
    w.word(size);
    w.u32(link);
    w.u32(info);
    w.word(align);
    w.word(entsize);
  };
  writeHeader(0, 0, 0n, 0n, 0, extended ? BigInt(shnum) : 0n, extendedStr ? shstrtabIndex : 0, 0, 0n, 0n);
  sections.forEach((s, i) => {
    const size = s.type === 8 ? (s.size ?? 0n) : BigInt(s.data?.length ?? 0);
    writeHeader(
      shnames.offsets[i]!,
      s.type,
      s.flags ?? 0n,
      s.addr ?? 0n,
      offsets[i]!,
      size,
      s.link ?? 0,
      s.info ?? 0,
      s.addralign ?? 1n,
      s.entsize ?? 0n,
    );
  });
  if (spec.trailer) w.raw(spec.trailer);
  const out = w.done();
  // The ELF header, written last now that the offsets are known.
  const h = new Writer(le, is64);
  h.raw([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, spec.osabi ?? 0]);
  h.raw(new Uint8Array(8));
  h.u16(spec.type ?? 1);
  h.u16(spec.machine);
  h.u32(1);
  h.word(0n); // e_entry
  h.word(0n); // e_phoff
  h.word(BigInt(shoff));
  h.u32(0); // e_flags
  h.u16(headerSize);
  h.u16(0);
  h.u16(0);
  h.u16(is64 ? 64 : 40);
  h.u16(extended ? 0 : shnum);
  h.u16(extendedStr ? 0xffff : shstrtabIndex);
  out.set(h.done(), 0);
  return out;
}
