import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { CLI, FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kernel");
const run = (args: string[], input?: string) =>
  execa("node", [CLI, "sympos", ...args], { reject: false, ...(input !== undefined ? { input } : {}) });

describe("klpmatch sympos", () => {
  test("lists every candidate with its pair; exit 0", async () => {
    const r = await run(["init_once", "--kallsyms", join(K, "kallsyms-6.18-init_once.txt")]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/12 candidate\(s\) comparing equal under rule exact/);
    expect(r.stdout).toMatch(/rule: exact — no \.llvm\. name/);
    expect(r.stdout).toMatch(/vmlinux\s+ffffffff816e47e0\s+t\s+\d+\s+\d+\s+init_once\s+init_once\s+1\n/);
  });

  test("--json: rule, candidates, .llvm. variants listed apart", async () => {
    const r = await run(["c_start", "--kallsyms", join(K, "kallsyms-clang-lto.txt"), "--json"]);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rule).toBe("exact");
    expect(out.ruleAssumed).toBe(true);
    expect(out.candidates).toEqual([
      expect.objectContaining({
        objname: "vmlinux",
        name: "c_start",
        address: "0xffffffff81183d60",
        type: "t",
        oldName: "c_start",
        oldSympos: 0,
      }),
    ]);
    expect(out.llvmVariants).toEqual([
      expect.objectContaining({
        name: "c_start.llvm.4068079621735001028",
        oldName: "c_start.llvm.4068079621735001028",
        oldSympos: 0,
      }),
    ]);
  });

  test("--kernel picks the era: 6.8 LTO counts the promoted copy too", async () => {
    const r = await run([
      "c_start",
      "--kallsyms",
      join(K, "kallsyms-clang-lto.txt"),
      "--kernel",
      "6.8",
      "--json",
    ]);
    const out = JSON.parse(r.stdout);
    expect(out.rule).toBe("llvm-stripped");
    expect(
      out.candidates.map((c: { oldName: string; oldSympos: number }) => `${c.oldName},${c.oldSympos}`),
    ).toEqual(["c_start,1", "c_start,2"]);
    expect(out.llvmVariants).toEqual([]);
  });

  test("--address selects and verifies; --line too; hidden addresses need --line", async () => {
    const file = join(K, "kallsyms-module-target.txt");
    const r = await run([
      "dupname",
      "--kallsyms",
      file,
      "--objname",
      "lpt_target",
      "--address",
      "0xffffffffa000006d",
      "--json",
    ]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).selected).toMatchObject({
      objname: "lpt_target",
      name: "dupname",
      address: "0xffffffffa000006d",
      oldName: "dupname",
      oldSympos: 3,
      verified: true,
      warning: null,
    });
    const data = await run(["dupname", "--kallsyms", file, "--address", "ffffffffa0002004"]);
    expect(data.stdout).toMatch(/verified: resolving this pair reaches exactly this symbol/);
    expect(data.stdout).toMatch(
      /warning: the kernel will then refuse it: failed to find location for function 'dupname'/,
    );
    const hidden = join(K, "kallsyms-module-target-hidden.txt");
    const h = await run(["dupname", "--kallsyms", hidden, "--address", "ffffffffa0002004"]);
    expect(h.exitCode).toBe(2);
    expect(h.stderr).toMatch(/addresses are hidden .* --line/);
    const byLine = await run(["dupname", "--kallsyms", hidden, "--line", "15", "--json"]);
    expect(JSON.parse(byLine.stdout).selected).toMatchObject({ address: null, oldSympos: 3, verified: true });
  });

  test("stdin, module files, no candidates → exit 1", async () => {
    const text = readFileSync(join(K, "kallsyms-6.18-init_once.txt"), "utf8");
    const r = await run(["proc_reg_open", "--kallsyms", "-"], text);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/1 candidate\(s\)/);
    const none = await run(["no_such_fn", "--kallsyms", "-"], text);
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toMatch(/no symbol compares equal to 'no_such_fn'/);
    const ko = await run(["dupname", "--module-file", join(K, "module", "lpf-target.ko"), "--json"]);
    expect(JSON.parse(ko.stdout).candidates.map((c: { type: string }) => c.type)).toEqual(["d", "t"]);
  });

  test("--module-init: a module loading after the patch still has its init symbols", async () => {
    const ko = join(K, "module", "lpf-target.ko");
    const core = await run(["lpf_init", "--module-file", ko]);
    expect(core.exitCode).toBe(1);
    const init = await run(["lpf_init", "--module-file", ko, "--module-init", "--json"]);
    expect(init.exitCode).toBe(0);
    expect(JSON.parse(init.stdout).candidates).toEqual([
      expect.objectContaining({
        objname: "lpf_target",
        oldName: "lpf_init",
        oldSympos: 0,
        address: null,
        file: "a.c",
      }),
    ]);
  });

  test("--vmlinux and --system-map are symbol sources too", async () => {
    const dir = join(K, "vmlinux");
    const v = await run(["init_once", "--vmlinux", join(dir, "vmlinux"), "--json"]);
    expect(v.exitCode).toBe(0);
    const out = JSON.parse(v.stdout);
    expect(out.source).toMatch(/^vmlinux /);
    expect(
      out.candidates.map((c: { file: string; size: number; oldSympos: number }) => [
        c.file,
        c.size,
        c.oldSympos,
      ]),
    ).toEqual([
      ["a.c", 18, 1],
      ["b.c", 11, 2],
    ]);
    const m = await run(["type_show", "--system-map", join(K, "system-map-6.12-type_show.txt"), "--json"]);
    expect(JSON.parse(m.stdout).candidates).toHaveLength(18);
  });

  test("bad input: one line naming file and line, exit 2; --lenient skips with a count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klp-sympos-"));
    const bad = join(dir, "kallsyms");
    writeFileSync(
      bad,
      "ffffffff81000000 T _stext\nffffffff81000010 t foo\r\nzzzz t bar\nffffffff81000020 t foo\n",
    );
    const r = await run(["foo", "--kallsyms", bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`klpmatch: ${bad}: line 2: CRLF line ending (carriage return before the newline)`);
    expect(r.stdout).toBe("");
    const lenient = await run(["foo", "--kallsyms", bad, "--lenient"]);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stdout).toMatch(/--lenient: skipped 2 malformed line\(s\) \(first: line 2: CRLF/);
    const missing = await run(["foo", "--kallsyms", join(dir, "nope")]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/nope: no such file or directory/);
    const noSource = await run(["foo"]);
    expect(noSource.exitCode).toBe(2);
    const badRule = await run(["foo", "--kallsyms", bad, "--lenient", "--rule", "fuzzy"]);
    expect(badRule.exitCode).toBe(2);
    const badAddr = await run(["foo", "--kallsyms", bad, "--lenient", "--address", "xyz"]);
    expect(badAddr.stderr).toMatch(/--address: not a hexadecimal address/);
    expect(badAddr.exitCode).toBe(2);
  });
});
