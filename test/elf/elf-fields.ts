// Field offsets of ELF structures, for tests that corrupt one field of a real or built file.

export interface Shape {
  is64: boolean;
  le: boolean;
}

export function shapeOf(bytes: Uint8Array): Shape {
  return { is64: bytes[4] === 2, le: bytes[5] === 1 };
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function read(bytes: Uint8Array, offset: number, width: 1 | 2 | 4 | 8): bigint {
  const { le } = shapeOf(bytes);
  const v = view(bytes);
  if (width === 1) return BigInt(v.getUint8(offset));
  if (width === 2) return BigInt(v.getUint16(offset, le));
  if (width === 4) return BigInt(v.getUint32(offset, le));
  return v.getBigUint64(offset, le);
}

export function write(bytes: Uint8Array, offset: number, width: 1 | 2 | 4 | 8, value: bigint): void {
  const { le } = shapeOf(bytes);
  const v = view(bytes);
  const x = BigInt.asUintN(width * 8, value);
  if (width === 1) v.setUint8(offset, Number(x));
  else if (width === 2) v.setUint16(offset, Number(x), le);
  else if (width === 4) v.setUint32(offset, Number(x), le);
  else v.setBigUint64(offset, x, le);
}

export interface Field {
  offset: number;
  width: 1 | 2 | 4 | 8;
  what: string;
}

const HEADER64: [string, number, 1 | 2 | 4 | 8][] = [
  ["e_type", 16, 2],
  ["e_machine", 18, 2],
  ["e_shoff", 40, 8],
  ["e_shentsize", 58, 2],
  ["e_shnum", 60, 2],
  ["e_shstrndx", 62, 2],
];
const HEADER32: [string, number, 1 | 2 | 4 | 8][] = [
  ["e_type", 16, 2],
  ["e_machine", 18, 2],
  ["e_shoff", 32, 4],
  ["e_shentsize", 46, 2],
  ["e_shnum", 48, 2],
  ["e_shstrndx", 50, 2],
];

export function headerField(bytes: Uint8Array, name: string): Field {
  const { is64 } = shapeOf(bytes);
  const f = (is64 ? HEADER64 : HEADER32).find(([n]) => n === name)!;
  return { what: name, offset: f[1], width: f[2] };
}

export function headerFields(bytes: Uint8Array): Field[] {
  const { is64 } = shapeOf(bytes);
  return (is64 ? HEADER64 : HEADER32).map(([what, offset, width]) => ({ what, offset, width }));
}

const SHDR64: [string, number, 4 | 8][] = [
  ["sh_name", 0, 4],
  ["sh_type", 4, 4],
  ["sh_flags", 8, 8],
  ["sh_offset", 24, 8],
  ["sh_size", 32, 8],
  ["sh_link", 40, 4],
  ["sh_info", 44, 4],
  ["sh_entsize", 56, 8],
];
const SHDR32: [string, number, 4 | 8][] = [
  ["sh_name", 0, 4],
  ["sh_type", 4, 4],
  ["sh_flags", 8, 4],
  ["sh_offset", 16, 4],
  ["sh_size", 20, 4],
  ["sh_link", 24, 4],
  ["sh_info", 28, 4],
  ["sh_entsize", 36, 4],
];

/** The raw section count (e_shnum, or section 0's sh_size under extended numbering). */
export function sectionCount(bytes: Uint8Array): number {
  const n = Number(read(bytes, headerField(bytes, "e_shnum").offset, 2));
  if (n !== 0) return n;
  return Number(read(bytes, sectionField(bytes, 0, "sh_size").offset, shapeOf(bytes).is64 ? 8 : 4));
}

export function sectionField(bytes: Uint8Array, index: number, name: string): Field {
  const { is64 } = shapeOf(bytes);
  const shoff = Number(read(bytes, headerField(bytes, "e_shoff").offset, is64 ? 8 : 4));
  const f = (is64 ? SHDR64 : SHDR32).find(([n]) => n === name)!;
  return { what: `section[${index}].${name}`, offset: shoff + index * (is64 ? 64 : 40) + f[1], width: f[2] };
}

export function sectionFields(bytes: Uint8Array, index: number): Field[] {
  const { is64 } = shapeOf(bytes);
  return (is64 ? SHDR64 : SHDR32).map(([name]) => sectionField(bytes, index, name));
}

/** Fields of entry i of a symbol table or relocation section whose data starts at `start`. */
export function symbolFields(bytes: Uint8Array, start: number, i: number): Field[] {
  const { is64 } = shapeOf(bytes);
  const o = start + i * (is64 ? 24 : 16);
  return is64
    ? [
        { what: `sym${i}.st_name`, offset: o, width: 4 },
        { what: `sym${i}.st_info`, offset: o + 4, width: 1 },
        { what: `sym${i}.st_other`, offset: o + 5, width: 1 },
        { what: `sym${i}.st_shndx`, offset: o + 6, width: 2 },
        { what: `sym${i}.st_value`, offset: o + 8, width: 8 },
        { what: `sym${i}.st_size`, offset: o + 16, width: 8 },
      ]
    : [
        { what: `sym${i}.st_name`, offset: o, width: 4 },
        { what: `sym${i}.st_value`, offset: o + 4, width: 4 },
        { what: `sym${i}.st_size`, offset: o + 8, width: 4 },
        { what: `sym${i}.st_info`, offset: o + 12, width: 1 },
        { what: `sym${i}.st_other`, offset: o + 13, width: 1 },
        { what: `sym${i}.st_shndx`, offset: o + 14, width: 2 },
      ];
}

export function relocationFields(bytes: Uint8Array, start: number, i: number, rela: boolean): Field[] {
  const { is64 } = shapeOf(bytes);
  const size = is64 ? (rela ? 24 : 16) : rela ? 12 : 8;
  const w = is64 ? 8 : 4;
  const o = start + i * size;
  const fields: Field[] = [
    { what: `rel${i}.r_offset`, offset: o, width: w },
    { what: `rel${i}.r_info`, offset: o + w, width: w },
  ];
  if (rela) fields.push({ what: `rel${i}.r_addend`, offset: o + 2 * w, width: w });
  return fields;
}
