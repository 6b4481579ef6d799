// A growing byte buffer for large text output (hundreds of thousands of lines): fields are written as
// bytes straight from the file or from small lookup tables, so printing allocates almost nothing.

const HEX = "0123456789abcdef";
const HEX_CODES = Uint8Array.from(HEX, (c) => c.charCodeAt(0));

/** How many decimal digits a non-negative integer has. */
function decimalDigits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  if (n < 1000000) return 6;
  let digits = 7;
  for (let x = n; x >= 10000000; x = Math.floor(x / 10)) digits++;
  return digits;
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
    const digits = decimalDigits(n);
    const pad = width > digits ? width - digits : 0;
    this.#reserve(pad + digits);
    const b = this.#bytes;
    let p = this.#length;
    for (let k = 0; k < pad; k++) b[p++] = 0x20;
    p += digits;
    this.#length = p;
    let x = n;
    // Integer division by `| 0` while the value fits in 31 bits; Math.floor above.
    for (; x > 0x7fffffff; x = Math.floor(x / 10)) b[--p] = 0x30 + (x % 10);
    do {
      const rest = (x / 10) | 0;
      b[--p] = 0x30 + x - rest * 10;
      x = rest;
    } while (x > 0);
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
    this.hex32(hi, 8);
    this.hex32(lo, 8);
  }

  /** A 64-bit value given as two 32-bit halves: hex without leading zeros. */
  hexMinimal(hi: number, lo: number): void {
    if (hi === 0) {
      this.text((lo >>> 0).toString(16));
    } else {
      this.text((hi >>> 0).toString(16));
      this.hex32(lo, 8);
    }
  }

  /** Appends bytes as they are (e.g. a pre-encoded constant line). */
  raw(source: Uint8Array): void {
    const n = source.length;
    this.#reserve(n);
    const b = this.#bytes;
    let p = this.#length;
    // A loop beats TypedArray#set for the shortest pieces a listing is made of.
    if (n < 16) for (let i = 0; i < n; i++) b[p++] = source[i]!;
    else {
      b.set(source, p);
      p += n;
    }
    this.#length = p;
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
