// A vmlinux ELF beside a kallsyms shifted by one offset (KASLR): the offset is measured on unique
// text symbols and the ELF's name@address keys move by it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { alignVmlinux, shiftKeys } from "../../lib/vmlinux-alignment.js";
import { fileBlocks } from "../../matcher/evidence/index.js";
import { FIXTURES } from "../paths.js";

const G = join(FIXTURES, "match", "gcc");

async function table(offset: bigint) {
  const text = await readFile(join(G, "kallsyms.txt"), "utf8");
  const moved = text.replace(
    /^([0-9a-f]+) /gm,
    (_, a: string) => `${(BigInt(`0x${a}`) + offset).toString(16).padStart(16, "0")} `,
  );
  return parseSymbolText(Buffer.from(moved), "ks.txt", "kallsyms");
}

describe("alignVmlinux", () => {
  it("measures the shift on unique text symbols", async () => {
    const elf = await readElfFile(join(G, "prog"));
    const a = alignVmlinux(await table(0x200000n), elf, "prog");
    expect(a.offset).toBe(0x200000n);
    expect(a.agreeing).toBe(a.compared);
    expect(a.compared).toBeGreaterThan(3);
    expect((await table(0n)).source.kind).toBe("kallsyms");
    expect(alignVmlinux(await table(0n), elf, "prog").offset).toBe(0n);
  });

  it("moves the file blocks' keys by the offset", async () => {
    const elf = await readElfFile(join(G, "prog"));
    const blocks = fileBlocks(elf);
    const moved = shiftKeys(blocks, 0x200000n);
    expect(moved.size).toBe(blocks.size);
    const [key, block] = [...blocks][0]!;
    const at = key.lastIndexOf("@");
    const target = `${key.slice(0, at)}@${(BigInt(`0x${key.slice(at + 1)}`) + 0x200000n).toString(16)}`;
    expect(moved.get(target)).toBe(block);
    expect(shiftKeys(blocks, 0n)).toBe(blocks);
  });
});
