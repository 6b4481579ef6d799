// End to end on two kernel build directories (fixtures/kbuild, gcc + GNU ld and clang-19 ThinLTO
// + ld.lld-19): diff and match unit by unit, the pairs checked against the linked program's own
// STT_FILE placement (files.txt), and the one-line refusals of bad input.
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kbuild");
const dirs = (tc: string): string[] => ["--orig", join(K, tc, "orig"), "--patched", join(K, tc, "patched")];
const run = (args: string[]) => execa("node", [CLI, ...args], { reject: false });

async function patchFile(files: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "klpmatch-kbuild-"));
  const path = join(dir, "fix.patch");
  await writeFile(path, files.map((f) => `--- a/${f}\n+++ b/${f}\n@@ -1 +1 @@\n-a\n+b\n`).join(""));
  return path;
}

const changedLines = (stdout: string): string[] =>
  stdout.split("\n").filter((l) => l.includes(": changed function: "));

describe("klpmatch diff on two build directories", () => {
  it("gcc: the patched files' functions, each under its translation unit", async () => {
    const r = await run(["diff", ...dirs("gcc")]);
    expect(r.exitCode).toBe(0);
    // start_kernel reaches no static of its file: its per-file object (ELF in a gcc build) places it
    expect(changedLines(r.stdout)).toEqual([
      "kernel/alpha.c: changed function: helper",
      "kernel/start.c: changed function: start_kernel",
      "lib/util.c: changed function: util_scale",
      "drivers/demo/demo_main.c: changed function: helper",
    ]);
    expect(r.stdout).toContain("vmlinux.o: 5 translation units, 2 equal by bytes and relocations, 3 diffed");
  });

  it("clang ThinLTO: the inlining caller in another file is changed, and said to be LTO's doing", async () => {
    const patch = await patchFile([
      "kernel/alpha.c",
      "kernel/start.c",
      "lib/util.c",
      "drivers/demo/demo_main.c",
    ]);
    const r = await run(["diff", ...dirs("clang"), "--patch", patch]);
    expect(r.exitCode).toBe(0);
    const lines = changedLines(r.stdout).map((l) => l.replace(/\.llvm\.\d+/g, ".llvm.H"));
    expect(lines).toEqual([
      "kernel/alpha.c: changed function: helper.llvm.H (patched: helper.llvm.H)",
      "kernel/beta.c: changed function: beta_api",
      "kernel/start.c: changed function: start_kernel",
      "lib/util.c: changed function: util_scale",
      "drivers/demo/demo_main.c: changed function: helper",
    ]);
    const lto = r.stdout.split("\n").filter((l) => l.includes("changed by LTO"));
    expect(lto.map((l) => l.trim().split(":")[1]!.trim().split(" ")[0])).toEqual(["kernel/beta.c"]);
  });
});

describe("two linked objects given as a pair", () => {
  it("diff vmlinux.o vmlinux.o: unit by unit, the link order from the vmlinux.a beside them", async () => {
    const r = await run([
      "diff",
      join(K, "clang", "orig", "vmlinux.o"),
      join(K, "clang", "patched", "vmlinux.o"),
    ]);
    expect(r.exitCode).toBe(0);
    expect(changedLines(r.stdout).map((l) => l.split(":")[0])).toEqual([
      "kernel/alpha.c",
      "kernel/beta.c",
      "kernel/start.c",
      "lib/util.c",
    ]);
  });

  it("match on a module's <mod>.o pair: its objname from the .mod beside it", async () => {
    const mod = (side: string) => join(K, "gcc", side, "drivers", "demo", "demo.o");
    const r = await run([
      "match",
      ...["--orig", mod("orig"), "--patched", mod("patched")],
      ...["--kallsyms", join(K, "gcc", "kallsyms.txt")],
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "drivers/demo/demo_main.c: changed function: helper -> demo:helper,1",
    );
  });
});

/** `address name file objname` of each local of the linked program (and module) the fixture built. */
async function placement(tc: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const line of (await readFile(join(K, tc, "files.txt"), "utf8")).split("\n")) {
    const [address, name, file, objname] = line.split(" ");
    if (address) out.set(`${objname}:${name}@${BigInt(`0x${address}`)}`, file!);
  }
  return out;
}

interface Fn {
  name: string;
  decision: string;
  target: { objname: string; oldName: string; oldSympos: number; address: string } | null;
  evidence: { kind: string; result: string }[];
}

describe("klpmatch match on two build directories", () => {
  for (const tc of ["gcc", "clang"]) {
    it(`${tc}: every changed function gets the pair of its own file's copy in the linked program`, async () => {
      const r = await run([
        "match",
        ...dirs(tc),
        "--kallsyms",
        join(K, tc, "kallsyms.txt"),
        "--format",
        "json",
      ]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const report = JSON.parse(r.stdout) as { objects: { orig: string; functions: Fn[] }[] };
      const where = await placement(tc);
      let checked = 0;
      for (const o of report.objects) {
        for (const f of o.functions) {
          expect(f.target, `${o.orig}: ${f.name}`).not.toBeNull();
          const file = where.get(`${f.target!.objname}:${f.target!.oldName}@${BigInt(f.target!.address)}`);
          if (file === undefined) continue; // a global, or a promoted name (decided by its hash)
          expect(file).toBe(o.orig.slice(o.orig.lastIndexOf("/") + 1));
          checked++;
        }
      }
      // the duplicated statics: vmlinux's helper (gcc) and the module's helper
      expect(checked).toBe(tc === "gcc" ? 2 : 1);
    });
  }

  it("gcc: the same-named static decided by the STT_FILE blocks of vmlinux.o itself", async () => {
    const r = await run([
      "match",
      ...dirs("gcc"),
      "--kallsyms",
      join(K, "gcc", "kallsyms.txt"),
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.stdout) as { objects: { orig: string; functions: Fn[] }[] };
    const alpha = report.objects.find((o) => o.orig === "kernel/alpha.c")!.functions[0]!;
    expect(alpha.target).toMatchObject({ objname: "vmlinux", oldName: "helper", oldSympos: 1 });
    expect(alpha.evidence).toContainEqual(expect.objectContaining({ kind: "file-block", result: "decides" }));
  });

  it("clang: the orig ThinLTO name in the kernel is identity proof; references use orig hashes", async () => {
    const r = await run([
      "match",
      ...dirs("clang"),
      "--kallsyms",
      join(K, "clang", "kallsyms.txt"),
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.stdout) as {
      objects: { orig: string; functions: Fn[] }[];
      references: { name: string; klpSym: string | null }[];
    };
    const alpha = report.objects.find((o) => o.orig === "kernel/alpha.c")!.functions[0]!;
    expect(alpha.name).toMatch(/^helper\.llvm\.\d+$/);
    expect(alpha.target!.oldName).toBe(alpha.name);
    expect(alpha.evidence).toContainEqual(
      expect.objectContaining({ kind: "llvm-identity", result: "decides" }),
    );
    const table = await readFile(join(K, "clang", "kallsyms.txt"), "utf8");
    for (const ref of report.references) {
      expect(ref.klpSym, ref.name).not.toBeNull();
      expect(table).toContain(` ${ref.name}`);
    }
  });
});

describe("bad input: one line naming the file and what to do, exit 2", () => {
  const oneLine = async (args: string[], path: string, what: RegExp) => {
    const r = await run(args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`klpmatch: ${path}: `)).toBe(true);
    expect(lines[0]).toMatch(what);
  };

  it("a bitcode object", async () => {
    const o = join(K, "clang", "orig", "kernel", "alpha.o");
    await oneLine(["diff", o, o], o, /LLVM bitcode.*vmlinux\.o.*<mod>\.o/);
  });

  it("an archive", async () => {
    const a = join(K, "gcc", "orig", "vmlinux.a");
    await oneLine(["diff", a, a], a, /thin archive.*vmlinux\.o/);
  });

  it("a build directory without vmlinux.o", async () => {
    const d = join(K, "bad", "no-vmlinux-o");
    await oneLine(
      ["diff", "--orig", d, "--patched", d],
      join(d, "vmlinux.o"),
      /no vmlinux\.o.*make vmlinux\.o/,
    );
  });

  it("a vmlinux.o without function sections", async () => {
    const d = join(K, "bad", "no-function-sections");
    await oneLine(["diff", "--orig", d, "--patched", d], join(d, "vmlinux.o"), /-ffunction-sections/);
  });

  it("two different configurations", async () => {
    await oneLine(
      ["diff", "--orig", join(K, "gcc", "orig"), "--patched", join(K, "clang", "patched")],
      join(K, "clang", "patched", ".config"),
      /CONFIG_LTO_CLANG_THIN.*same configuration/,
    );
    // the same .config over other objects: the translation units disagree
    const other = await mkdtemp(join(tmpdir(), "klpmatch-kbuild-"));
    await cp(join(K, "gcc", "patched"), other, { recursive: true });
    await cp(join(K, "gcc", "patched", "drivers", "demo", "demo.o"), join(other, "vmlinux.o"));
    await oneLine(
      [
        "match",
        "--orig",
        join(K, "gcc", "orig"),
        "--patched",
        other,
        "--kallsyms",
        join(K, "gcc", "kallsyms.txt"),
      ],
      join(other, "vmlinux.o"),
      /not the same configuration built twice/,
    );
  });
});
