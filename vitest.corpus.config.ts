import { defineConfig } from "vitest/config";

// Tests on the real inputs in ../shared/corpus. They fail (not skip) when it is missing.
export default defineConfig({
  test: {
    include: ["test/**/*.corpus.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
