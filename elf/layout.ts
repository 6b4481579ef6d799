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

/** An address-sized field: 4 bytes in ELF32, 8 in ELF64. */
export function word(l: Layout, offset: number): bigint {
  return l.is64
    ? l.view.getBigUint64(offset, l.littleEndian)
    : BigInt(l.view.getUint32(offset, l.littleEndian));
}

/** A string table: where it lies in the file. */
export interface StringTable {
  readonly start: number;
  readonly size: number;
  readonly description: string;
}

export function makeStringTable(start: number, size: number, description: string): StringTable {
  return { start, size, description };
}

interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Where the NUL-terminated string at `offset` ends (the NUL's position), or -1 when it can't be read. */
export function stringEnd(l: Layout, table: StringTable, offset: number): number {
  if (offset >= table.size) return -1;
  const bytes = l.bytes;
  const end = table.start + table.size;
  let nul = table.start + offset;
  while (nul < end && bytes[nul] !== 0) nul++;
  return nul === end ? -1 : nul;
}

/** Decodes bytes [begin, end) of the file as UTF-8 (latin1 slicing, the fast path, when all are ASCII). */
export function decodeString(l: Layout, begin: number, end: number): string {
  if (begin === end) return "";
  const bytes = l.bytes;
  // Buffer's own slice methods skip the encoding lookup of toString(); names are read by the 100,000.
  const buffer = l.buffer as unknown as FastSlices;
  for (let i = begin; i < end; i++) if (bytes[i]! >= 0x80) return buffer.utf8Slice(begin, end);
  return buffer.latin1Slice(begin, end);
}

/**
 * The NUL-terminated string at `offset` in the table, or null when the offset is outside the table or
 * the string runs off its end (the caller names the referrer in its error; see stringError).
 */
export function readString(l: Layout, table: StringTable, offset: number): string | null {
  if (offset >= table.size) return offset === 0 ? "" : null;
  const bytes = l.bytes;
  const begin = table.start + offset;
  const end = table.start + table.size;
  let nul = begin;
  let ascii = true;
  for (; nul < end; nul++) {
    const c = bytes[nul]!;
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
  }
  if (nul === end) return null;
  if (nul === begin) return "";
  const buffer = l.buffer as unknown as FastSlices;
  return ascii ? buffer.latin1Slice(begin, nul) : buffer.utf8Slice(begin, nul);
}

/** The error for a name readString could not read. */
export function stringError(l: Layout, table: StringTable, offset: number, what: string): ElfFormatError {
  if (offset >= table.size) {
    return new ElfFormatError(
      l.path,
      `${what}: name offset ${hex(offset)} is outside ${table.description} (size ${hex(table.size)})`,
    );
  }
  return new ElfFormatError(
    l.path,
    `${what}: name at offset ${hex(offset)} in ${table.description} is not NUL-terminated`,
  );
}

const SMALL_BIGINTS: bigint[] = [];

/** BigInt(n) for a non-negative integer n, sharing one bigint per small value (fewer allocations). */
export function bigintOf(n: number): bigint {
  if (n < 4096) {
    let b = SMALL_BIGINTS[n];
    if (b === undefined) {
      b = BigInt(n);
      SMALL_BIGINTS[n] = b;
    }
    return b;
  }
  return BigInt(n);
}

/** An unsigned 64-bit field as bigint; small values share cached bigints. */
export function u64Small(l: Layout, offset: number): bigint {
  const le = l.littleEndian;
  const hi = l.view.getUint32(le ? offset + 4 : offset, le);
  if (hi === 0) return bigintOf(l.view.getUint32(le ? offset : offset + 4, le));
  return l.view.getBigUint64(offset, le);
}

/**
 * An unsigned 64-bit field as a number (exact below 2^53), without making a heap number for the
 * small values that nearly every field holds.
 */
export function u64Number(view: DataView, at: number, le: boolean): number {
  const hi = view.getUint32(le ? at + 4 : at, le);
  const lo = view.getUint32(le ? at : at + 4, le);
  return hi === 0 ? lo : hi * 0x100000000 + lo;
}

/** A signed 64-bit field (a relocation addend) as a number (exact within ±2^53). */
export function i64Number(view: DataView, at: number, le: boolean): number {
  const hi = view.getInt32(le ? at + 4 : at, le);
  const lo = view.getUint32(le ? at : at + 4, le);
  if (hi === 0) return lo;
  if (hi === -1 && lo >= 0x80000000) return lo - 0x100000000;
  return hi * 0x100000000 + lo;
}

/** `0x…`; a negative value (a relocation addend) as `-0x…`. */
export function hex(value: number | bigint): string {
  return value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}
