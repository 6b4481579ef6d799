// The -ffunction-sections slack of an orig function: its relocated long jumps (x86-64 jmp/jcc rel32)
// that the kernel's own build may have as short jumps.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { branchSlack } from "../../matcher/size-slack.js";
import { FIXTURES } from "../paths.js";

describe("branchSlack", () => {
  it("counts 3 bytes for a relocated tail jmp, nothing for calls", async () => {
    const elf = await readElfFile(join(FIXTURES, "kpatch-tree/orig/drivers/m1/m1main.o"));
    // m1_entry ends in `jmp dupname` (a sibling call), dupname calls m1_util
    expect(branchSlack(elf, "m1_entry")).toBe(3n);
    expect(branchSlack(elf, "dupname")).toBe(0n);
    expect(branchSlack(elf, "no_such_function")).toBe(0n);
  });

  it("is 0 on fixed-width instruction sets", async () => {
    const elf = await readElfFile(join(FIXTURES, "kpatch-macros/aarch64/gcc/orig/syscall.o"));
    expect(elf.header.machineName).toBe("aarch64");
    for (const s of elf.symbols()) if (s.type === 2) expect(branchSlack(elf, s.name)).toBe(0n);
  });
});
