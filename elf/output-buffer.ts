// A growing byte buffer for large text output (hundreds of thousands of lines): fields are written as
// bytes straight from the file or from small lookup tables, so printing allocates almost nothing.

const HEX = "0123456789abcdef";
const HEX_CODES = Uint8Array.from(HEX, (c) => c.charCodeAt(0));
/** The two hex digits of every byte value, at 2 * value: a 32-bit value takes four lookups, not eight. */
const HEX_PAIRS = Uint8Array.from({ length: 512 }, (_, i) => HEX_CODES[i & 1 ? (i >> 1) & 0xf : i >> 5]!);

/** How many decimal digits a non-negative integer has (the same steps for every value: no branch is new to the optimizer). */
function decimalDigits(n: number): number {
  let digits = 1;
  for (let limit = 10; n >= limit && digits < 16; limit *= 10) digits++;
  return digits;
}

// The put* functions write a field into bytes b at position p and return the position after it; the
// caller has made room (OutputBuffer.room). A line assembled with them costs one bounds check.

/** A non-negative integer below 2^53 in decimal, right-aligned in `width` columns. */
export function putDecimal(b: Uint8Array, p: number, n: number, width: number): number {
  const digits = decimalDigits(n);
  for (let k = digits; k < width; k++) b[p++] = 0x20;
  const end = p + digits;
  let q = end;
  let x = n;
  // Integer division by `| 0` while the value fits in 31 bits; Math.floor above.
  for (; x > 0x7fffffff; x = Math.floor(x / 10)) b[--q] = 0x30 + (x % 10);
  do {
    const rest = (x / 10) | 0;
    b[--q] = 0x30 + x - rest * 10;
    x = rest;
  } while (x > 0);
  return end;
}

/**
 * A value as `digits` zero-padded hex digits: 16 for a 64-bit value given as two 32-bit halves, 8 for
 * its low half alone. One loop for both widths: a caller writing several fields inlines it once per
 * call site, and the optimizing compiler's time grows with every copy.
 */
export function putHexWord(b: Uint8Array, p: number, hi: number, lo: number, digits: 8 | 16): number {
  let q = p + digits;
  let v = lo >>> 0;
  for (let half = digits >> 3; half > 0; half--) {
    for (let k = 0; k < 4; k++) {
      const pair = (v & 0xff) << 1;
      b[--q] = HEX_PAIRS[pair + 1]!;
      b[--q] = HEX_PAIRS[pair]!;
      v >>>= 8;
    }
    v = hi >>> 0;
  }
  return p + digits;
}

/** A 64-bit value given as two 32-bit halves: hex without leading zeros (at most 16 digits). */
export function putHexMinimal(b: Uint8Array, p: number, hi: number, lo: number): number {
  let high = hi >>> 0;
  let low = lo >>> 0;
  // A hex digit per 4 significant bits: Math.clz32 counts the leading zero bits.
  const digits = high !== 0 ? 16 - (Math.clz32(high) >> 2) : low !== 0 ? 8 - (Math.clz32(low) >> 2) : 1;
  for (let q = p + digits - 1; q >= p; q--) {
    b[q] = HEX_CODES[low & 0xf]!;
    low = (low >>> 4) | ((high & 0xf) << 28);
    high >>>= 4;
  }
  return p + digits;
}

/** Bytes as they are (e.g. a pre-encoded constant piece of a line). */
export function putBytes(b: Uint8Array, p: number, source: Uint8Array): number {
  b.set(source, p);
  return p + source.length;
}

export class OutputBuffer {
  #bytes: Uint8Array;
  #length = 0;

  constructor(initialCapacity = 1 << 16) {
    // Not zero-filled: only bytes below #length are ever read.
    this.#bytes = Buffer.allocUnsafeSlow(Math.max(64, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  #reserve(n: number): void {
    const need = this.#length + n;
    if (need <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < need) capacity *= 2;
    const bigger = Buffer.allocUnsafeSlow(capacity);
    bigger.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bigger;
  }

  /**
   * Makes room for `n` more bytes and returns the array to write them into, from `length` on (with the
   * put* functions); `commit` then says where the written bytes end. The array is valid until the next
   * call of any other method.
   */
  room(n: number): Uint8Array {
    this.#reserve(n);
    return this.#bytes;
  }

  /** Marks the bytes written into room()'s array, up to `end`, as part of the output. */
  commit(end: number): void {
    this.#length = end;
  }

  /** Text: ASCII byte by byte; anything else as UTF-8. */
  text(s: string): void {
    const n = s.length;
    this.#reserve(n);
    const b = this.#bytes;
    let p = this.#length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.#length = p;
        this.#utf8(s.slice(i));
        return;
      }
      b[p++] = c;
    }
    this.#length = p;
  }

  #utf8(s: string): void {
    const encoded = Buffer.from(s, "utf8");
    this.#reserve(encoded.length);
    this.#bytes.set(encoded, this.#length);
    this.#length += encoded.length;
  }

  byte(c: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = c;
  }

  spaces(n: number): void {
    if (n <= 0) return;
    this.#reserve(n);
    const b = this.#bytes;
    let p = this.#length;
    for (const end = p + n; p < end; p++) b[p] = 0x20;
    this.#length = p;
  }

  /** Text left-aligned in a field of `width` columns (longer text is not cut). */
  padEnd(s: string, width: number): void {
    this.text(s);
    this.spaces(width - s.length);
  }

  /** Text right-aligned in a field of `width` columns. */
  padStart(s: string, width: number): void {
    this.spaces(width - s.length);
    this.text(s);
  }

  /** A non-negative integer below 2^53 in decimal, right-aligned in `width` columns. */
  decimal(n: number, width: number): void {
    this.#reserve(Math.max(width, decimalDigits(n)));
    this.#length = putDecimal(this.#bytes, this.#length, n, width);
  }

  /** A 32-bit value as exactly `digits` hex digits (zero-padded, high digits dropped beyond 8). */
  hex32(value: number, digits: number): void {
    this.#reserve(digits);
    const b = this.#bytes;
    let p = this.#length + digits;
    this.#length = p;
    let v = value >>> 0;
    for (let i = 0; i < digits; i++) {
      b[--p] = HEX_CODES[v & 0xf]!;
      v >>>= 4;
    }
  }

  /** A 64-bit value given as two 32-bit halves: 16 zero-padded hex digits. */
  hex64(hi: number, lo: number): void {
    this.#reserve(16);
    this.#length = putHexWord(this.#bytes, this.#length, hi, lo, 16);
  }

  /** A 64-bit value given as two 32-bit halves: hex without leading zeros. */
  hexMinimal(hi: number, lo: number): void {
    this.#reserve(16);
    this.#length = putHexMinimal(this.#bytes, this.#length, hi, lo);
  }

  /** Appends bytes as they are (e.g. a pre-encoded constant line). */
  raw(source: Uint8Array): void {
    this.#reserve(source.length);
    this.#length = putBytes(this.#bytes, this.#length, source);
  }

  /** Copies bytes from elsewhere (e.g. a name straight out of a string table). */
  copy(source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.#reserve(n);
    const b = this.#bytes;
    let p = this.#length;
    if (n < 64) for (let i = start; i < end; i++) b[p++] = source[i]!;
    else {
      b.set(source.subarray(start, end), p);
      p += n;
    }
    this.#length = p;
  }

  /**
   * Copies bytes [start, end) from elsewhere when none of them is an ASCII control character
   * (below 0x20, or 0x7f) and returns true; otherwise writes nothing and returns false.
   */
  copyPrintable(source: Uint8Array, start: number, end: number): boolean {
    this.#reserve(end - start);
    const b = this.#bytes;
    let p = this.#length;
    for (let i = start; i < end; i++) {
      const c = source[i]!;
      if (c < 0x20 || c === 0x7f) return false;
      b[p++] = c;
    }
    this.#length = p;
    return true;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  toString(): string {
    return Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset, this.#length).toString("utf8");
  }
}
