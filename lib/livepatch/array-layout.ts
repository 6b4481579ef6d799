// Arrays ended by an all-zero entry (klp_object[], klp_func[]): their stride and length, found
// from the object's data since sizeof() of the kernel's structs varies by version and config.
import type { ElfSection } from "../../elf/types.js";
import { type ObjectReader, place } from "./object-reader.js";

export interface ArraySpec {
  readonly what: string;
  /** Bytes of the fields the kernel's loop tests for the terminating entry. */
  readonly testedBytes: number;
  /** sizeof() in Linux 6.12 for a 64-bit kernel, tried when the array has no sized symbol. */
  readonly defaultStride64: number | null;
  /**
   * The pointer-sized fields an author may initialize (in pointers from the entry's start); the
   * rest are the kernel's internal fields, never relocated in a real entry.
   */
  readonly authorFields: number;
  /** True when entry `at` looks like a real entry (its pointers relocated as expected). */
  readonly plausible: (at: bigint) => boolean;
}

export interface ArrayLayout {
  readonly stride: bigint;
  readonly count: number;
  readonly how: string;
}

function isTerminator(r: ObjectReader, section: ElfSection, at: bigint, bytes: number): boolean {
  if (r.hasRelocationIn(section, at, at + BigInt(bytes))) return false;
  for (let o = 0; o < bytes; o += r.pointerSize) if (r.word(section, at + BigInt(o)) !== 0n) return false;
  return true;
}

/**
 * The stride and entry count of a zero-terminated array of structs at `start`. sizeof(struct
 * klp_func) depends on the kernel's version and config (struct kobject grows with
 * CONFIG_DEBUG_KOBJECT_RELEASE), so it is read from the object: the array's own symbol size must
 * hold whole entries, real entries first and one terminator last. Without a sized symbol, the 6.12
 * size for the ELF class is tried.
 */
export function arrayLayout(
  r: ObjectReader,
  section: ElfSection,
  start: bigint,
  spec: ArraySpec,
): ArrayLayout | null {
  const P = BigInt(r.pointerSize);
  const minStride = BigInt(spec.testedBytes);
  const relocOffsets = [...r.relocationsAt(section).keys()];
  const fits = (stride: bigint, count: number): boolean => {
    const end = start + BigInt(count) * stride;
    const authored = BigInt(spec.authorFields) * P;
    // a relocation beyond the author's fields of its entry means the stride is wrong
    for (const o of relocOffsets) if (o >= start && o < end && (o - start) % stride >= authored) return false;
    for (let k = 0; k < count - 1; k++) {
      const at = start + BigInt(k) * stride;
      if (isTerminator(r, section, at, spec.testedBytes) || !spec.plausible(at)) return false;
    }
    return isTerminator(r, section, start + BigInt(count - 1) * stride, spec.testedBytes);
  };
  const extent = r.extentAt(section, start);
  if (extent !== null) {
    const valid: bigint[] = [];
    for (let stride = minStride; stride * 2n <= extent; stride += P) {
      if (extent % stride === 0n && fits(stride, Number(extent / stride))) valid.push(stride);
    }
    const preferred =
      spec.defaultStride64 !== null && r.pointerSize === 8 ? BigInt(spec.defaultStride64) : null;
    const pick = valid.length === 1 ? valid[0] : valid.find((s) => s === preferred);
    if (pick !== undefined) {
      return {
        stride: pick,
        count: Number(extent / pick) - 1,
        how: `${spec.what} at ${place(section, start)}: ${extent} bytes = ${Number(extent / pick)} × ${pick}-byte entries (last one the terminator)`,
      };
    }
  }
  if (spec.defaultStride64 === null || r.pointerSize !== 8) return null;
  const stride = BigInt(spec.defaultStride64);
  const size = BigInt(section.data?.length ?? 0);
  let count = 0;
  for (let at = start; at + minStride <= size; at += stride, count++) {
    if (isTerminator(r, section, at, spec.testedBytes)) {
      return {
        stride,
        count,
        how: `${spec.what} at ${place(section, start)}: no sized symbol, Linux 6.12's ${stride}-byte entries assumed, ${count} before the terminator`,
      };
    }
    if (!spec.plausible(at)) return null;
  }
  return null;
}
