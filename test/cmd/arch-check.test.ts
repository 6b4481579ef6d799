// Objects of one machine against a kernel of another: one line naming both, exit 2, for match
// (orig objects) and verify (the livepatch module).
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

/** The verify fixture's kallsyms with x86-64 entry symbols, as a real x86-64 kernel has them. */
async function x86Kallsyms(): Promise<string> {
  const text = await readFile(join(FIXTURES, "verify", "kallsyms.txt"), "utf8");
  const path = join(await mkdtemp(join(tmpdir(), "klpmatch-arch-")), "kallsyms.txt");
  await writeFile(path, `ffffffff81000000 T startup_64\nffffffff81e00000 T entry_SYSCALL_64\n${text}`);
  return path;
}

describe("architecture check", () => {
  it("verify: an aarch64 livepatch against an x86_64 kernel", async () => {
    const kallsyms = await x86Kallsyms();
    const out = join(tmpdir(), `klpmatch-arch-${process.pid}.json`);
    const r = await execa(
      "node",
      [CLI, "verify", join(FIXTURES, "verify", "lp_api.aarch64.o"), "--kallsyms", kallsyms, "--out", out],
      { reject: false },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /^klpmatch: .*lp_api\.aarch64\.o: aarch64 object, but the kernel is x86_64 \(from kallsyms .*: startup_64, entry_SYSCALL_64\): wrong architecture$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("match: aarch64 orig objects against an x86_64 kernel", async () => {
    const kallsyms = await x86Kallsyms();
    const M = join(FIXTURES, "kpatch-macros", "aarch64", "gcc");
    const r = await execa(
      "node",
      [
        CLI,
        "match",
        "--orig",
        join(M, "orig"),
        "--patched",
        join(M, "patched"),
        "--kallsyms",
        kallsyms,
        "--objname",
        "vmlinux",
      ],
      { reject: false },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /force-unsafe\.o: aarch64 object, but the kernel is x86_64 .*: wrong architecture$/,
    );
  });
});
