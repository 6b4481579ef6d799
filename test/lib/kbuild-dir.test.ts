// A kernel build directory as input: its thin archive's link order, its modules, its .config.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../lib/input-error.js";
import { configDifferences, isKbuildDir, readKbuildDir, thinArchiveMembers } from "../../lib/kbuild-dir.js";
import { FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kbuild");

describe("readKbuildDir", () => {
  it("lists vmlinux.o's per-file objects in vmlinux.a's order and each module's from its .mod", async () => {
    const dir = await readKbuildDir(join(K, "clang", "orig"));
    expect(dir.vmlinux).toEqual({
      objname: "vmlinux",
      path: "vmlinux.o",
      members: ["kernel/alpha.o", "kernel/beta.o", "kernel/start.o", "lib/util.o"],
    });
    expect(dir.modules).toEqual([
      {
        objname: "demo",
        path: "drivers/demo/demo.o",
        members: ["drivers/demo/demo_main.o", "drivers/demo/demo_extra.o"],
      },
    ]);
  });

  it("recognises a build directory by .config and modules.order; one without vmlinux.o is refused", async () => {
    expect(await isKbuildDir(join(K, "gcc", "orig"))).toBe(true);
    expect(await isKbuildDir(join(K, "gcc"))).toBe(false);
    await expect(readKbuildDir(join(K, "bad", "no-vmlinux-o"))).rejects.toThrow(InputError);
  });
});

describe("thinArchiveMembers", () => {
  it("reads long names from the // table and refuses what is not a thin archive", async () => {
    const bytes = await readFile(join(K, "gcc", "orig", "vmlinux.a"));
    expect(thinArchiveMembers(bytes, "vmlinux.a")).toEqual([
      "kernel/alpha.o",
      "kernel/beta.o",
      "kernel/start.o",
      "lib/util.o",
    ]);
    expect(() => thinArchiveMembers(Buffer.from("!<arch>\n"), "x.a")).toThrow(/not a thin archive/);
  });
});

describe("configDifferences", () => {
  it("names the settings two .config files disagree on, unset and absent alike", () => {
    const a = "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=m\n";
    const b = "CONFIG_A=y\nCONFIG_C=y\nCONFIG_D=y\n";
    expect(configDifferences(a, b)).toEqual(["CONFIG_C", "CONFIG_D"]);
    expect(configDifferences(a, `# comment\n${a}`)).toEqual([]);
  });
});
