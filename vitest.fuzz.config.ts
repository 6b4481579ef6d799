import { defineConfig } from "vitest/config";

// npm run fuzz: the seeded fuzz suite (test/fuzz/*.fuzz.ts), FUZZ_SEED and FUZZ_CASES (per input
// kind) from the environment. Fixtures only: it needs no corpus.
export default defineConfig({
  test: {
    include: ["test/fuzz/**/*.fuzz.ts"],
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
