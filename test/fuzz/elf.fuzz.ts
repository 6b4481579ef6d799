// Fuzz: the ELF reader, the vmlinux and module symbol loaders, and the diff step, on mutated
// fixture objects (in-process, seeded: FUZZ_SEED, FUZZ_CASES).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { readElf } from "../../elf/index.js";
import { decompress } from "../../elf/read-file.js";
import { moduleSymbolLists } from "../../lib/module-symbols.js";
import { kallsymsSymbols, nmSymbols, systemMapSymbols } from "../../lib/vmlinux-symbols.js";
import { diffObjects } from "../../matcher/diff.js";
import { readEverything } from "../elf/read-everything.js";
import { FIXTURES } from "../paths.js";
import { expectClean, fuzz } from "./harness.js";
import { mutateBytes } from "./mutate.js";

const bytesOf = (...parts: string[]) => new Uint8Array(readFileSync(join(FIXTURES, ...parts)));

const OBJECTS = [
  bytesOf("elf", "sample-x86_64.o"),
  bytesOf("elf", "sample-aarch64.o"),
  bytesOf("elf", "sample-s390x.o"),
  bytesOf("elf", "sample-powerpc64le.o"),
  bytesOf("elf", "sample-i386.o"),
  bytesOf("elf", "sample-signed.ko"),
  bytesOf("match", "gcc", "orig", "a.o"),
];
const MODULES = [
  bytesOf("verify", "fxt_target.ko"),
  bytesOf("match", "module", "fixmod.ko"),
  bytesOf("kernel", "module", "lpf-target.ko"),
];
const VMLINUX = [bytesOf("verify", "fxt_vmlinux")];
const PAIR = [bytesOf("diff", "gcc", "data.orig.o"), bytesOf("diff", "gcc", "data.patched.o")] as const;

describe("fuzz: ELF inputs", () => {
  it("the ELF reader reads every part of a mutated object or fails with ElfFormatError", async () => {
    const tally = await fuzz("elf", (r) => {
      const outcome = readEverything(mutateBytes(r, r.pick(OBJECTS)));
      if (!outcome.ok) throw outcome.error;
    });
    expectClean("elf", tally);
  });

  it("the module and vmlinux loaders, on mutated .ko and vmlinux files", async () => {
    const tally = await fuzz("loaders", async (r, i) => {
      if (i % 2 === 0) {
        const elf = readElf(await decompress("m.ko", mutateBytes(r, r.pick(MODULES))), { path: "m.ko" });
        const lists = moduleSymbolLists(elf);
        return lists.core.length + lists.init.length;
      }
      const elf = readElf(mutateBytes(r, r.pick(VMLINUX)), { path: "vmlinux" });
      return kallsymsSymbols(systemMapSymbols(nmSymbols(elf))).length;
    });
    expectClean("loaders", tally);
  });

  it("the diff step, on an orig object against a mutated patched one", async () => {
    const orig = readElf(PAIR[0], { path: "orig.o" });
    const tally = await fuzz("diff", (r) => {
      const mutated = readElf(mutateBytes(r, r.next() < 0.5 ? PAIR[1] : PAIR[0]), { path: "patched.o" });
      return r.next() < 0.5 ? diffObjects(orig, mutated) : diffObjects(mutated, orig);
    });
    expectClean("diff", tally);
  });
});
