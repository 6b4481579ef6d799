import { defineConfig } from "vitest/config";

// The default suite: runs on a fresh clone, without ../shared/corpus.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.corpus.test.ts", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
