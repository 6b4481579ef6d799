// Load + index of real-size kernel tables — the 6.12 System.map (163k lines) and a 1,000,000-line
// kallsyms made from the real 6.18 one — against a bare read + split + Map index in the same process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readKallsyms } from "../lib/kallsyms.js";
import type { KernelTable } from "../lib/kernel-table.js";
import { readSystemMap } from "../lib/system-map.js";
import { corpusPath } from "../test/corpus.js";

const LINES = 1_000_000;
const RUNS = 3;

/** The real /proc/kallsyms repeated to `LINES` lines; each copy 2^32·k lower so addresses differ. */
function makeMillionLineKallsyms(source: string, path: string): void {
  const lines = readFileSync(source, "latin1").trimEnd().split("\n");
  const copies = Math.ceil(LINES / lines.length);
  const out: string[] = [];
  for (let k = copies - 1; k >= 0 && out.length < LINES; k--) {
    const byte = (0xff - k).toString(16).padStart(2, "0");
    for (const line of lines) {
      if (out.length === LINES) break;
      out.push(`${line.slice(0, 6)}${byte}${line.slice(8)}`);
    }
  }
  writeFileSync(path, `${out.join("\n")}\n`, "latin1");
}

/** What a first attempt would do: read, split lines and fields, Map name → line indexes. */
function naiveLoad(path: string): number {
  const text = readFileSync(path, "latin1");
  const index = new Map<string, number[]>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i]!.split(" ");
    const name = fields[2];
    if (name === undefined) continue;
    const list = index.get(name);
    if (list === undefined) index.set(name, [i]);
    else list.push(i);
  }
  return index.size;
}

async function best(fn: () => Promise<unknown> | unknown): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function symbolCount(table: KernelTable): number {
  let n = 0;
  for (const obj of table.objects.values()) n += obj.count;
  return n;
}

async function compare(label: string, path: string, load: () => Promise<KernelTable>): Promise<void> {
  let table: KernelTable | undefined;
  const ours = await best(async () => {
    table = await load();
    // one lookup, so the name index is really built and usable
    table.objects.get("vmlinux")?.positionsOf("init_once");
  });
  const naive = await best(() => naiveLoad(path));
  process.stdout.write(
    `${label}: ${symbolCount(table!)} symbols — klpmatch ${ours.toFixed(0)} ms, ` +
      `bare read+split+Map ${naive.toFixed(0)} ms, ratio ${(ours / naive).toFixed(2)} (best of ${RUNS})\n`,
  );
}

export async function run(): Promise<void> {
  const systemMap = corpusPath("kallsyms", "System.map-6.12.117+deb12-amd64");
  await compare("System.map 6.12", systemMap, () => readSystemMap(systemMap));
  const dir = mkdtempSync(join(tmpdir(), "klpmatch-bench-"));
  try {
    const big = join(dir, "kallsyms-1M.txt");
    makeMillionLineKallsyms(corpusPath("kallsyms", "proc-kallsyms-6.18.44-gcc15.txt"), big);
    await compare("kallsyms 1,000,000 lines", big, () => readKallsyms(big));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
