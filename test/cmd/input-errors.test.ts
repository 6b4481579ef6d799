// Every command, handed a directory or a missing file where it reads a file, prints one line naming
// it and exits 2 (a read of a directory fails with EISDIR, an error that carries no path).
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

const M = join(FIXTURES, "match", "gcc");
const DIR = FIXTURES;
const MISSING = join(FIXTURES, "no-such-file");

const CASES: [string, string[], string][] = [
  ["symbols", ["symbols", DIR], DIR],
  ["sympos --kallsyms", ["sympos", "x", "--kallsyms", DIR], DIR],
  ["verify PATCH.ko", ["verify", DIR, "--kallsyms", join(FIXTURES, "verify", "kallsyms.txt")], DIR],
  [
    "verify --targets",
    ["verify", "--targets", DIR, "--kallsyms", join(FIXTURES, "verify", "kallsyms.txt")],
    DIR,
  ],
  ["diff", ["diff", DIR, join(M, "patched", "a.o")], DIR],
  ["diff --orig", ["diff", "--orig", MISSING, "--patched", DIR], MISSING],
  [
    "match --symvers",
    [
      "match",
      "--orig",
      join(M, "orig", "a.o"),
      "--patched",
      join(M, "patched", "a.o"),
      "--kallsyms",
      join(M, "kallsyms.txt"),
      "--symvers",
      DIR,
    ],
    DIR,
  ],
  [
    "match --baseline",
    [
      "match",
      "--orig",
      join(M, "orig", "a.o"),
      "--patched",
      join(M, "patched", "a.o"),
      "--kallsyms",
      join(M, "kallsyms.txt"),
      "--baseline",
      MISSING,
    ],
    MISSING,
  ],
];

it.each(CASES)("%s: one line naming the file, exit 2", async (_name, args, culprit) => {
  const r = await execa("node", [CLI, ...args], { reject: false });
  expect(r.exitCode).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^klpmatch: ${culprit.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: `));
  expect(lines[0]).not.toMatch(/internal error/);
});
