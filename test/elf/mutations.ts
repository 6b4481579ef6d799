// Mutations of a valid ELF file for the property tests: truncation at every structure boundary, byte
// flips, and one field set to an arbitrary or boundary value. Every mutant must either read fully or
// fail with ElfFormatError (see read-everything.ts).
import fc from "fast-check";
import { expect } from "vitest";
import { readElf } from "../../elf/index.js";
import {
  type Field,
  headerFields,
  relocationFields,
  sectionCount,
  sectionFields,
  shapeOf,
  symbolFields,
  write,
} from "./elf-fields.js";
import { readEverything } from "./read-everything.js";

/** Offsets where one structure ends and the next begins, with their neighbours. */
export function structureBoundaries(bytes: Uint8Array): number[] {
  const file = readElf(bytes, { path: "original" });
  const { is64 } = shapeOf(bytes);
  const points = new Set<number>([0, 4, 16, is64 ? 64 : 52, bytes.length]);
  const shoff = Number(file.header.shoff);
  const entry = is64 ? 64 : 40;
  for (let i = 0; i <= file.sections.length; i++) points.add(shoff + i * entry);
  for (const s of file.sections) {
    if (s.data === null) continue;
    const start = Number(s.offset);
    points.add(start);
    points.add(start + s.data.length);
    const step = Number(s.entsize);
    if (step > 0 && s.data.length / step <= 4096) {
      for (let o = start; o < start + s.data.length; o += step) points.add(o);
    }
  }
  const result = new Set<number>();
  for (const p of points) for (const q of [p - 1, p, p + 1]) if (q >= 0 && q <= bytes.length) result.add(q);
  return [...result].sort((a, b) => a - b);
}

/** Every field of the header, of each section header, of each symbol and of each relocation. */
export function allFields(bytes: Uint8Array): Field[] {
  const file = readElf(bytes, { path: "original" });
  const fields = [...headerFields(bytes)];
  const n = sectionCount(bytes);
  for (let i = 0; i < n; i++) fields.push(...sectionFields(bytes, i));
  for (const s of file.sections) {
    const start = Number(s.offset);
    if (s.type === 2 || s.type === 11) {
      const count = file.symbolsOf(s).length;
      for (let i = 0; i < Math.min(count, 400); i++) fields.push(...symbolFields(bytes, start, i));
    }
    if (s.type === 4 || s.type === 9) {
      const count = Number(s.size / s.entsize);
      for (let i = 0; i < Math.min(count, 200); i++)
        fields.push(...relocationFields(bytes, start, i, s.type === 4));
    }
  }
  return fields;
}

function expectReadOrElfError(bytes: Uint8Array, what: string): void {
  let outcome: ReturnType<typeof readEverything>;
  try {
    outcome = readEverything(bytes);
  } catch (error) {
    throw new Error(`${what}: threw ${(error as Error)?.stack ?? String(error)}`);
  }
  expect(outcome.ok || outcome.error.name === "ElfFormatError", what).toBe(true);
}

export function checkTruncations(bytes: Uint8Array): number {
  const boundaries = structureBoundaries(bytes);
  for (const end of boundaries) expectReadOrElfError(bytes.slice(0, end), `truncated at ${end}`);
  return boundaries.length;
}

export function checkByteFlips(bytes: Uint8Array, numRuns: number): void {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      (flips) => {
        const mutant = bytes.slice();
        for (const [at, value] of flips) mutant[at] = value;
        expectReadOrElfError(mutant, `bytes ${JSON.stringify(flips)}`);
      },
    ),
    { numRuns },
  );
}

export function checkFieldCorruptions(bytes: Uint8Array, numRuns: number): void {
  const fields = allFields(bytes);
  const length = BigInt(bytes.length);
  const value = (width: number) =>
    fc.oneof(
      fc.constantFrom(
        0n,
        1n,
        2n,
        0xffn,
        0xff00n,
        0xff20n,
        0xfff1n,
        0xffffn,
        0xffffffffn,
        1n << 63n,
        (1n << 64n) - 1n,
      ),
      fc.constantFrom(length, length - 1n, length + 1n, length / 2n),
      fc.bigInt({ min: 0n, max: (1n << BigInt(width * 8)) - 1n }),
    );
  fc.assert(
    fc.property(
      fc
        .integer({ min: 0, max: fields.length - 1 })
        .chain((i) => fc.tuple(fc.constant(fields[i]!), value(fields[i]!.width))),
      ([field, v]) => {
        const mutant = bytes.slice();
        write(mutant, field.offset, field.width, v);
        expectReadOrElfError(mutant, `${field.what} = 0x${v.toString(16)}`);
      },
    ),
    { numRuns },
  );
}

/** Byte flips inside the named sections only (e.g. symbol-version tables, which fields don't reach). */
export function checkByteFlipsInSections(bytes: Uint8Array, names: string[], numRuns: number): void {
  const file = readElf(bytes, { path: "original" });
  const ranges = names.map((n) => {
    const s = file.sectionByName(n);
    if (!s?.data) throw new Error(`no section ${n}`);
    return [Number(s.offset), s.data.length] as const;
  });
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.integer({ min: 0, max: ranges.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 })),
        { minLength: 1, maxLength: 4 },
      ),
      (flips) => {
        const mutant = bytes.slice();
        for (const [r, at, value] of flips) {
          const [start, length] = ranges[r]!;
          mutant[start + (at % length)] = value;
        }
        expectReadOrElfError(mutant, `bytes ${JSON.stringify(flips)}`);
      },
    ),
    { numRuns },
  );
}
