// The kbuild pipeline's own parts: which files a patch touches.
import { describe, expect, it } from "vitest";
import { patchedFiles } from "../../pipeline/kbuild.js";

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
