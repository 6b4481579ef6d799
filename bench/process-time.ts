// Whole-process wall times for the benchmarks that compare klpmatch runs with other programs'.
import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/**
 * The environment the timed commands run in. NODE_EXTRA_CA_CERTS makes Node read and parse that
 * certificate file at every start, before any script runs (80 ms on this workplace's machines, where
 * it is set): a cost of the machine's set-up that no Node program can avoid and klpmatch, which opens
 * no TLS connection, does not need. Figures are measured without it; certificateCost() shows it apart.
 */
export const BENCH_ENV: NodeJS.ProcessEnv = { ...process.env };
delete BENCH_ENV.NODE_EXTRA_CA_CERTS;

export type Command = readonly [string, ...string[]];

/**
 * Seconds `command` takes from start to exit, its output to /dev/null; spawnSync's own cost (~1 ms)
 * is small beside any command's. `okExits`: the exit codes that count as a run.
 */
export function wallTime(command: Command, env = BENCH_ENV, okExits: readonly number[] = [0]): number {
  const devNull = openSync("/dev/null", "w");
  try {
    const start = process.hrtime.bigint();
    const run = spawnSync(command[0], command.slice(1), { stdio: ["ignore", devNull, "pipe"], env });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (run.status === null || !okExits.includes(run.status)) {
      throw new Error(`${command.join(" ")} exited with ${run.status ?? run.signal}: ${run.stderr}`);
    }
    return seconds;
  } finally {
    closeSync(devNull);
  }
}

/** The command's standard output. */
export function outputOf(command: Command): Buffer {
  const run = spawnSync(command[0], command.slice(1), { env: BENCH_ENV, maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`${command.join(" ")} exited with ${run.status ?? run.signal}`);
  return run.stdout;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** What NODE_EXTRA_CA_CERTS costs every Node start on this machine, when it is set. */
export function certificateCost(): string {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return "NODE_EXTRA_CA_CERTS is not set here.";
  const without: number[] = [];
  const withIt: number[] = [];
  for (let i = 0; i < 9; i++) {
    without.push(wallTime([process.execPath, "-e", "0"]));
    withIt.push(wallTime([process.execPath, "-e", "0"], { ...BENCH_ENV, NODE_EXTRA_CA_CERTS: file }));
  }
  return `NODE_EXTRA_CA_CERTS is set here (${file}), and left out above: node -e 0 takes ${median(withIt).toFixed(3)}s with it, ${median(without).toFixed(3)}s without; with it, every Node run above takes the difference more.`;
}
