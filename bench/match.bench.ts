// Whole-process `klpmatch match` of a typical pair (fs/inode.c of 6.12, init_once ×3) against the
// 163k-line Debian 6.12 System.map, against two baselines timed in the same run: a bare
// `node -e ''` start-up and `nm` over the same pair. Target: ≤ 0.4 s for the match.
import { corpusPath } from "../test/corpus.js";
import { CLI } from "../test/paths.js";
import { type Command, certificateCost, wallTime } from "./process-time.js";

const RUNS = 7;

/** The best of RUNS whole-process runs, in ms (match exits 1 when it flags something). */
function best(command: Command): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) min = Math.min(min, wallTime(command, undefined, [0, 1]) * 1000);
  return min;
}

export async function run(): Promise<void> {
  const pair = corpusPath("oracle", "gcc", "pairs", "01-inode-init_once");
  const orig = `${pair}/orig/inode.o`;
  const patched = `${pair}/patched/inode.o`;
  const systemMap = corpusPath("kallsyms", "System.map-6.12.117+deb12-amd64");
  const node = best([process.execPath, "-e", ""]);
  const nm = best(["nm", orig, patched]);
  const match = best([
    process.execPath,
    CLI,
    "match",
    "--orig",
    orig,
    "--patched",
    patched,
    "--system-map",
    systemMap,
    "--format",
    "json",
    "--fail-on",
    "none",
  ]);
  const matchClang = best([
    process.execPath,
    CLI,
    "match",
    "--orig",
    corpusPath("oracle", "clang", "pairs", "03-cacheinfo-type_show", "orig", "cacheinfo.o"),
    "--patched",
    corpusPath("oracle", "clang", "pairs", "03-cacheinfo-type_show", "patched", "cacheinfo.o"),
    "--system-map",
    systemMap,
    "--fail-on",
    "none",
  ]);
  const line = (label: string, ms: number) =>
    `${label.padEnd(58)} ${ms.toFixed(0).padStart(5)} ms   ×${(ms / node).toFixed(2)} node start-up   ×${(ms / nm).toFixed(2)} nm`;
  process.stdout.write(`best of ${RUNS} runs, whole processes\n`);
  process.stdout.write(`${line("node -e '' (baseline)", node)}\n`);
  process.stdout.write(`${line("nm orig.o patched.o (baseline)", nm)}\n`);
  process.stdout.write(`${line("match inode.o vs System.map 6.12 (163k lines), json", match)}\n`);
  process.stdout.write(`${line("match cacheinfo.o vs System.map 6.12, text", matchClang)}\n`);
  process.stdout.write(`target ≤ 400 ms: ${match <= 400 ? "met" : "MISSED"} (${match.toFixed(0)} ms)\n`);
  process.stdout.write(`${certificateCost()}\n`);
}
