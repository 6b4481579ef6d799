import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InputError } from "../../lib/input-error.js";
import { readKallsyms } from "../../lib/kallsyms.js";
import { chooseRule, ltoRuleFor, parseKernelVersion, RULES, ruleMatches } from "../../lib/rules.js";
import { FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kernel");

describe("the era table", () => {
  test.each([
    ["5.15.170", "exact"],
    ["6.1.0-56-amd64", "exact"],
    ["6.1.119", "exact"],
    ["6.2", "first-dot"],
    ["6.4.16", "first-dot"],
    ["6.5", "exact-or-llvm"],
    ["6.5.0", "exact-or-llvm"],
    ["6.5.1", "llvm-stripped"],
    ["6.8.0-45-generic", "llvm-stripped"],
    ["6.10.6", "llvm-stripped"],
    ["6.10.7", "exact"],
    ["6.11", "exact"],
    ["6.12.117+deb12-amd64", "exact"],
    ["v6.18.44", "exact"],
  ])("clang LTO %s compares %s", (version, rule) => {
    expect(ltoRuleFor(parseKernelVersion(version)!)).toBe(rule);
  });

  test("what each rule counts as equal, on real name shapes", () => {
    const promoted = "c_start.llvm.4068079621735001028";
    expect(ruleMatches("exact", promoted, "c_start")).toBe(false);
    expect(ruleMatches("first-dot", promoted, "c_start")).toBe(true);
    expect(ruleMatches("exact-or-llvm", promoted, "c_start")).toBe(true);
    expect(ruleMatches("llvm-stripped", promoted, "c_start")).toBe(true);
    // the full promoted name: found exactly, except where only cleaned names are compared
    expect(ruleMatches("exact", promoted, promoted)).toBe(true);
    expect(ruleMatches("exact-or-llvm", promoted, promoted)).toBe(true);
    expect(ruleMatches("llvm-stripped", promoted, promoted)).toBe(false);
    // clang static local func.var merges into func only when cutting at the first dot
    expect(ruleMatches("first-dot", "kthread.param", "kthread")).toBe(true);
    expect(ruleMatches("exact-or-llvm", "kthread.param", "kthread")).toBe(false);
    expect(ruleMatches("llvm-stripped", "kthread.param", "kthread")).toBe(false);
    expect(RULES["first-dot"].dottedQueryUnreliable).toBe(true);
    expect(RULES.exact.dottedQueryUnreliable).toBe(false);
  });
});

describe("chooseRule", () => {
  test("a non-LTO table is exact whatever the version", async () => {
    const table = await readKallsyms(join(K, "kallsyms-6.18-init_once.txt"));
    expect(chooseRule(table, {})).toMatchObject({ rule: "exact", assumed: false });
    expect(chooseRule(table, { kernel: "6.8" })).toMatchObject({ rule: "exact", assumed: false });
  });

  test("an LTO table follows --kernel, and without it exact is assumed and said so", async () => {
    const table = await readKallsyms(join(K, "kallsyms-clang-lto.txt"));
    const assumed = chooseRule(table, {});
    expect(assumed).toMatchObject({ rule: "exact", assumed: true });
    expect(assumed.why).toMatch(/give --kernel or --rule/);
    expect(chooseRule(table, { kernel: "6.3.13" })).toMatchObject({ rule: "first-dot", assumed: false });
    expect(chooseRule(table, { kernel: "6.9" }).why).toMatch(/6\.5\.1 – 6\.10\.6/);
    expect(chooseRule(table, { rule: "llvm-stripped" })).toMatchObject({
      rule: "llvm-stripped",
      assumed: false,
    });
  });

  test("bad --rule / --kernel are input errors", async () => {
    const table = await readKallsyms(join(K, "kallsyms-clang-lto.txt"));
    expect(() => chooseRule(table, { rule: "fuzzy" })).toThrow(InputError);
    expect(() => chooseRule(table, { rule: "fuzzy" })).toThrow(/unknown rule 'fuzzy'/);
    expect(() => chooseRule(table, { kernel: "linux" })).toThrow(/not a kernel version/);
    expect(() => chooseRule(table, { kernel: "6.8", rule: "exact" })).toThrow(/either --rule or --kernel/);
  });
});
