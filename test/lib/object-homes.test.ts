// Each object's home from the kernel build directory: .mod files, the thin vmlinux.a, .cmd files;
// and the bad build directories that must fail with one line.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { arMembers } from "../../lib/ar-archive.js";
import { readInputFile } from "../../lib/input-files.js";
import { homeResolver, parseObjnames, readKernelBuildDir } from "../../lib/object-homes.js";
import { FIXTURES } from "../paths.js";

const T = join(FIXTURES, "kpatch-tree");
const BUILD = join(T, "build");

async function copyBuild(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "klpmatch-build-"));
  await cp(BUILD, dir, { recursive: true });
  return dir;
}

describe("ar archives", () => {
  it("lists a thin archive's members, nested thin archives flattened by ar", async () => {
    const members = arMembers(await readInputFile(join(BUILD, "vmlinux.a")));
    expect(members).toEqual({ thin: true, names: ["kernel/core.o", "kernel/other.o"] });
  });

  it("is null for bytes that are not an archive", async () => {
    expect(arMembers(await readInputFile(join(BUILD, "kernel/core.o")))).toBeNull();
  });
});

describe("readKernelBuildDir", () => {
  it("finds modules in .mod files and vmlinux objects in vmlinux.a", async () => {
    const build = await readKernelBuildDir(BUILD);
    expect([...build.vmlinuxObjects].sort()).toEqual(["kernel/core.o", "kernel/other.o"]);
    expect((await build.homeOf("drivers/m1/m1main.o")).objname).toBe("m1");
    expect((await build.homeOf("drivers/m1/m1util.o")).objname).toBe("m1");
    // m2-fs.mod: the kernel's module name has '_' for '-'
    expect(await build.homeOf("fs/m2/m2.o")).toMatchObject({ objname: "m2_fs" });
    expect(await build.homeOf("kernel/core.o")).toMatchObject({ objname: "vmlinux" });
    expect((await build.homeOf("kernel/core.o")).from).toMatch(/vmlinux\.a lists it$/);
  });

  it("falls back to an object's .cmd file (-DMODULE, KBUILD_MODNAME) when no .mod lists it", async () => {
    const dir = await copyBuild();
    try {
      await rm(join(dir, "fs/m2/m2-fs.mod"));
      await writeFile(join(dir, "modules.order"), "drivers/m1/m1.o\n");
      const home = await (await readKernelBuildDir(dir)).homeOf("fs/m2/m2.o");
      expect(home.objname).toBe("m2_fs");
      expect(home.from).toContain(".m2.o.cmd: -DMODULE -DKBUILD_MODNAME=m2_fs");
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("refuses an object that is neither in vmlinux nor in a module", async () => {
    const build = await readKernelBuildDir(BUILD);
    await expect(build.homeOf("net/core/dev.o")).rejects.toThrow(
      /^net\/core\/dev\.o: the build directory .* neither links it into vmlinux .* nor lists it in a module's \.mod$/,
    );
  });

  it("refuses a directory that is not a kernel build", async () => {
    await expect(readKernelBuildDir(join(T, "src"))).rejects.toThrow(/src: not a kernel build directory/);
    await expect(readKernelBuildDir(join(T, "nowhere"))).rejects.toThrow(
      /nowhere: --build-dir is not a directory/,
    );
  });

  it("refuses a .mod naming objects the build does not have", async () => {
    const dir = await copyBuild();
    try {
      await writeFile(join(dir, "drivers/m1/m1.mod"), "drivers/m1/m1main.o drivers/m1/gone.o\n");
      await expect(readKernelBuildDir(dir)).rejects.toThrow(
        /m1\.mod: lists drivers\/m1\/gone\.o, which is not in the build directory/,
      );
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe("--objname", () => {
  it("parses MOD for every pair and PATH=MOD per object", () => {
    const o = parseObjnames(["fs/ext4/inode.o=ext4", "./drivers/a-b.o=a-b", "vmlinux"]);
    expect(o.all).toBe("vmlinux");
    expect([...o.perObject]).toEqual([
      ["fs/ext4/inode.o", "ext4"],
      ["drivers/a-b.o", "a_b"],
    ]);
    expect(() => parseObjnames(["ext4", "fat"])).toThrow(/--objname: given twice for every pair/);
    expect(() => parseObjnames(["x.o="])).toThrow(/names no object/);
  });

  it("per object wins over --build-dir; unused entries are reported", async () => {
    const r = await homeResolver({
      tree: true,
      orig: join(T, "orig"),
      buildDir: BUILD,
      objname: ["kernel/core.o=m1", "typo.o=m2"],
    });
    expect(await r.homeOf({ orig: "", relative: "kernel/core.o" })).toMatchObject({
      objname: "m1",
      assumed: false,
    });
    expect(await r.homeOf({ orig: "", relative: "fs/m2/m2.o" })).toMatchObject({
      objname: "m2_fs",
      assumed: false,
    });
    expect(r.unused()).toEqual(["typo.o"]);
  });

  it("without --build-dir a tree without .mod files has every home assumed", async () => {
    const r = await homeResolver({ tree: true, orig: join(T, "orig") });
    const home = await r.homeOf({
      orig: join(T, "orig/drivers/m1/m1main.o"),
      relative: "drivers/m1/m1main.o",
    });
    expect(home).toMatchObject({ objname: "vmlinux", assumed: true });
  });

  it("a lone object with --build-dir is looked up by the tree path it ends with", async () => {
    const r = await homeResolver({ tree: false, orig: join(T, "orig/fs/m2/m2.o"), buildDir: BUILD });
    const lone = join(T, "orig/fs/m2/m2.o");
    expect(await r.homeOf({ orig: lone, relative: lone })).toMatchObject({ objname: "m2_fs" });
  });

  it("looks each pair up once (the module files and the match both ask), and tells whether it has a build dir", async () => {
    const pair = { orig: join(T, "orig/fs/m2/m2.o"), relative: "fs/m2/m2.o" };
    const r = await homeResolver({ tree: true, orig: join(T, "orig"), buildDir: BUILD });
    expect(r.homeOf(pair)).toBe(r.homeOf({ ...pair }));
    expect(r.hasBuildDir).toBe(true);
    expect((await homeResolver({ tree: true, orig: join(T, "orig") })).hasBuildDir).toBe(false);
  });
});
