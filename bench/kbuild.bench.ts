// Two kernel build directories diffed (issue 13's targets): the tinyconfig-sized 6.12 trees that
// `npm run test:kernel` builds (KLPMATCH_KERNEL_WORK, default /tmp/klpmatch-kernel; <work>/gcc and
// <work>/clang): the whole process of `klpmatch diff --orig DIR --patched DIR` (target ≤ 1 s) and its
// peak memory against the two vmlinux.o files' size (target ≤ 2×), both beside baselines run here:
// an empty Node start, `klpmatch --version` (Node with the CLI loaded) and the same diff on the small
// fixture trees (the command's fixed cost). Then the cost against the size: the vmlinux.o pair
// linked 2× and 4× with itself (each copy's symbols and sections prefixed, so every section, symbol
// and relocation is there 2× and 4×), each pair diffed by the whole process.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_ENV } from "./process-time.js";

const WORK = process.env.KLPMATCH_KERNEL_WORK ?? "/tmp/klpmatch-kernel";
const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "bin", "klpmatch.js");
const RUNS = 5;

interface Run {
  readonly seconds: number;
  readonly maxRss: number;
}

/** Wall seconds and peak RSS (bytes) of one Node run, the RSS read by a hook in the child itself. */
function nodeRun(args: readonly string[], hook: string): Run {
  const start = process.hrtime.bigint();
  const r = spawnSync("node", ["--require", hook, ...args], { env: BENCH_ENV, encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  const m = /maxrss (\d+)/.exec(r.stderr);
  return { seconds, maxRss: m ? Number(m[1]) * 1024 : Number.NaN };
}

/** The median time and the largest peak of RUNS runs, after one to warm the page cache. */
function measured(args: readonly string[], hook: string): Run {
  nodeRun(args, hook);
  const runs = Array.from({ length: RUNS }, () => nodeRun(args, hook));
  const times = runs.map((r) => r.seconds).sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)]!, maxRss: Math.max(...runs.map((r) => r.maxRss)) };
}

const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;

/**
 * vmlinux.o linked n times with itself, each copy's symbols and sections prefixed (ld -r; objcopy),
 * in a directory of each side's own: the copies' names (which ld may write as FILE symbols) are alike.
 */
function multiplied(object: string, n: number, tmp: string, side: string): string {
  const dir = join(tmp, side);
  mkdirSync(dir, { recursive: true });
  const copies: string[] = [];
  for (let i = 0; i < n; i++) {
    const copy = join(dir, `copy.${i}.o`);
    // the sections too (.text.c1.text.foo: still a function section), or ld -r merges them again
    const sections = i === 0 ? [] : [`--prefix-alloc-sections=.text.c${i}`];
    execFileSync("objcopy", [`--prefix-symbols=c${i}_`, ...sections, object, copy]);
    copies.push(copy);
  }
  const out = join(dir, `vmlinux.x${n}.o`);
  execFileSync("ld", ["-r", "-o", out, ...copies]);
  for (const c of copies) rmSync(c);
  return out;
}

function sectionCount(object: string): number {
  const header = execFileSync("readelf", ["-hW", object], { encoding: "utf8" });
  // "0 (72101)" when the count is past 0xff00 and lies in section 0's sh_size
  const m = /Number of section headers:\s+(\d+)(?: \((\d+)\))?/.exec(header);
  return Number(m?.[2] ?? m?.[1] ?? Number.NaN);
}

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "klpmatch-bench-kbuild-"));
  const hook = join(tmp, "rss.cjs");
  writeFileSync(
    hook,
    'process.on("exit", () => process.stderr.write("maxrss " + process.resourceUsage().maxRSS + "\\n"));\n',
  );
  try {
    const fixtures = join(ROOT, "fixtures", "kbuild", "gcc");
    const baselines: [string, Run][] = [
      ["empty Node start (node -e 0)", measured(["-e", "0"], hook)],
      ["klpmatch --version", measured([CLI, "--version"], hook)],
      [
        "klpmatch diff on the fixture trees",
        measured(
          [CLI, "diff", "--orig", join(fixtures, "orig"), "--patched", join(fixtures, "patched")],
          hook,
        ),
      ],
    ];
    for (const [name, r] of baselines) {
      process.stdout.write(`baseline: ${name}: ${r.seconds.toFixed(3)} s, peak RSS ${mb(r.maxRss)}\n`);
    }
    const version = baselines[1]![1];
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
      const r = measured([CLI, "diff", "--orig", orig, "--patched", patched], hook);
      const above = baselines.map(
        ([name, b]) => `${((r.maxRss - b.maxRss) / size).toFixed(2)}× above ${name}`,
      );
      process.stdout.write(
        `${tc}: diff --orig DIR --patched DIR (vmlinux.o pair ${mb(size)}, ${sectionCount(vo)} sections each): ` +
          `${r.seconds.toFixed(3)} s whole process = ${(r.seconds / version.seconds).toFixed(1)}× klpmatch --version (target ≤ 1 s); ` +
          `peak RSS ${mb(r.maxRss)} = ${(r.maxRss / size).toFixed(2)}× the two files, ${above.join(", ")} (target ≤ 2×)\n`,
      );
      const one = measured([CLI, "diff", vo, vp], hook);
      let four: { size: number; rss: number } | null = null;
      process.stdout.write(
        `${tc}: 1× diff vmlinux.o vmlinux.o: ${one.seconds.toFixed(3)} s, peak RSS ${mb(one.maxRss)}\n`,
      );
      for (const n of [2, 4]) {
        const o = multiplied(vo, n, tmp, "orig");
        const p = multiplied(vp, n, tmp, "patched");
        const m = measured([CLI, "diff", o, p], hook);
        const grown = statSync(o).size + statSync(p).size;
        process.stdout.write(
          `${tc}: ${n}× (${mb(grown)}, ${sectionCount(o)} sections each): ${m.seconds.toFixed(3)} s = ` +
            `${((m.seconds - version.seconds) / (one.seconds - version.seconds)).toFixed(2)}× the 1× time beyond klpmatch --version; ` +
            `peak RSS ${mb(m.maxRss)}, ${((m.maxRss - version.maxRss) / grown).toFixed(2)}× the files above klpmatch --version\n`,
        );
        if (n === 4) four = { size: grown, rss: m.maxRss };
        rmSync(o);
        rmSync(p);
      }
      if (four !== null) {
        process.stdout.write(
          `${tc}: memory the input adds, from 1× to 4×: ${((four.rss - one.maxRss) / (four.size - size)).toFixed(2)} bytes per byte of the two files\n`,
        );
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
