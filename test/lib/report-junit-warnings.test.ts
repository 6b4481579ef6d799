// match --format junit keeps the flags below --fail-on (issue 12 item 4): BUILD_MISMATCH at warning
// (a ThinLTO hash the kernel does not carry) was dropped from the testcase before.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderMatchReport } from "../../lib/report/match-render.js";
import { matchPatch } from "../../pipeline/match.js";
import { FIXTURES } from "../paths.js";

const M = join(FIXTURES, "match");

describe("match junit: warnings kept", () => {
  it("a BUILD_MISMATCH warning on a function is in its testcase's <system-out>, not a failure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klpmatch-junit-"));
    const kallsyms = join(dir, "kallsyms.txt");
    const table = readFileSync(join(M, "clang/kallsyms.txt"), "utf8");
    writeFileSync(
      kallsyms,
      table.replace(/helper\.llvm\.\d+/g, (m) => `${m}0`),
    );
    const report = await matchPatch({
      orig: join(M, "clang/orig/a.o"),
      patched: join(M, "clang/patched/a.o"),
      kallsyms,
    });
    const fn = report.objects[0]!.functions.find((f) => f.name.startsWith("helper.llvm."))!;
    const warning = fn.flags.find((f) => f.code === "BUILD_MISMATCH")!;
    expect(warning.severity).toBe("warning");
    const xml = renderMatchReport(report, "junit", { failOn: "error" });
    const testcase = new RegExp(
      `<testcase [^>]*name="${fn.name.replace(/\./g, "\\.")}">([\\s\\S]*?)</testcase>`,
    ).exec(xml);
    expect(testcase?.[1]).toContain("warning BUILD_MISMATCH: ");
    expect(testcase?.[1]).toMatch(/<system-out>/);
    expect(testcase?.[1]).not.toContain("<failure");
    // at --fail-on warning the same testcase fails on it
    const strict = renderMatchReport(report, "junit", { failOn: "warning" });
    const failing = new RegExp(
      `<testcase [^>]*name="${fn.name.replace(/\./g, "\\.")}">([\\s\\S]*?)</testcase>`,
    ).exec(strict);
    expect(failing?.[1]).toMatch(/<failure type="[A-Z_]+" message="[^"]*">[^<]*warning BUILD_MISMATCH: /);
  });
});
