// The clang-LTO era messages: a full .llvm. name the 6.5.1–6.10.6 rule never matches is said to be
// that rule's doing (not a rebuilt kernel), and the assumed-rule warning is raised only where the
// rule applies — vmlinux, not module symbols, which always compare exactly.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { parseTargetList } from "../../lib/livepatch/index.js";
import { chooseRule } from "../../lib/rules.js";
import { verifyTargets } from "../../matcher/verify/verify-targets.js";
import { matchPatch } from "../../pipeline/match.js";
import { FIXTURES } from "../paths.js";

const LTO = `ffffffff81000000 T _stext
ffffffff81000100 t m_start.llvm.542612574486284820
ffffffff81000200 t m_start.llvm.111
ffffffff81000300 t other
ffffffffa0000000 t modfn	[some_mod]
`;
const table = parseSymbolText(Buffer.from(LTO), "kallsyms", "kallsyms");
const list = (tsv: string) => parseTargetList("t.tsv", tsv);

describe("era messages", () => {
  it("6.8 (llvm-stripped): the very name is in the kernel, the rule never matches it — not KERNEL_REBUILT", () => {
    const r = verifyTargets(list("vmlinux m_start.llvm.542612574486284820 0\n"), {
      table,
      choice: chooseRule(table, { kernel: "6.8" }),
    });
    const v = r.verdicts[0]!;
    expect(v.outcome).toBe("not-found");
    const codes = v.flags.map((f) => f.code);
    expect(codes).toContain("LLVM_NAME_NEVER_MATCHES");
    expect(codes).not.toContain("KERNEL_REBUILT");
    const msg = v.flags.find((f) => f.code === "LLVM_NAME_NEVER_MATCHES")!.message;
    expect(msg).toContain("llvm-stripped rule (clang LTO 6.5.1 – 6.10.6)");
    expect(msg).toContain("give old_name 'm_start' with old_sympos 1 (2 symbol(s) strip to 'm_start')");
    expect(msg).not.toMatch(/but 'm_start\.llvm\.542612574486284820' is: the ThinLTO hash differs/);
  });

  it("a hash the kernel no longer has is still KERNEL_REBUILT", () => {
    const r = verifyTargets(list("vmlinux m_start.llvm.999 0\n"), {
      table,
      choice: chooseRule(table, { kernel: "6.8" }),
    });
    expect(r.verdicts[0]!.flags.map((f) => f.code)).toContain("KERNEL_REBUILT");
  });

  it("verify: LTO_RULE_ASSUMED only when a target is in vmlinux", () => {
    const choice = chooseRule(table, {});
    expect(choice.assumed).toBe(true);
    const mod = verifyTargets(list("some_mod modfn 0\n"), { table, choice });
    expect(mod.flags.map((f) => f.code)).not.toContain("LTO_RULE_ASSUMED");
    const vm = verifyTargets(list("vmlinux other 0\nsome_mod modfn 0\n"), { table, choice });
    expect(vm.flags.map((f) => f.code)).toContain("LTO_RULE_ASSUMED");
  });

  it("match: LTO_RULE_ASSUMED not raised for an object matched against a module", async () => {
    const M = join(FIXTURES, "match");
    const report = await matchPatch({
      orig: join(M, "clang/orig/a.o"),
      patched: join(M, "clang/patched/a.o"),
      kallsyms: join(M, "clang/kallsyms.txt"),
      objname: "some_mod",
    });
    expect(report.flags.map((f) => f.code)).not.toContain("LTO_RULE_ASSUMED");
    const vmlinux = await matchPatch({
      orig: join(M, "clang/orig/a.o"),
      patched: join(M, "clang/patched/a.o"),
      kallsyms: join(M, "clang/kallsyms.txt"),
    });
    expect(vmlinux.flags.map((f) => f.code)).toContain("LTO_RULE_ASSUMED");
  });
});
