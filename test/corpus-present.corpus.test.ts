import { existsSync } from "node:fs";
import { expect, test } from "vitest";
import { corpusPath } from "./corpus.js";

test("the shared corpus is present (corpus tests fail, never skip, without it)", () => {
  expect(existsSync(corpusPath("README.md"))).toBe(true);
  expect(existsSync(corpusPath("kpatch-unit", "expected.json"))).toBe(true);
});
