// The fuzz suite's seeded randomness and mutators: byte-level damage to any input, line-level
// damage to text tables, and structure-aware damage to JSON documents.

/** mulberry32: a small seeded PRNG, so a failing case is reproduced by its seed and index. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Bytes the mutators like to insert: separators, controls, high bytes, a BOM. */
const SPICE = [
  [0x0a],
  [0x00],
  [0x09],
  [0x0d, 0x0a],
  [0xff],
  [0x1b],
  [0x7f],
  [0xef, 0xbb, 0xbf],
  [0x20],
  [0x5b],
  [0x5d],
  [0x2e],
  [0x2c],
  [0x30, 0x78],
];

function randomBytes(r: Random, n: number): number[] {
  return Array.from({ length: n }, () => (r.next() < 0.5 ? r.int(256) : r.pick(SPICE)[0]!));
}

/** One to four random edits of `input`: flips, overwrites, inserts, deletions, copies, a cut. */
export function mutateBytes(r: Random, input: Uint8Array): Uint8Array {
  let b = [...input];
  const edits = 1 + r.int(4);
  for (let e = 0; e < edits; e++) {
    const at = r.int(b.length + 1);
    switch (r.int(7)) {
      case 0:
        if (b.length > 0) b[Math.min(at, b.length - 1)]! ^= 1 << r.int(8);
        break;
      case 1:
        for (let k = 0; k < 1 + r.int(8) && at + k < b.length; k++) b[at + k] = r.int(256);
        break;
      case 2:
        b.splice(at, 0, ...(r.next() < 0.5 ? r.pick(SPICE) : randomBytes(r, 1 + r.int(16))));
        break;
      case 3:
        b.splice(at, 1 + r.int(64));
        break;
      case 4: {
        const from = r.int(b.length + 1);
        b.splice(at, 0, ...b.slice(from, from + 1 + r.int(256)));
        break;
      }
      case 5:
        b = b.slice(0, at);
        break;
      default:
        // a 32-bit field to a boundary value (ELF offsets and counts)
        for (const [k, v] of [0xff, 0xff, 0xff, r.pick([0x7f, 0xff, 0x00, 0x80])].entries()) {
          if (at + k < b.length) b[at + k] = v;
        }
    }
  }
  return Uint8Array.from(b);
}

/** Line-level edits of a text table or list: lines dropped, doubled, swapped, fields damaged. */
export function mutateLines(r: Random, text: string): string {
  const lines = text.split("\n");
  const edits = 1 + r.int(4);
  for (let e = 0; e < edits; e++) {
    const i = r.int(lines.length);
    switch (r.int(6)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, ...lines.slice(i, i + 1 + r.int(200)));
        break;
      case 2:
        lines.splice(r.int(lines.length), 0, lines[i] ?? "");
        break;
      case 3: {
        const fields = (lines[i] ?? "").split(/(\s+)/);
        const f = r.int(fields.length);
        fields[f] = r.pick([
          "",
          "-1",
          "ffffffffffffffffff",
          "x\u0001y",
          "\t",
          "99999999999999999999",
          "[",
          "]",
        ]);
        lines[i] = fields.join("");
        break;
      }
      case 4:
        lines[i] = `${lines[i] ?? ""}${r.pick(["\t[mod]", "\t[", " extra", "\r", ".llvm.123", "\u00ff"])}`;
        break;
      default:
        lines.splice(i, 0, r.pick(["", "#", "0000000000000000 t helper", "ffffffff81000000 T _stext"]));
    }
  }
  return lines.join("\n");
}

const ODD_VALUES: readonly unknown[] = [
  null,
  "",
  -1,
  0,
  1.5,
  1e300,
  true,
  [],
  {},
  "x\ny",
  "0xzz",
  99,
  [null],
  { a: 1 },
  "a".repeat(500),
];

/** A JSON document with one to three nodes replaced, deleted, or duplicated. */
export function mutateJson(r: Random, value: unknown): unknown {
  const copy = structuredClone(value);
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) {
    let node: unknown = copy;
    let parent: Record<string, unknown> | unknown[] | null = null;
    let key: string | number = "";
    // walk down a random path
    for (let depth = 0; depth < 8 && node !== null && typeof node === "object" && r.next() < 0.85; depth++) {
      const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0) break;
      parent = node as Record<string, unknown>;
      key = r.pick(keys as (string | number)[]);
      node = (node as Record<string | number, unknown>)[key];
    }
    if (parent === null) continue;
    const p = parent as Record<string | number, unknown>;
    const choice = r.int(3);
    if (choice === 0 && !Array.isArray(parent)) delete p[key];
    else if (choice === 0 && Array.isArray(parent)) parent.splice(key as number, 1);
    else if (choice === 1) p[key] = r.pick(ODD_VALUES);
    else if (Array.isArray(parent)) parent.push(structuredClone(node));
    else p[`${String(key)}_x`] = node;
  }
  return copy;
}
