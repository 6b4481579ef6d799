// The kbuild pipeline's own parts: which files a patch touches, what it reads and hashes.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../lib/input-error.js";
import { diffKbuild, diffLinkedFiles, patchedFiles } from "../../pipeline/kbuild.js";
import { matchInputs } from "../../pipeline/kbuild-match.js";
import { shiftTable } from "../kaslr.js";
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

describe("match on two build directories", () => {
  const dirs = { orig: join(K, "orig"), patched: join(K, "patched") };
  const decisions = (r: Awaited<ReturnType<typeof matchInputs>>): string[] =>
    r.objects.flatMap((o) =>
      o.functions.map(
        (f) => `${o.orig}:${f.name}=${f.target ? `${f.target.oldName},${f.target.oldSympos}` : f.decision}`,
      ),
    );

  it("aligns --vmlinux to a KASLR-shifted kallsyms (VMLINUX_ALIGNED) and decides by its file blocks", async () => {
    // the vmlinux the fixture's kallsyms.txt was made from (fixtures/kbuild/build.sh), and a boot of it moved
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-kbuild-vmlinux-"));
    const vmlinux = join(dir, "vmlinux");
    execFileSync("ld", [
      "-e",
      "start_kernel",
      "--build-id=none",
      "-o",
      vmlinux,
      join(K, "orig", "vmlinux.o"),
    ]);
    const kallsyms = join(dir, "kallsyms");
    writeFileSync(kallsyms, shiftTable(readFileSync(join(K, "kallsyms.txt"), "utf8"), 0x1000000n));
    const r = await matchInputs({ ...dirs, kallsyms, vmlinux });
    expect(r.flags.map((f) => f.code)).toContain("VMLINUX_ALIGNED");
    // alpha.c's helper is the first of three in link order: only the vmlinux file blocks tell it
    expect(decisions(r)).toContain("kernel/alpha.c:helper=helper,1");
  });

  it("records the patch among the inputs and ties functions to the patch's lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-kbuild-patch-"));
    const patch = join(dir, "alpha.patch");
    // a change inside alpha.c's helper, with the lines around it as context
    const source = readFileSync(join(FIXTURES, "kbuild", "src", "kernel", "alpha.c"), "utf8").split("\n");
    const at = source.findIndex((l) => l.includes("int helper("));
    const hunk = [
      "--- a/kernel/alpha.c",
      "+++ b/kernel/alpha.c",
      `@@ -${at + 1},4 +${at + 1},4 @@`,
      ` ${source[at]}`,
      ` ${source[at + 1]}`,
      `-${source[at + 2]}`,
      `+${source[at + 2]} /* patched */`,
      ` ${source[at + 3]}`,
    ];
    writeFileSync(patch, `${hunk.join("\n")}\n`);
    const r = await matchInputs({ ...dirs, kallsyms: join(K, "kallsyms.txt"), patches: [patch] });
    expect(r.inputs.filter((i) => i.role === "patch").map((i) => i.path)).toEqual([patch]);
    const alpha = r.objects.find((o) => o.orig === "kernel/alpha.c")!;
    expect(alpha.functions.map((f) => [f.name, f.at?.map((l) => `${l.file}:${l.line}`)])).toEqual([
      ["helper", [`kernel/alpha.c:${at + 3}`]],
    ]);
  });

  it("refuses a second symbol table and the options of object trees", async () => {
    const kallsyms = join(K, "kallsyms.txt");
    for (const extra of [{ systemMap: kallsyms }, { only: ["kernel/alpha.o"] }, { objname: ["x.o=demo"] }]) {
      await expect(matchInputs({ ...dirs, kallsyms, ...extra })).rejects.toThrow(InputError);
    }
  });
});
