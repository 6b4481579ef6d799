// End to end: `klpmatch diff` (built CLI) on the fixture objects — kpatch-style text, JSON, tree
// mode, --explain, and one-line errors with exit 2 for bad input.
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

const D = join(FIXTURES, "diff");
const pair = (dir: string, name: string): [string, string] => [
  join(D, dir, `${name}.orig.o`),
  join(D, dir, `${name}.patched.o`),
];

function klpmatch(args: string[]) {
  return execa("node", [CLI, "diff", ...args], { reject: false });
}

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "klpmatch-diff-"));
  for (const [rel, source] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await copyFile(source, join(root, rel));
  }
  return root;
}

describe("klpmatch diff ORIG PATCHED", () => {
  it("prints kpatch's lines with the reasons under each, and exits 0", async () => {
    const r = await klpmatch(pair("gcc", "replace"));
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines).toContain("replace.orig.o: changed function: caller");
    expect(lines).toContain("    relocations: +1 -1");
    expect(lines).toContain("replace.orig.o: new function: new_helper");
    expect(lines).toContain("replace.orig.o: deleted function: old_helper");
    expect(lines).toContain("replace.orig.o: patchable (1 changed, 1 new, 1 deleted, 0 changed data)");
  });

  it("an unsupported verdict is a result that fails: exit 1 (not 2, bad input), the cause printed", async () => {
    const r = await klpmatch(pair("gcc", "data"));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^data\.orig\.o: changed data: limits$/m);
    expect(r.stdout).toMatch(/^data\.orig\.o: unsupported: data section \.data\.limits changed/m);
    expect(r.stdout).toMatch(/^data\.orig\.o: unsupported \(0 changed/m);
  });

  it("--json gives the names, verdict and reasons", async () => {
    const r = await klpmatch([...pair("gcc", "cold"), "--json"]);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      orig: pair("gcc", "cold")[0],
      patched: pair("gcc", "cold")[1],
      verdict: "patchable",
      changed: ["cold_user"],
      new: [],
      deleted: [],
      changedData: [],
    });
    expect(j.reasons.cold_user[0]).toMatch(/^child cold_user\.cold changed/);
    expect(j.details.changed[0]).toMatchObject({ name: "cold_user", bind: "GLOBAL" });
    expect(typeof j.details.changed[0].size).toBe("number");
  });

  it("--explain shows the relocation differences and a disassembly diff (or why there is none)", async () => {
    const r = await klpmatch([...pair("gcc", "replace"), "--explain", "caller"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^replace\.orig\.o: changed function: caller$/m);
    expect(r.stdout).toMatch(/^relocation differences/m);
    expect(r.stdout).toMatch(/^ {2}- R_X86_64_(PC32|PLT32) old_helper-0x4 at \+0x/m);
    expect(r.stdout).toMatch(/^ {2}\+ R_X86_64_(PC32|PLT32) new_helper-0x4 at \+0x/m);
    expect(r.stdout).toMatch(
      /^(disassembly \(.*objdump -d, addresses dropped\):\n---[\s\S]*@@|disassembly unavailable)/m,
    );
  });

  it("--explain labels each side with its own object's name", async () => {
    const r = await klpmatch([...pair("gcc", "replace"), "--explain", "caller"]);
    if (r.stdout.includes("disassembly unavailable")) throw new Error("objdump is needed for this test");
    expect(r.stdout).toMatch(/^--- orig\/replace\.orig\.o:caller$/m);
    expect(r.stdout).toMatch(/^\+\+\+ patched\/replace\.patched\.o:caller$/m);
  });

  it("--explain in tree mode: the first pair in path order that changes the function, by its path", async () => {
    const [lineOrig, linePatched] = pair("gcc", "line");
    const [replaceOrig, replacePatched] = pair("gcc", "replace");
    const orig = await tree({ "a/line.o": lineOrig, "b/replace.o": replaceOrig });
    const patched = await tree({ "a/line.o": linePatched, "b/replace.o": replacePatched });
    const r = await klpmatch(["--orig", orig, "--patched", patched, "--explain", "caller"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^b\/replace\.o: changed function: caller$/m);
    expect(r.stdout).toMatch(/^ {2}\+ R_X86_64_(PC32|PLT32) new_helper-0x4 at \+0x/m);
    const none = await klpmatch(["--orig", orig, "--patched", patched, "--explain", "no_such_function"]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toBe(
      `klpmatch: no_such_function: no changed, new or deleted function of that name in ${orig} / ${patched}`,
    );
  });

  it("--explain --json gives the same as data", async () => {
    const r = await klpmatch([...pair("gcc", "replace"), "--explain", "caller", "--json"]);
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      status: "changed",
      origName: "caller",
      patchedName: "caller",
      correlation: "same name",
    });
    expect(j.removedRelocations).toEqual([expect.stringMatching(/old_helper-0x4 at \+0x/)]);
    expect(j.addedRelocations).toEqual([expect.stringMatching(/new_helper-0x4 at \+0x/)]);
    expect(j.disassembly.unavailable === null ? j.disassembly.orig[0] : "<caller>:").toBe("<caller>:");
  });

  it("--explain on a foreign-arch object uses an objdump that reads it, or says none can", async () => {
    const r = await klpmatch([...pair(join("cross", "s390x"), "line"), "--explain", "sleeper"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^line\.orig\.o: line-only function: sleeper$/m);
    expect(r.stdout).toMatch(/disassembly \(llvm-objdump[^)]*\)|disassembly unavailable/);
  });
});

describe("klpmatch diff --orig DIR --patched DIR", () => {
  it("pairs objects by relative path and reports the ones on one side only", async () => {
    const orig = await tree({
      "fs/replace.o": pair("gcc", "replace")[0],
      "mm/data.o": pair("gcc", "data")[0],
      "kernel/line.o": pair("gcc", "line")[0],
      "gone.o": pair("gcc", "cold")[0],
    });
    const patched = await tree({
      "fs/replace.o": pair("gcc", "replace")[1],
      "mm/data.o": pair("gcc", "data")[1],
      "kernel/line.o": pair("gcc", "line")[1],
      "added.o": pair("gcc", "cold")[1],
    });
    const r = await klpmatch(["--orig", orig, "--patched", patched]);
    // mm/data.o is unsupported
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^fs\/replace\.o: changed function: caller$/m);
    expect(r.stdout).toMatch(/^mm\/data\.o: unsupported: /m);
    expect(r.stdout).not.toMatch(/^kernel\/line\.o: changed/m);
    expect(r.stdout).toMatch(/^gone\.o: only in the orig tree/m);
    expect(r.stdout).toMatch(/^added\.o: only in the patched tree/m);
    expect(r.stdout).toMatch(
      /^3 object pairs: 1 patchable, 1 unsupported, 1 unchanged; 1 only in orig, 1 only in patched$/m,
    );

    const j = JSON.parse((await klpmatch(["--orig", orig, "--patched", patched, "--json"])).stdout);
    expect(Array.isArray(j)).toBe(true);
    const byPath = Object.fromEntries(
      j.map((x: { orig: string | null; patched: string }) => [x.orig ?? x.patched, x]),
    );
    expect(byPath[join(orig, "fs/replace.o")]).toMatchObject({
      verdict: "patchable",
      changed: ["caller"],
      new: ["new_helper"],
    });
    expect(byPath[join(orig, "kernel/line.o")]).toMatchObject({ verdict: "no-change", changed: [] });
    expect(byPath[join(orig, "gone.o")]).toMatchObject({ unpaired: "orig", verdict: "unpaired" });
    expect(byPath[join(patched, "added.o")]).toMatchObject({ unpaired: "patched" });
  });
});

describe("bad input: one line, exit 2", () => {
  const oneLine = (stderr: string): void => {
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^klpmatch: /);
    expect(stderr).not.toMatch(/\bat .*\.js:\d+/);
  };

  it("a missing twin file", async () => {
    const r = await klpmatch([pair("gcc", "line")[0], join(D, "gcc", "missing.o")]);
    expect(r.exitCode).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/missing\.o: no such file or directory/);
    expect(r.stdout).toBe("");
  });

  it("objects of different machines", async () => {
    const r = await klpmatch([pair("gcc", "line")[0], pair(join("cross", "aarch64"), "line")[1]]);
    expect(r.exitCode).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/built for aarch64/);
  });

  it("objects of different ELF classes", async () => {
    const r = await klpmatch([pair("gcc", "line")[0], pair(join("cross", "i386"), "line")[1]]);
    expect(r.exitCode).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/ELF32/);
  });

  it("a truncated object", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-diff-"));
    const bytes = await readFile(pair("gcc", "line")[1]);
    await writeFile(join(dir, "short.o"), bytes.subarray(0, 200));
    const r = await klpmatch([pair("gcc", "line")[0], join(dir, "short.o")]);
    expect(r.exitCode).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/short\.o: /);
  });

  it("a file that is not a relocatable object", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-diff-"));
    const bytes = new Uint8Array(await readFile(pair("gcc", "line")[1]));
    bytes[16] = 3; // e_type = ET_DYN
    await writeFile(join(dir, "shared.o"), bytes);
    const r = await klpmatch([pair("gcc", "line")[0], join(dir, "shared.o")]);
    expect(r.exitCode).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/shared\.o: not a relocatable object \(ELF type DYN\)/);
  });

  it("usage: one object only, or both modes at once", async () => {
    const one = await klpmatch([pair("gcc", "line")[0]]);
    expect(one.exitCode).toBe(2);
    oneLine(one.stderr);
    const both = await klpmatch([...pair("gcc", "line"), "--orig", D, "--patched", D]);
    expect(both.exitCode).toBe(2);
    oneLine(both.stderr);
  });

  it("--explain for a name neither object has", async () => {
    const r = await klpmatch([...pair("gcc", "line"), "--explain", "no_such_function"]);
    expect(r.exitCode).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toMatch(/no_such_function: no function of that name/);
  });
});
