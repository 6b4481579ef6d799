// Files that are not ELF say what they are: the bitcode objects of a clang LTO build, thin and plain
// ar archives, each with what to give instead.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ElfFormatError, fileKind, readElfFile } from "../../elf/index.js";
import { FIXTURES } from "../paths.js";

const CLANG = join(FIXTURES, "kbuild", "clang", "orig");
const GCC = join(FIXTURES, "kbuild", "gcc", "orig");

async function reasonOf(path: string): Promise<string> {
  try {
    await readElfFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ElfFormatError);
    return (error as ElfFormatError).message;
  }
  throw new Error(`${path} read as ELF`);
}

describe("fileKind", () => {
  it("tells the kinds kbuild leaves in a build directory apart by their first bytes", async () => {
    expect(fileKind(await readFile(join(CLANG, "kernel", "alpha.o")))).toBe("llvm-bitcode");
    expect(fileKind(await readFile(join(CLANG, "vmlinux.o")))).toBe("elf");
    expect(fileKind(await readFile(join(GCC, "vmlinux.a")))).toBe("thin-archive");
    expect(
      fileKind(Buffer.from("!<arch>\n/               0           0     0     644     4         `\n")),
    ).toBe("ar-archive");
    // llvm/docs/BitCodeFormat.rst: the wrapper's magic 0x0B17C0DE, little-endian
    expect(fileKind(Uint8Array.of(0xde, 0xc0, 0x17, 0x0b, 0, 0, 0, 0))).toBe("llvm-bitcode-wrapper");
    expect(fileKind(Buffer.from("hello"))).toBe("other");
  });
});

describe("reading a file that is not ELF", () => {
  it("names a bitcode object as such and what to give instead", async () => {
    const path = join(CLANG, "kernel", "alpha.o");
    const message = await reasonOf(path);
    expect(message.startsWith(`${path}: LLVM bitcode, not ELF`)).toBe(true);
    expect(message).toContain("vmlinux.o");
    expect(message).toContain("<mod>.o");
    expect(message).toContain("--orig DIR --patched DIR");
  });

  it("names a thin archive as such", async () => {
    const path = join(GCC, "vmlinux.a");
    expect(await reasonOf(path)).toContain(`${path}: a thin archive`);
  });
});
