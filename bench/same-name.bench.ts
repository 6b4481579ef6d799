// Time against the number of same-named symbols (issue 14): a kallsyms table with N copies of one
// static `helper` (N = 1k, 10k, 100k), loaded, listed by `sympos` (every candidate's pair) and
// matched by `match` (the fixture pair whose `helper` must be told apart); and a 1,000,000-line
// table with hidden addresses and an `init_once` every 100 lines. Each time is stated as a ratio
// to the 1k case: linear growth is ×10 and ×100.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSymbolText, readKallsyms } from "../lib/kallsyms.js";
import { chooseRule } from "../lib/rules.js";
import { symposReport } from "../matcher/sympos.js";
import { matchPatch } from "../pipeline/match.js";
import { FIXTURES } from "../test/paths.js";

const SIZES = [1_000, 10_000, 100_000];
const GCC = join(FIXTURES, "match", "gcc");

/** The fixture's kallsyms with `copies` more `t helper` lines above its last address. */
function sameNameTable(copies: number): string {
  const base = readFileSync(join(GCC, "kallsyms.txt"), "latin1").trimEnd();
  const lines = [base];
  for (let i = 0; i < copies; i++) {
    lines.push(`${(0x1000000 + i * 0x40).toString(16).padStart(16, "0")} t helper`);
  }
  return `${lines.join("\n")}\n`;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Row {
  readonly n: number;
  readonly load: number;
  readonly sympos: number;
  readonly match: number;
}

/** A match slower than this is not rerun at the next, 10× larger size (it would take hours while quadratic). */
const MATCH_BUDGET_MS = 10_000;

async function measure(dir: string, n: number, runMatch: boolean): Promise<Row> {
  const path = join(dir, `kallsyms-${n}.txt`);
  writeFileSync(path, sameNameTable(n), "latin1");
  const load = await timed(() => readKallsyms(path));
  const table = await readKallsyms(path);
  const sympos = await timed(() => symposReport(table, "helper", { choice: chooseRule(table, {}) }));
  const match = runMatch
    ? await timed(() =>
        matchPatch({ orig: join(GCC, "orig"), patched: join(GCC, "patched"), kallsyms: path }),
      )
    : Number.NaN;
  return { n, load, sympos, match };
}

function hiddenMillion(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    lines.push(i % 100 === 0 ? "0000000000000000 t init_once" : `0000000000000000 t sym_${i}`);
  }
  return Buffer.from(`${lines.join("\n")}\n`, "latin1");
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "klpmatch-same-name-"));
  try {
    const cell = (ms: number, base: number): string =>
      `${ms.toFixed(0).padStart(7)} ms ×${(ms / base).toFixed(1).padEnd(6)}`;
    process.stdout.write(
      "same-named symbols   load                 sympos (all pairs)   match (neighbourhood)\n",
    );
    let first: Row | undefined;
    let last: Row | undefined;
    // each row as soon as it is measured: match's time grows fastest
    for (const n of SIZES) {
      const r = await measure(dir, n, !(last !== undefined && last.match > MATCH_BUDGET_MS));
      first ??= r;
      last = r;
      process.stdout.write(
        `${String(r.n).padStart(18)}   ${cell(r.load, first.load)}   ${cell(r.sympos, first.sympos)}   ${Number.isNaN(r.match) ? `not run (over ${MATCH_BUDGET_MS / 1000} s at the size before)` : cell(r.match, first.match)}\n`,
      );
    }
    const bytes = hiddenMillion();
    const hidden = await timed(() => {
      const table = parseSymbolText(bytes, "hidden-1M.txt", "kallsyms");
      table.objects.get("vmlinux")?.positionsOf("init_once");
      symposReport(table, "init_once", { choice: chooseRule(table, {}) });
    });
    process.stdout.write(
      `1,000,000 lines, hidden addresses, init_once every 100th: load + sympos ${hidden.toFixed(0)} ms\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
