// Diffing every corpus object pair in one process (58 kpatch-unit pairs, 16 oracle pairs, the
// ThinLTO objects): per-pair median and total, against a bare read of the same pairs (ELF parse,
// symbols and every relocation decoded) measured in the same run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readElf } from "../elf/file.js";
import type { ElfFile } from "../elf/types.js";
import { diffObjects } from "../matcher/diff.js";
import { CORPUS_DIR, corpusPath } from "../test/corpus.js";

interface Pair {
  readonly name: string;
  readonly orig: Uint8Array;
  readonly patched: Uint8Array;
}

function corpusPairs(): Pair[] {
  const pairs: Pair[] = [];
  const load = (name: string, o: string, p: string): void => {
    pairs.push({ name, orig: readFileSync(o), patched: readFileSync(p) });
  };
  const expected = JSON.parse(readFileSync(corpusPath("kpatch-unit", "expected.json"), "utf8")) as {
    arch: string;
    case: string;
    patched: string;
  }[];
  for (const e of expected) {
    const dir = corpusPath("kpatch-unit", e.arch);
    load(`${e.arch}/${e.case}`, join(dir, `${e.case}.ORIG.o`), join(dir, e.patched));
  }
  for (const tree of ["gcc", "clang"]) {
    const root = corpusPath("oracle", tree, "pairs");
    for (const pair of readdirSync(root).sort()) {
      const object = readdirSync(join(root, pair, "orig"))[0]!;
      load(`oracle/${tree}/${pair}`, join(root, pair, "orig", object), join(root, pair, "patched", object));
    }
  }
  for (const f of ["a.native.o", "b.native.o", "c.native.o", "combined-r.o"]) {
    load(`thinlto/${f}`, corpusPath("thinlto", "orig", f), corpusPath("thinlto", "patched", f));
  }
  return pairs;
}

function parse(bytes: Uint8Array, path: string): ElfFile {
  return readElf(bytes, { path });
}

/** The baseline: what any tool must do before comparing — parse, decode symbols and relocations. */
function bareRead(pair: Pair): number {
  let n = 0;
  for (const [bytes, side] of [
    [pair.orig, "orig"],
    [pair.patched, "patched"],
  ] as const) {
    const f = parse(bytes, `${pair.name}.${side}`);
    n += f.symbols().length;
    for (const rs of f.relocationSections()) n += rs.entries().length;
  }
  return n;
}

function diffPair(pair: Pair): number {
  const d = diffObjects(parse(pair.orig, `${pair.name}.orig`), parse(pair.patched, `${pair.name}.patched`));
  return d.changed.length;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timeEach(pairs: readonly Pair[], fn: (p: Pair) => number): number[] {
  return pairs.map((p) => {
    const t0 = performance.now();
    fn(p);
    return performance.now() - t0;
  });
}

export async function run(): Promise<void> {
  if (!existsSync(CORPUS_DIR)) {
    process.stdout.write(`corpus not found at ${CORPUS_DIR}: diff bench skipped\n`);
    return;
  }
  const pairs = corpusPairs();
  const bytes = pairs.reduce((n, p) => n + p.orig.length + p.patched.length, 0);
  // Warm up the JIT on every pair once, then measure three rounds and keep each pair's best.
  for (const p of pairs) {
    bareRead(p);
    diffPair(p);
  }
  const best = (fn: (p: Pair) => number): number[] => {
    const rounds = [timeEach(pairs, fn), timeEach(pairs, fn), timeEach(pairs, fn)];
    return pairs.map((_, i) => Math.min(rounds[0]![i]!, rounds[1]![i]!, rounds[2]![i]!));
  };
  const read = best(bareRead);
  const diff = best(diffPair);
  const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  const slowest = diff
    .map((ms, i) => ({ ms, name: pairs[i]!.name }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3);
  const f = (ms: number): string => `${ms.toFixed(2)} ms`;
  process.stdout.write(
    [
      `${pairs.length} object pairs, ${(bytes / 1e6).toFixed(1)} MB`,
      `bare read (parse + symbols + relocations): median ${f(median(read))}/pair, total ${f(total(read))}`,
      `diff (model, correlate, compare, verdict): median ${f(median(diff))}/pair, total ${f(total(diff))}`,
      `diff / bare read: ${(total(diff) / total(read)).toFixed(1)}× in total, ${(median(diff) / median(read)).toFixed(1)}× at the median`,
      `slowest pairs: ${slowest.map((s) => `${s.name} ${f(s.ms)}`).join(", ")}`,
    ].join("\n") + "\n",
  );
}
