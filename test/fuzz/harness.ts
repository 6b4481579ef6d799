// Runs fuzz cases: each must end normally or with a declared input error (InputError,
// ElfFormatError, an fs error naming its file: what cmd/exit.ts prints as one line and exit 2),
// and the line the CLI would print is one line of at most ~300 characters.
import { expect } from "vitest";
import { inputErrorLine } from "../../cmd/exit.js";
import { MAX_LINE, oneLine } from "../../lib/one-line.js";
import { Random } from "./mutate.js";

export const SEED = Number(process.env.FUZZ_SEED ?? 14);
/** Cases per input kind. */
export const CASES = Number(process.env.FUZZ_CASES ?? 10_000);

export interface FuzzTally {
  readonly cases: number;
  readonly passed: number;
  readonly inputErrors: number;
  readonly failures: readonly string[];
}

/** The seed of one kind: the run's seed mixed with the kind's name, so kinds differ. */
function kindSeed(kind: string): number {
  let h = SEED >>> 0;
  for (const c of kind) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Runs `cases` cases of `kind`; `one` builds and runs case i from its Random. */
export async function fuzz(
  kind: string,
  one: (r: Random, i: number) => Promise<unknown> | unknown,
  cases = CASES,
): Promise<FuzzTally> {
  const r = new Random(kindSeed(kind));
  const failures: string[] = [];
  let inputErrors = 0;
  let passed = 0;
  for (let i = 0; i < cases; i++) {
    try {
      await one(r, i);
      passed++;
    } catch (error) {
      const line = inputErrorLine(error);
      if (line === null) {
        failures.push(
          `${kind} #${i} (seed ${SEED}): internal error: ${(error as Error)?.stack ?? String(error)}`,
        );
      } else {
        inputErrors++;
        const printed = `klpmatch: ${oneLine(line)}`;
        if (printed.includes("\n") || printed.length > MAX_LINE + 12) {
          failures.push(`${kind} #${i}: error line not one short line: ${JSON.stringify(printed)}`);
        }
      }
    }
  }
  return { cases, passed, inputErrors, failures };
}

/** Asserts a tally: every case ran, none failed; prints its counts. */
export function expectClean(kind: string, tally: FuzzTally): void {
  process.stdout.write(
    `fuzz ${kind}: ${tally.cases} cases, ${tally.passed} accepted, ${tally.inputErrors} input errors, ${tally.failures.length} failures\n`,
  );
  expect(tally.failures.slice(0, 5)).toEqual([]);
  expect(tally.passed + tally.inputErrors).toBe(tally.cases);
}
