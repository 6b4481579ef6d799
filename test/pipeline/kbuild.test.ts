// The kbuild pipeline's own parts: which files a patch touches, what it reads and hashes.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffKbuild, diffLinkedFiles, patchedFiles } from "../../pipeline/kbuild.js";
import { FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kbuild", "gcc");
const sha = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("the linked objects read", () => {
  it("are hashed as they are read when asked (a report's inputs), each with the sha256 of its file", async () => {
    const d = await diffKbuild(join(K, "orig"), join(K, "patched"), { hashInputs: true });
    expect(d.inputs.map((i) => i.path)).toEqual([
      join(K, "orig", "vmlinux.o"),
      join(K, "patched", "vmlinux.o"),
      join(K, "orig", "drivers/demo/demo.o"),
      join(K, "patched", "drivers/demo/demo.o"),
    ]);
    for (const i of d.inputs) expect(i.sha256).toBe(sha(i.path));
    const pair = await diffLinkedFiles(join(K, "orig", "vmlinux.o"), join(K, "patched", "vmlinux.o"), {
      hashInputs: true,
    });
    expect(pair!.inputs.map((i) => i.sha256)).toEqual(pair!.inputs.map((i) => sha(i.path)));
  });

  it("are not hashed otherwise", async () => {
    const d = await diffKbuild(join(K, "orig"), join(K, "patched"));
    expect(d.inputs.every((i) => i.sha256 === undefined)).toBe(true);
  });
});

describe("patchedFiles", () => {
  it("takes the headers' paths of a unified diff, without a/ b/ and /dev/null, not the hunks' lines", () => {
    const patch = [
      "diff --git a/kernel/kallsyms.c b/kernel/kallsyms.c",
      "--- a/kernel/kallsyms.c",
      "+++ b/kernel/kallsyms.c",
      "@@ -1,2 +1,2 @@",
      "--- a removed line that starts with dashes",
      "+++ an added one with pluses",
      " context",
      "--- /dev/null",
      "+++ b/lib/new.c\t2026-01-01",
    ].join("\n");
    expect([...patchedFiles(patch)].sort()).toEqual(["kernel/kallsyms.c", "lib/new.c"]);
  });
});
