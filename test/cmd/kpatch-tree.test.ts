// After kpatch-build: orig/ and patched/ trees with only the changed objects at their tree paths and
// no .mod files, plus the kernel's build directory. With --build-dir every pair is right; without it,
// every object is flagged OBJNAME_ASSUMED. Bad build directories fail with one line, exit 2.
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { MatchReport } from "../../lib/report/match-report.js";
import { CLI, FIXTURES } from "../paths.js";

const T = join(FIXTURES, "kpatch-tree");
const TREE = [
  "--orig",
  join(T, "orig"),
  "--patched",
  join(T, "patched"),
  "--kallsyms",
  join(T, "kallsyms.txt"),
];

function klpmatch(args: string[]) {
  return execa("node", [CLI, "match", ...args], { reject: false });
}

function pairs(report: MatchReport): string[] {
  return report.objects.flatMap((o) =>
    o.functions.map(
      (f) =>
        `${o.orig.slice(T.length + 6)} ${f.name} -> ${f.target === null ? "none" : `${f.target.objname}:${f.target.oldName},${f.target.oldSympos}`}`,
    ),
  );
}

describe("match after kpatch-build", () => {
  it("with --build-dir: vmlinux objects, two modules and the two same-named statics all right", async () => {
    const r = await klpmatch([
      ...TREE,
      "--build-dir",
      join(T, "build"),
      "--format",
      "json",
      "--fail-on",
      "warning",
    ]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as MatchReport;
    expect(pairs(report)).toEqual([
      "drivers/m1/m1main.o dupname -> m1:dupname,0",
      "fs/m2/m2.o m2_lookup -> m2_fs:m2_lookup,0",
      "kernel/core.o dupname -> vmlinux:dupname,0",
    ]);
    // the loaded modules' .ko files are taken from the build directory, and named as sources
    expect(report.inputs.filter((i) => i.role === "module").map((i) => i.path)).toEqual([
      join(T, "build/drivers/m1/m1.ko"),
      join(T, "build/fs/m2/m2-fs.ko"),
    ]);
    const text = await klpmatch([...TREE, "--build-dir", join(T, "build")]);
    expect(text.stdout).toContain(`\n  with module ${join(T, "build/drivers/m1/m1.ko")}\n`);
    expect(report.objects.map((o) => o.objnameFrom)).toEqual([
      expect.stringMatching(/build\/drivers\/m1\/m1\.mod$/),
      expect.stringMatching(/build\/fs\/m2\/m2-fs\.mod$/),
      expect.stringMatching(/build\/vmlinux\.a lists it$/),
    ]);
  });

  it("without --build-dir: every object is flagged OBJNAME_ASSUMED and --fail-on warning fails", async () => {
    const r = await klpmatch([...TREE, "--format", "json"]);
    const report = JSON.parse(r.stdout) as MatchReport;
    for (const o of report.objects) {
      expect(o.flags.map((f) => f.code)).toContain("OBJNAME_ASSUMED");
    }
    expect(report.objects).toHaveLength(3);
    const strict = await klpmatch([...TREE, "--objname", "kernel/core.o=vmlinux", "--fail-on", "warning"]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/warning OBJNAME_ASSUMED: drivers\/m1\/m1main\.o: /);
    expect(strict.stdout).not.toMatch(/OBJNAME_ASSUMED: kernel\/core\.o/);
  });

  it("--objname PATH=MOD for single objects, repeatable", async () => {
    const r = await klpmatch([
      ...TREE,
      "--objname",
      "drivers/m1/m1main.o=m1",
      "--objname",
      "fs/m2/m2.o=m2-fs",
      "--objname",
      "kernel/core.o=vmlinux",
      "--format",
      "json",
      "--fail-on",
      "warning",
    ]);
    expect(r.exitCode).toBe(0);
    expect(pairs(JSON.parse(r.stdout) as MatchReport)).toEqual([
      "drivers/m1/m1main.o dupname -> m1:dupname,0",
      "fs/m2/m2.o m2_lookup -> m2_fs:m2_lookup,0",
      "kernel/core.o dupname -> vmlinux:dupname,0",
    ]);
  });

  it("bad build directories: one line naming the file and the fault, exit 2, no report file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-kt-"));
    try {
      await cp(join(T, "build"), join(dir, "build"), { recursive: true });
      await writeFile(join(dir, "build/fs/m2/m2-fs.mod"), "fs/m2/m2.o fs/m2/lost.o\n");
      // Kbuild writes modules.order and built-in.a into every directory it descends into: no top
      await writeFile(join(dir, "build/fs/modules.order"), "fs/m2/m2-fs.o\n");
      await writeFile(join(dir, "build/fs/built-in.a"), "!<thin>\n");
      const out = join(dir, "report.json");
      const cases: [string, RegExp][] = [
        [join(T, "src"), /src: not a kernel build directory: none of vmlinux\.a/],
        [join(dir, "build/fs"), /build\/fs: not a kernel build directory: none of vmlinux\.a/],
        [join(dir, "build"), /m2-fs\.mod: lists fs\/m2\/lost\.o, which is not in the build directory/],
      ];
      for (const [build, message] of cases) {
        const r = await klpmatch([...TREE, "--build-dir", build, "--out", out]);
        expect(r.exitCode).toBe(2);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        expect(existsSync(out)).toBe(false);
      }
      const typo = await klpmatch([...TREE, "--objname", "fs/m3/m3.o=m3", "--out", out]);
      expect(typo.exitCode).toBe(2);
      expect(typo.stderr).toMatch(/^klpmatch: --objname: no changed object pair is fs\/m3\/m3\.o$/);
      expect(existsSync(out)).toBe(false);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("an object the build directory does not know is an error naming it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-kt-"));
    try {
      await cp(join(T, "build"), join(dir, "build"), { recursive: true });
      await rm(join(dir, "build/fs/m2/m2-fs.mod"));
      await rm(join(dir, "build/fs/m2/.m2.o.cmd"));
      await writeFile(join(dir, "build/modules.order"), "drivers/m1/m1.o\n");
      const r = await klpmatch([...TREE, "--build-dir", join(dir, "build")]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(
        /^klpmatch: fs\/m2\/m2\.o: the build directory .* neither links it into vmlinux/,
      );
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("objects only in one tree: shown like diff shows them, flagged, counted, the new one's references listed", async () => {
    const U = ["--orig", join(T, "unpaired/orig"), "--patched", join(T, "unpaired/patched")];
    const args = [...U, "--kallsyms", join(T, "kallsyms.txt"), "--build-dir", join(T, "build")];
    const text = await klpmatch(args);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(
      "\nOnly in orig: kernel/gone.o (deleted object)\nOnly in patched: fs/m2/m2new.o (new object)\n",
    );
    expect(text.stdout).toMatch(/^3 object\(s\) \(\+ 1 new, 1 deleted object\(s\)\), .* 2 warning\(s\)$/m);
    expect(text.stdout).toMatch(
      /warning NEW_OBJECT: fs\/m2\/m2new\.o: .* a new object of 'm2_fs' .*: m2_new_helper$/m,
    );
    expect(text.stdout).toMatch(/warning DELETED_OBJECT: kernel\/gone\.o: only in the orig tree/);
    expect(text.stdout).toMatch(/\.klp\.sym\.vmlinux\.core_api,0 +global .* m2_new_helper$/m);
    expect((await klpmatch([...args, "--fail-on", "warning"])).exitCode).toBe(1);
    const json = JSON.parse((await klpmatch([...args, "--format", "json"])).stdout) as MatchReport;
    expect(json.unpaired).toEqual({ onlyOrig: ["kernel/gone.o"], onlyPatched: ["fs/m2/m2new.o"] });
    expect(json.flags.map((f) => f.code)).toEqual(["NEW_OBJECT", "DELETED_OBJECT"]);
    expect(json.summary.warnings).toBe(2);
  });
});

describe("two symbol tables", () => {
  it("--kallsyms with --system-map is an error, not one silently ignored", async () => {
    const r = await klpmatch([...TREE, "--system-map", join(T, "kallsyms.txt")]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /^klpmatch: --system-map: a second symbol table beside --kallsyms .*: give one of them$/,
    );
  });
});
