// The target kernel's architecture from its ELF e_machine, its entry symbols or its text addresses,
// and objects of another machine refused.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { checkKernelElves, checkObjectArch, kernelArch } from "../../lib/kernel-arch.js";
import { FIXTURES } from "../paths.js";

function table(text: string) {
  return parseSymbolText(Buffer.from(text), "ks.txt", "kallsyms");
}

const MACROS = join(FIXTURES, "kpatch-macros");

describe("kernelArch", () => {
  it("names the entry symbols an architecture's kallsyms has", () => {
    const cases: [string, string, string][] = [
      [
        "ffffffff81000000 T startup_64\nffffffff81e00000 T entry_SYSCALL_64\n",
        "x86_64",
        "startup_64, entry_SYSCALL_64",
      ],
      [
        "ffff800080010000 T __primary_switch\nffff800080011000 T el1h_64_sync\n",
        "aarch64",
        "__primary_switch, el1h_64_sync",
      ],
      [
        "c000000000000000 T __start_interrupts\nc000000000010000 T system_call_common\n",
        "ppc64",
        "system_call_common, __start_interrupts",
      ],
      ["0000000000100000 T pgm_check_handler\n", "s390", "pgm_check_handler"],
      [
        "9000000000200000 T kernel_entry\n9000000000210000 T handle_syscall\n",
        "loongarch",
        "handle_syscall, kernel_entry",
      ],
      ["ffffffff81000000 t __pfx_do_one\nffffffff81000010 t do_one\n", "x86_64", "__pfx_ symbols"],
    ];
    for (const [text, name, from] of cases) {
      const arch = kernelArch(table(text), []);
      expect(arch?.name).toBe(name);
      expect(arch?.from).toBe(`kallsyms ks.txt: ${from}`);
    }
  });

  it("falls back to the text address range, and to nothing for a user program's table", () => {
    expect(kernelArch(table("ffff800080010000 T some_func\n"), [])?.from).toBe(
      "kallsyms ks.txt: text at 0xffff800080010000",
    );
    expect(kernelArch(table("ffff800080010000 T some_func\n"), [])?.name).toBe("aarch64");
    expect(kernelArch(table("0000000000401000 T main\n"), [])).toBeNull();
  });

  it("an ELF's e_machine wins over the names", async () => {
    const elf = await readElfFile(join(MACROS, "aarch64/gcc/orig/ignore-function.o"));
    const arch = kernelArch(table("ffffffff81000000 T startup_64\n"), [{ path: "vmlinux", elf }]);
    expect(arch).toEqual({ machine: 183, name: "aarch64", from: "vmlinux e_machine" });
  });
});

describe("checkObjectArch", () => {
  it("refuses an object of another machine, naming both", async () => {
    const arm = await readElfFile(join(MACROS, "aarch64/gcc/orig/ignore-function.o"));
    const x86 = await readElfFile(join(MACROS, "x86_64/gcc/orig/ignore-function.o"));
    const arch = kernelArch(table("ffffffff81000000 T startup_64\n"), []);
    expect(() => checkObjectArch(arch, "a.o", arm)).toThrow(
      "a.o: aarch64 object, but the kernel is x86_64 (from kallsyms ks.txt: startup_64): wrong architecture",
    );
    expect(() => checkObjectArch(arch, "b.o", x86)).not.toThrow();
    expect(() => checkObjectArch(null, "a.o", arm)).not.toThrow();
    expect(() =>
      checkKernelElves([
        { path: "vmlinux", elf: x86 },
        { path: "m.ko", elf: arm },
      ]),
    ).toThrow("m.ko: aarch64 ELF, but vmlinux is x86_64: wrong architecture");
  });
});
