// Fixed-width field reads at a byte offset, in the file's byte order, without per-field allocation,
// and NUL-terminated string reads from string-table sections.
import { Buffer } from "node:buffer";
import { ElfFormatError } from "./errors.js";

export interface Layout {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** The same bytes as a Buffer (no copy), for indexOf and fast string slices. */
  readonly buffer: Buffer;
  readonly view: DataView;
  readonly littleEndian: boolean;
  readonly is64: boolean;
}

export function makeLayout(path: string, bytes: Uint8Array, littleEndian: boolean, is64: boolean): Layout {
  return {
    path,
    bytes,
    buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    littleEndian,
    is64,
  };
}

export function u16(l: Layout, offset: number): number {
  return l.view.getUint16(offset, l.littleEndian);
}

export function u32(l: Layout, offset: number): number {
  return l.view.getUint32(offset, l.littleEndian);
}

export function u64(l: Layout, offset: number): bigint {
  return l.view.getBigUint64(offset, l.littleEndian);
}

export function i64(l: Layout, offset: number): bigint {
  return l.view.getBigInt64(offset, l.littleEndian);
}

/** An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
export function word(l: Layout, offset: number): bigint {
  return l.is64
    ? l.view.getBigUint64(offset, l.littleEndian)
    : BigInt(l.view.getUint32(offset, l.littleEndian));
}

/** An address-sized signed field (r_addend). */
export function sword(l: Layout, offset: number): bigint {
  return l.is64
    ? l.view.getBigInt64(offset, l.littleEndian)
    : BigInt(l.view.getInt32(offset, l.littleEndian));
}

/** A string table: where it lies in the file and how to read a name from it. */
export interface StringTable {
  readonly start: number;
  readonly size: number;
  /** True when every byte is < 0x80, so a latin1 slice equals the UTF-8 decoding. */
  readonly ascii: boolean;
  readonly description: string;
}

export function makeStringTable(l: Layout, start: number, size: number, description: string): StringTable {
  const bytes = l.bytes;
  let ascii = true;
  for (let i = start, end = start + size; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  return { start, size, ascii, description };
}

/** The NUL-terminated string at `offset` in the table; `what` names the referrer in the error. */
export function readString(l: Layout, table: StringTable, offset: number, what: string): string {
  if (offset >= table.size) {
    if (offset === 0) return "";
    throw new ElfFormatError(
      l.path,
      `${what}: name offset 0x${offset.toString(16)} is outside ${table.description} (size 0x${table.size.toString(16)})`,
    );
  }
  const begin = table.start + offset;
  const end = table.start + table.size;
  const nul = l.buffer.indexOf(0, begin);
  if (nul < 0 || nul >= end) {
    throw new ElfFormatError(
      l.path,
      `${what}: name at offset 0x${offset.toString(16)} in ${table.description} is not NUL-terminated`,
    );
  }
  if (nul === begin) return "";
  return l.buffer.toString(table.ascii ? "latin1" : "utf8", begin, nul);
}

export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
