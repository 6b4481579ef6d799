// ELF reader speed against binutils: whole-process wall time of `klpmatch symbols [--relocs]` (the
// CLI as the package ships it, dist/bin/klpmatch.js) and `readelf -sW [-rW]`, run alternately,
// medians compared, on
//   (a) a gcc object with 40,000 functions and -ffunction-sections (80,000+ sections), built here;
//   (b) the corpus's ext4.ko (Debian 6.1);
//   (c) a 2 KB fixture object: what a run costs before it reads anything.
// Outputs go to /dev/null for both; they are first checked to be identical. Processes are started
// with spawnSync, whose own cost (~1 ms) is small beside either command's.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, certificateCost, median, outputOf, wallTime } from "./process-time.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist", "bin", "klpmatch.js");
const CORPUS = join(ROOT, "..", "shared", "corpus");

interface Row {
  label: string;
  ours: number;
  readelf: number;
  /** `node -e 0`: the least any Node program takes, measured in the same alternation. */
  node: number;
  target: number;
  identical: boolean;
  runs: number;
}

/** Alternates klpmatch, readelf and an empty Node program `runs` times each; returns the medians. */
function compare(label: string, file: string, relocs: boolean, runs: number, target: number): Row {
  const ours: Command = [process.execPath, CLI, "symbols", ...(relocs ? ["--relocs"] : []), file];
  const theirs: Command = ["readelf", "-sW", ...(relocs ? ["-rW"] : []), file];
  const empty: Command = [process.execPath, "-e", "0"];
  const identical = outputOf(ours).equals(outputOf(theirs));
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(wallTime(ours));
    b.push(wallTime(theirs));
    c.push(wallTime(empty));
  }
  return { label, ours: median(a), readelf: median(b), node: median(c), target, identical, runs };
}

function report(rows: readonly Row[]): void {
  const lines = [
    "case                                       klpmatch   readelf     ratio  target  identical  runs  |  node -e 0  floor ratio",
  ];
  for (const r of rows) {
    const ratio = r.ours / r.readelf;
    const verdict = Number.isFinite(r.target) ? (ratio <= r.target ? "met" : "MISSED") : "";
    lines.push(
      [
        r.label.padEnd(41),
        `${r.ours.toFixed(3)}s`.padStart(9),
        `${r.readelf.toFixed(3)}s`.padStart(9),
        `${ratio.toFixed(3)}×`.padStart(9),
        (Number.isFinite(r.target) ? `≤${r.target}×` : "-").padStart(7),
        (r.identical ? "yes" : "NO").padStart(10),
        String(r.runs).padStart(5),
        " |",
        `${r.node.toFixed(3)}s`.padStart(10),
        `${(r.node / r.readelf).toFixed(2)}×`.padStart(12),
        ` ${verdict}`,
      ].join(" "),
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  process.stdout.write(
    "floor ratio: an empty Node program against readelf; no Node program's ratio can be lower.\n",
  );
}

/** C source of `count` small functions, each calling an external one (a relocation per function). */
function generatedSource(count: number): string {
  const parts = ["extern int g(int);\n"];
  for (let i = 0; i < count; i++) parts.push(`int f${i}(int x) { return g(x) + ${i}; }\n`);
  return parts.join("");
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "klpmatch-bench-elf-"));
  try {
    const source = join(dir, "many.c");
    const object = join(dir, "many.o");
    writeFileSync(source, generatedSource(40_000));
    process.stdout.write("building a 40,000-function object with gcc -O0 -ffunction-sections …\n");
    const gcc = spawnSync("gcc", ["-O0", "-ffunction-sections", "-c", source, "-o", object]);
    if (gcc.status !== 0) throw new Error(`gcc failed: ${gcc.stderr}`);
    const header = outputOf(["readelf", "-hW", object]).toString();
    const sections = /Number of section headers: +\d+ \((\d+)\)/.exec(header)?.[1] ?? "?";
    process.stdout.write(`(a) ${sections} sections; (b) corpus modules/6.1.0-56-amd64/ext4.ko\n`);
    const ext4 = join(CORPUS, "modules", "6.1.0-56-amd64", "ext4.ko");
    const tiny = join(ROOT, "fixtures", "elf", "sample-x86_64.o");
    const rows = [
      compare("(a) 40k functions: symbols", object, false, 9, 2),
      compare("(a) 40k functions: symbols + relocations", object, true, 3, 0.05),
      compare("(b) ext4.ko: symbols", ext4, false, 21, 3),
      compare("(b) ext4.ko: symbols + relocations", ext4, true, 21, 3),
      compare("(c) 2 KB fixture object (fixed cost)", tiny, true, 21, Number.POSITIVE_INFINITY),
    ];
    report(rows);
    process.stdout.write(`${certificateCost()}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
