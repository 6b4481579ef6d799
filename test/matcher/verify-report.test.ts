// The verify report: every flag raised is a documented code at its documented severity, and each
// format keeps hostile names from breaking its syntax.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readElf, readElfFile } from "../../elf/index.js";
import type { Flag } from "../../lib/flags.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import type { KernelTable } from "../../lib/kernel-table.js";
import { type LivepatchTargets, parseTargetList, readLivepatchTargets } from "../../lib/livepatch/index.js";
import { flagCodeInfo, severitiesOf } from "../../lib/report/flag-codes.js";
import { renderVerifyReport } from "../../lib/report/verify-render.js";
import { buildVerifyReport, verifyFails } from "../../lib/report/verify-report.js";
import { chooseRule } from "../../lib/rules.js";
import { type ModuleFileFacts, moduleFileFacts, verifyTargets } from "../../matcher/verify/index.js";
import { FIXTURES } from "../paths.js";

const DIR = join(FIXTURES, "verify");
let table: KernelTable;
let nomod: KernelTable;
let facts: ModuleFileFacts;

beforeAll(async () => {
  table = await loadKernelSymbols({ kallsyms: join(DIR, "kallsyms.txt") });
  nomod = await loadKernelSymbols({ kallsyms: join(DIR, "kallsyms-nomod.txt") });
  facts = moduleFileFacts(await readElfFile(join(DIR, "fxt_target.ko")));
});

function lp(name: string): LivepatchTargets {
  return readLivepatchTargets(readElf(new Uint8Array(readFileSync(join(DIR, name))), { path: name }));
}

function report(targets: LivepatchTargets, t: KernelTable = table, modules: ModuleFileFacts[] = [facts]) {
  const result = verifyTargets(targets, { table: t, choice: chooseRule(t, {}), modules });
  return buildVerifyReport(result, targets, t, []);
}

describe("flag codes", () => {
  it("every flag raised on the fixtures is documented, at a documented severity", () => {
    const seen: Flag[] = [];
    for (const name of [
      "lp_api.ko",
      "lp_api32.o",
      "lp_klpsym.ko",
      "lp_kpatch.ko",
      "lp_klpbuild.ko",
      "fxt_target.ko",
    ]) {
      for (const t of [table, nomod]) {
        for (const modules of [[], [facts]]) {
          const r = report(lp(name), t, modules);
          seen.push(...r.flags, ...r.targets.flatMap((x) => x.flags));
        }
      }
    }
    const lists = parseTargetList(
      "l.tsv",
      "vmlinux fxt_percpu_clash 1\nvmlinux fxt_unique 0\nvmlinux fxt_unique 1\nvmlinux fxt_init_fn 0\n",
    );
    const r = report(lists);
    seen.push(...r.flags, ...r.targets.flatMap((x) => x.flags));
    const codes = new Set(seen.map((f) => f.code));
    for (const f of seen) {
      const doc = flagCodeInfo(f.code);
      expect(doc, f.code).toBeDefined();
      expect(doc!.raisedBy, f.code).toContain("verify");
      expect(severitiesOf(doc!), f.code).toContain(f.severity);
    }
    // the fixtures exercise most of the table
    for (const code of [
      "POSITION_NOT_FOUND",
      "NOT_FOUND",
      "FTRACE_REFUSED",
      "SIZE_LOOKUP_FAILED",
      "DUPLICATE_TARGET",
      "NOT_LOADED",
      "INIT_SYMBOL_HAZARD",
      "SYMPOS_ONE_UNIQUE",
      "NO_TARGETS",
    ]) {
      expect(codes.has(code), code).toBe(true);
    }
  });
});

describe("rendering", () => {
  const hostile = () =>
    parseTargetList("l.json", JSON.stringify([{ objname: "vmlinux", name: "a|b<c>&%0A`x`", sympos: 0 }]));

  it("JSON holds the fields the issue names, addresses as 0x strings", () => {
    const json = JSON.parse(renderVerifyReport(report(lp("lp_api.ko")), "json", "error"));
    const t = json.targets[1];
    expect(Object.keys(t)).toEqual(
      expect.arrayContaining([
        "objname",
        "oldName",
        "oldSympos",
        "origin",
        "outcome",
        "address",
        "kernelMessage",
        "flags",
      ]),
    );
    expect(t.address).toBe("0x401190");
    expect(json.rule).toEqual({
      assumed: false,
      name: "exact",
      why: expect.stringContaining("not clang LTO"),
    });
    expect(json.schemaVersion).toBe(1);
    expect(json.tool).toMatchObject({ name: "klpmatch", command: "verify" });
  });

  it("escapes names in markdown, JUnit and GitHub annotations", () => {
    const r = report(hostile());
    const md = renderVerifyReport(r, "markdown", "error");
    expect(md).toContain("a\\|b<c>&%0A`x`");
    const junit = renderVerifyReport(r, "junit", "error");
    expect(junit).toContain('name="vmlinux:a|b&lt;c&gt;&amp;%0A`x`,0"');
    expect(junit).not.toContain("<c>");
    const gh = renderVerifyReport(r, "github", "error");
    const line = gh.split("\n")[0]!;
    expect(
      line.startsWith("::error file=l.json,title=klpmatch verify NOT_FOUND vmlinux%3Aa|b<c>&%250A`x`%2C0::"),
    ).toBe(true);
  });

  it("--fail-on gates on severity", () => {
    const warnOnly = report(parseTargetList("l.tsv", "fxt_target fxt_dup 1\n"), nomod, []);
    expect(warnOnly.summary.worst).toBe("warning");
    expect(verifyFails(warnOnly, "error")).toBe(false);
    expect(verifyFails(warnOnly, "warning")).toBe(true);
    expect(verifyFails(warnOnly, "none")).toBe(false);
    const text = renderVerifyReport(warnOnly, "text", "error");
    expect(text).toContain("fxt_target  fxt_dup  1       list    not-loaded");
    expect(text).toContain("fxt_target not loaded: resolved when loaded");
  });
});
