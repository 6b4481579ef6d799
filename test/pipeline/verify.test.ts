// verifyPatch, the verify job as a library call: the same report the CLI renders, from the same
// inputs, each hashed as it is on disk.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { InputError } from "../../lib/input-error.js";
import { renderVerifyReport } from "../../lib/report/verify-render.js";
import { verifyPatch } from "../../pipeline/verify.js";
import { CLI, FIXTURES } from "../paths.js";

const V = join(FIXTURES, "verify");
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("verifyPatch", () => {
  it("gives the report `klpmatch verify --format json` prints", async () => {
    const patch = join(V, "lp_api.ko");
    const kallsyms = join(V, "kallsyms.txt");
    const report = await verifyPatch({ patch, kallsyms });
    const cli = await execa(
      process.execPath,
      [CLI, "verify", patch, "--kallsyms", kallsyms, "--format", "json"],
      { reject: false },
    );
    expect(renderVerifyReport(report, "json", "error").trimEnd()).toBe(cli.stdout.trimEnd());
    expect(report.inputs).toEqual([
      { role: "livepatch", path: patch, sha256: sha256(patch) },
      { role: "kallsyms", path: kallsyms, sha256: sha256(kallsyms) },
    ]);
  });

  it("a target module's .ko is hashed from the bytes read for its checks", async () => {
    const ko = join(V, "fxt_target.ko");
    const report = await verifyPatch({
      patch: join(V, "lp_api.ko"),
      kallsyms: join(V, "kallsyms-nomod.txt"),
      moduleFiles: [ko],
    });
    expect(report.inputs.find((i) => i.role === "module")).toEqual({
      role: "module",
      path: ko,
      sha256: sha256(ko),
    });
  });

  it("needs a patch or targets, and the kernel's symbols", async () => {
    await expect(verifyPatch({ kallsyms: join(V, "kallsyms.txt") })).rejects.toThrow(InputError);
    await expect(verifyPatch({ patch: join(V, "lp_api.ko") })).rejects.toThrow(
      /--kallsyms, --system-map or --vmlinux/,
    );
  });
});
