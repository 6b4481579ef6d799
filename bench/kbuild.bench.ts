// Two kernel build directories diffed (issue 13's targets): the tinyconfig-sized 6.12 trees that
// `npm run test:kernel` builds (KLPMATCH_KERNEL_WORK, default /tmp/klpmatch-kernel): the whole
// process of `klpmatch diff --orig DIR --patched DIR` (target ≤ 1 s) and its peak memory against
// the two vmlinux.o files' size (target ≤ 2×); then the cost against the size, in this run: the
// vmlinux.o pair linked 2× and 4× with itself (each copy's symbols prefixed, so every unit, piece
// and relocation is there 2× and 4×), each diffed in process.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../elf/file.js";
import { diffLinkedObjects } from "../matcher/linked-diff.js";
import { BENCH_ENV } from "./process-time.js";

const WORK = process.env.KLPMATCH_KERNEL_WORK ?? "/tmp/klpmatch-kernel";
const CLI = join(import.meta.dirname, "..", "dist", "bin", "klpmatch.js");

/** Wall seconds and peak RSS (bytes) of one CLI run, measured by a hook in the child itself. */
function cliRun(args: readonly string[], hook: string): { seconds: number; maxRss: number } {
  const start = process.hrtime.bigint();
  const r = spawnSync("node", ["--require", hook, CLI, ...args], { env: BENCH_ENV, encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`klpmatch ${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  const m = /maxrss (\d+)/.exec(r.stderr);
  return { seconds, maxRss: m ? Number(m[1]) * 1024 : Number.NaN };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** vmlinux.o linked n times with itself, each copy's symbols prefixed (ld -r; objcopy --prefix-symbols). */
function multiplied(object: string, n: number, dir: string, tag: string): string {
  const copies: string[] = [];
  for (let i = 0; i < n; i++) {
    const copy = join(dir, `${tag}.${i}.o`);
    execFileSync("objcopy", [`--prefix-symbols=c${i}_`, object, copy]);
    copies.push(copy);
  }
  const out = join(dir, `${tag}.x${n}.o`);
  execFileSync("ld", ["-r", "-o", out, ...copies]);
  for (const c of copies) rmSync(c);
  return out;
}

function inProcess(orig: string, patched: string, runs: number): { seconds: number; units: number } {
  const times: number[] = [];
  let units = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const o = readElf(readFileSync(orig), { path: orig });
    const p = readElf(readFileSync(patched), { path: patched });
    const d = diffLinkedObjects({ file: o }, { file: p });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    units = d.total;
  }
  return { seconds: median(times), units };
}

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "klpmatch-bench-kbuild-"));
  const hook = join(tmp, "rss.cjs");
  writeFileSync(
    hook,
    'process.on("exit", () => process.stderr.write("maxrss " + process.resourceUsage().maxRSS + "\\n"));\n',
  );
  try {
    // the fixed cost of any run: Node starting and loading the CLI bundle (klpmatch --version)
    const idle = [1, 2, 3, 4, 5].map(() => cliRun(["--version"], hook));
    const idleSeconds = median(idle.map((r) => r.seconds));
    const idleRss = Math.max(...idle.map((r) => r.maxRss));
    process.stdout.write(
      `baseline: klpmatch --version, whole process: ${idleSeconds.toFixed(3)} s, peak RSS ${(idleRss / 1e6).toFixed(1)} MB\n`,
    );
    for (const tc of ["gcc", "clang"]) {
      const orig = join(WORK, tc, "orig");
      const patched = join(WORK, tc, "patched");
      const vo = join(orig, "vmlinux.o");
      const vp = join(patched, "vmlinux.o");
      if (!existsSync(vo) || !existsSync(vp)) {
        process.stdout.write(
          `${tc}: no build directories under ${WORK} (npm run test:kernel builds them): not measured\n`,
        );
        continue;
      }
      const size = statSync(vo).size + statSync(vp).size;
      cliRun(["diff", "--orig", orig, "--patched", patched], hook); // warm the page cache
      const runs = [1, 2, 3, 4, 5].map(() => cliRun(["diff", "--orig", orig, "--patched", patched], hook));
      const seconds = median(runs.map((r) => r.seconds));
      const rss = Math.max(...runs.map((r) => r.maxRss));
      const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
      process.stdout.write(
        `${tc}: diff --orig DIR --patched DIR, whole process: ${seconds.toFixed(3)} s (target ≤ 1 s); ` +
          `peak RSS ${mb(rss)} = ${(rss / size).toFixed(2)}× the two vmlinux.o (${mb(size)}; target ≤ 2×), ` +
          `${((rss - idleRss) / size).toFixed(2)}× above the baseline's\n`,
      );
      const base = inProcess(vo, vp, 3);
      process.stdout.write(
        `${tc}: in process, vmlinux.o pair: ${base.seconds.toFixed(3)} s, ${base.units} units\n`,
      );
      for (const n of [2, 4]) {
        const o = multiplied(vo, n, tmp, `${tc}-orig`);
        const p = multiplied(vp, n, tmp, `${tc}-patched`);
        const r = inProcess(o, p, 3);
        process.stdout.write(
          `${tc}: ${n}× (${r.units} units, ${mb(statSync(o).size + statSync(p).size)}): ${r.seconds.toFixed(3)} s = ${(r.seconds / base.seconds).toFixed(2)}× the 1× time\n`,
        );
        rmSync(o);
        rmSync(p);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
