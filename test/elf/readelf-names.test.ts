// Names and layout checked against readelf on crafted files: every relocation type number of the
// supported machines, every st_info / st_other value, reserved section indexes, wide sizes; ELF32 and
// ELF64, both byte orders.
import { describe, expect, it } from "vitest";
import { readElf } from "../../elf/index.js";
import { buildElf, type ElfSpec, type RelocationSpec, type SymbolSpec } from "./elf-builder.js";
import { firstDifference, ourRelocations, ourSymbolTables, readelf, tempFile } from "./readelf-tool.js";

const MACHINES = [
  { name: "x86_64", machine: 62, class: 64, endianness: "little", rela: true, maxType: 300 },
  { name: "i386", machine: 3, class: 32, endianness: "little", rela: false, maxType: 255 },
  { name: "aarch64", machine: 183, class: 64, endianness: "little", rela: true, maxType: 1100 },
  { name: "arm", machine: 40, class: 32, endianness: "little", rela: false, maxType: 255 },
  { name: "ppc64", machine: 21, class: 64, endianness: "big", rela: true, maxType: 300 },
  { name: "ppc64le", machine: 21, class: 64, endianness: "little", rela: true, maxType: 300 },
  { name: "ppc", machine: 20, class: 32, endianness: "big", rela: true, maxType: 255 },
  { name: "s390x", machine: 22, class: 64, endianness: "big", rela: true, maxType: 300 },
  { name: "loongarch64", machine: 258, class: 64, endianness: "little", rela: true, maxType: 300 },
  { name: "riscv64", machine: 243, class: 64, endianness: "little", rela: true, maxType: 300 },
  { name: "riscv32", machine: 243, class: 32, endianness: "little", rela: true, maxType: 255 },
] as const;

function textSection() {
  return { name: ".text", type: 1, flags: 6n, data: new Uint8Array(16), addralign: 4n };
}

async function compare(name: string, spec: ElfSpec, args: string[]) {
  const bytes = buildElf(spec);
  const path = tempFile(`${name}.o`, bytes);
  const file = readElf(bytes, { path });
  const ours = args[0] === "-sW" ? ourSymbolTables(file) : ourRelocations(file);
  const theirs = await readelf(args, path);
  expect(firstDifference(ours, theirs), name).toBeNull();
}

describe("relocation type names and -rW layout match readelf", () => {
  for (const m of MACHINES) {
    for (const rela of m.rela ? [true, false] : [false, true]) {
      it(`${m.name} ${rela ? "RELA" : "REL"}: every type 0..${m.maxType}`, async () => {
        const entries: RelocationSpec[] = [];
        for (let t = 0; t <= m.maxType; t++) {
          entries.push({ offset: BigInt(t * 4), type: t, symbol: 1 + (t % 3), addend: BigInt((t % 7) - 3) });
        }
        // Symbol 0 (no symbol), with and without addends, and a section symbol.
        entries.push({ offset: 8n, type: 1, symbol: 0, addend: 0x1830n });
        entries.push({ offset: 16n, type: 2, symbol: 0, addend: -8n });
        const spec: ElfSpec = {
          class: m.class,
          endianness: m.endianness,
          machine: m.machine,
          sections: [textSection()],
          symbols: [
            { name: "", shndx: 1, info: 0x03 },
            { name: "local_fn", shndx: 1, info: 0x02, value: 4n, size: 8n },
            { name: "global_fn", shndx: 1, info: 0x12, value: 0x10n, size: 4n },
          ],
          relocations: [{ target: 1, rela, entries }],
        };
        await compare(`${m.name}-${rela ? "rela" : "rel"}`, spec, ["-rW"]);
      });
    }
  }
});

describe("symbol fields and -sW layout match readelf", () => {
  for (const m of MACHINES) {
    for (const osabi of [0, 3, 9, 2]) {
      it(`${m.name} osabi ${osabi}: every st_info, st_other, reserved st_shndx, wide values`, async () => {
        const symbols: SymbolSpec[] = [];
        for (let info = 0; info < 256; info++) symbols.push({ name: `info_${info}`, info, shndx: 1 });
        for (let other = 0; other < 256; other++) symbols.push({ name: `other_${other}`, other, shndx: 1 });
        for (const shndx of [
          0, 1, 2, 3, 9, 0xfeff, 0xff00, 0xff01, 0xff02, 0xff1f, 0xff20, 0xff3f, 0xff40, 0xfff1, 0xfff2,
          0xfffe,
        ]) {
          symbols.push({ name: `shndx_${shndx}`, shndx });
          symbols.push({ name: "", shndx, info: 0x03 });
        }
        const max = m.class === 64 ? 0xffffffffffffffffn : 0xffffffffn;
        for (const size of [0n, 99999n, 100000n, 0xfffffn, max]) {
          symbols.push({ name: `size_${size}`, size, value: max - size, shndx: 1 });
        }
        symbols.push({ name: "ctrl\x01\x1fname", shndx: 1 });
        await compare(
          `${m.name}-syms-${osabi}`,
          {
            class: m.class,
            endianness: m.endianness,
            machine: m.machine,
            osabi,
            sections: [textSection(), { name: ".bss", type: 8, size: 64n, flags: 3n }],
            symbols,
          },
          ["-sW"],
        );
      });
    }
  }
});

describe("names readelf mangles are printed faithfully instead", () => {
  it("shows DEL as ^? and UTF-8 names unchanged (readelf prints a stray byte for both)", () => {
    const bytes = buildElf({
      class: 64,
      endianness: "little",
      machine: 62,
      sections: [textSection()],
      symbols: [
        { name: "del\x7f", shndx: 1 },
        { name: "utf8_\u00e9\u4e2d", shndx: 1 },
      ],
    });
    const file = readElf(bytes, { path: "names.o" });
    expect(file.symbols().map((s) => s.name)).toEqual(["", "del\x7f", "utf8_\u00e9\u4e2d"]);
    const text = ourSymbolTables(file);
    expect(text).toContain(" del^?\n");
    expect(text).toContain(" utf8_\u00e9\u4e2d\n");
  });
});
