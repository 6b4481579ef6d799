// Whole-process `klpmatch match` of a typical pair (fs/inode.c of 6.12, init_once ×3) against the
// 163k-line Debian 6.12 System.map, against two baselines timed in the same run: a bare
// `node -e ''` start-up and `nm` over the same pair. Target: ≤ 0.4 s for the match.
import { execa } from "execa";
import { corpusPath } from "../test/corpus.js";
import { CLI } from "../test/paths.js";

const RUNS = 7;

async function best(file: string, args: string[]): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await execa(file, args, { reject: false });
    const ms = performance.now() - t0;
    if (r.exitCode !== 0 && r.exitCode !== 1)
      throw new Error(`${file} ${args.join(" ")}: exit ${r.exitCode}: ${r.stderr}`);
    min = Math.min(min, ms);
  }
  return min;
}

export async function run(): Promise<void> {
  const pair = corpusPath("oracle", "gcc", "pairs", "01-inode-init_once");
  const orig = `${pair}/orig/inode.o`;
  const patched = `${pair}/patched/inode.o`;
  const systemMap = corpusPath("kallsyms", "System.map-6.12.117+deb12-amd64");
  const node = await best(process.execPath, ["-e", ""]);
  const nm = await best("nm", [orig, patched]);
  const match = await best(process.execPath, [
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
  const matchClang = await best(process.execPath, [
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
}
