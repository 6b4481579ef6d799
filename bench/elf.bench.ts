// ELF reader speed against binutils: whole-process wall time of `klpmatch symbols [--relocs]` and
// `readelf -sW [-rW]`, run alternately, medians compared, on
//   (a) a gcc object with 40,000 functions and -ffunction-sections (80,000+ sections), built here;
//   (b) the corpus's ext4.ko (Debian 6.1).
// Outputs go to /dev/null for both; they are first checked to be identical.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist", "cmd", "klpmatch.js");
const CORPUS = join(ROOT, "..", "shared", "corpus");

async function wallTime(cmd: string, args: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  await execa(cmd, args, { stdin: "ignore", stdout: { file: "/dev/null" }, stderr: "ignore" });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function sameOutput(entry: string, ours: string[], theirs: string[]): Promise<boolean> {
  const [a, b] = await Promise.all([
    execa(process.execPath, [entry, ...ours], { encoding: "buffer", maxBuffer: 1 << 30 }),
    execa("readelf", theirs, { encoding: "buffer", maxBuffer: 1 << 30 }),
  ]);
  return Buffer.from(a.stdout).equals(Buffer.from(b.stdout));
}

interface Row {
  label: string;
  ours: number;
  readelf: number;
  target: number;
  identical: boolean;
  runs: number;
}

/**
 * The symbols command started without yargs (runSymbolsWithoutYargs), as cmd/klpmatch.ts runs it when
 * it tries that path first: `node -e` with the same arguments.
 */
const WITHOUT_YARGS = [
  "--input-type=module",
  "-e",
  `const m = await import(${JSON.stringify(join(ROOT, "dist", "cmd", "commands", "symbols.js"))}); await m.runSymbolsWithoutYargs(process.argv.slice(1));`,
];

/** Alternates the two commands `runs` times each and returns both medians. */
async function compare(
  label: string,
  file: string,
  relocs: boolean,
  runs: number,
  target: number,
  entry: string[] = [CLI],
): Promise<Row> {
  const ours = [...entry.slice(1), "symbols", ...(relocs ? ["--relocs"] : []), file];
  const theirs = ["-sW", ...(relocs ? ["-rW"] : []), file];
  const identical = await sameOutput(entry[0]!, ours, theirs);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await wallTime(process.execPath, [entry[0]!, ...ours]));
    b.push(await wallTime("readelf", theirs));
  }
  return { label, ours: median(a), readelf: median(b), target, identical, runs };
}

function report(rows: Row[]): void {
  const lines = [
    "case                                          klpmatch   readelf    ratio   target  identical  runs",
  ];
  for (const r of rows) {
    const ratio = r.ours / r.readelf;
    lines.push(
      `${r.label.padEnd(44)} ${r.ours.toFixed(3).padStart(8)}s ${r.readelf.toFixed(3).padStart(8)}s ${ratio.toFixed(3).padStart(8)}× ${(Number.isFinite(r.target) ? `≤${r.target}×` : "-").padStart(7)} ${(r.identical ? "yes" : "NO").padStart(10)} ${String(r.runs).padStart(5)}  ${Number.isFinite(r.target) ? (ratio <= r.target ? "met" : "MISSED") : ""}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
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
    await execa("gcc", ["-O0", "-ffunction-sections", "-c", source, "-o", object]);
    const header = (await execa("readelf", ["-hW", object])).stdout;
    const sections = /Number of section headers: +\d+ \((\d+)\)/.exec(header)?.[1] ?? "?";
    process.stdout.write(`(a) ${sections} sections; (b) corpus modules/6.1.0-56-amd64/ext4.ko\n`);
    const ext4 = join(CORPUS, "modules", "6.1.0-56-amd64", "ext4.ko");
    const rows: Row[] = [];
    rows.push(await compare("(a) 40k functions: symbols", object, false, 9, 2));
    rows.push(await compare("(a) 40k functions: symbols + relocations", object, true, 3, 0.05));
    rows.push(await compare("(b) ext4.ko: symbols", ext4, false, 15, 3));
    rows.push(await compare("(b) ext4.ko: symbols + relocations", ext4, true, 15, 3));
    const tiny = join(ROOT, "fixtures", "elf", "sample-x86_64.o");
    rows.push(await compare("(c) 2 KB fixture object (fixed cost)", tiny, true, 9, Number.POSITIVE_INFINITY));
    const fast = WITHOUT_YARGS;
    rows.push(await compare("(a) symbols, without yargs", object, false, 9, 2, fast));
    rows.push(await compare("(a) symbols + relocations, without yargs", object, true, 3, 0.05, fast));
    rows.push(await compare("(b) symbols, without yargs", ext4, false, 15, 3, fast));
    rows.push(await compare("(b) symbols + relocations, without yargs", ext4, true, 15, 3, fast));
    rows.push(await compare("(c) fixed cost, without yargs", tiny, true, 9, Number.POSITIVE_INFINITY, fast));
    const bare = [];
    for (let i = 0; i < 9; i++) bare.push(await wallTime(process.execPath, ["-e", "0"]));
    const help = [];
    for (let i = 0; i < 9; i++) help.push(await wallTime(process.execPath, [CLI, "--help"]));
    report(rows);
    process.stdout.write(
      `start-up for reference: node -e 0 ${median(bare).toFixed(3)}s, klpmatch --help ${median(help).toFixed(3)}s (medians of 9)\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
