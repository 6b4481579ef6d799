// The STT_FILE blocks a linked vmlinux.o gives the kernel's same-named symbols: the k-th copy in
// vmlinux.o's layout is the k-th by address only within one group of the linker script.
import { describe, expect, it } from "vitest";
import { EM_X86_64, SHF_ALLOC, SHF_EXECINSTR, SHT_PROGBITS } from "../../elf/constants.js";
import { readElf } from "../../elf/file.js";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { linkedFileBlocks } from "../../matcher/linked-blocks.js";
import { buildElf } from "../elf/elf-builder.js";

const LOCAL_FUNC = 0x02; // STB_LOCAL << 4 | STT_FUNC
const LOCAL_FILE = 0x04; // STB_LOCAL << 4 | STT_FILE
const text = (name: string) => ({
  name,
  type: SHT_PROGBITS,
  flags: SHF_ALLOC | SHF_EXECINSTR,
  data: new Uint8Array(64),
});

/** vmlinux.o with a.c's and b.c's static `helper`, in the sections given (1-based indexes). */
function linked(aSection: string, bSection: string) {
  const bytes = buildElf({
    class: 64,
    endianness: "little",
    machine: EM_X86_64,
    sections: [text(aSection), text(bSection)],
    symbols: [
      { name: "", shndx: 0, info: 0 },
      { name: "a.c", shndx: 0xfff1, info: LOCAL_FILE },
      { name: "helper", shndx: 1, info: LOCAL_FUNC, size: 16n },
      { name: "b.c", shndx: 0xfff1, info: LOCAL_FILE },
      { name: "helper", shndx: 2, info: LOCAL_FUNC, size: 16n },
    ],
  });
  return readElf(bytes, { path: "vmlinux.o" });
}

const kernel = parseSymbolText(
  Buffer.from("ffffffff81000000 t helper\nffffffff81000100 t other\nffffffff81000200 t helper\n"),
  "kallsyms",
  "kallsyms",
).objects.get("vmlinux")!;

describe("linkedFileBlocks", () => {
  it("copies in one group: the k-th in vmlinux.o's section order is the k-th by address", () => {
    const blocks = linkedFileBlocks(linked(".text.helper", ".text.helper"), kernel);
    expect(blocks.get("helper@ffffffff81000000")?.file).toBe("a.c");
    expect(blocks.get("helper@ffffffff81000200")?.file).toBe("b.c");
  });

  it("copies in different groups (hot and unlikely text, init text): no block, the order is not sure", () => {
    expect(linkedFileBlocks(linked(".text.unlikely.helper", ".text.helper"), kernel).size).toBe(0);
    expect(linkedFileBlocks(linked(".text.helper", ".init.text"), kernel).size).toBe(0);
    expect(linkedFileBlocks(linked(".text.hot.helper", ".text.unlikely.helper"), kernel).size).toBe(0);
  });
});
