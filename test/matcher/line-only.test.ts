// The __LINE__ filter per arch on hand-assembled instruction sequences: a load-immediate into an
// argument register, then string/once-flag relocations, then a WARN/might_sleep-style call.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ElfSymbol } from "../../elf/types.js";
import type { DiffArch } from "../../matcher/arch/index.js";
import { isLineMacroFunction, isLineOnlyChange, type LineOnlyInput } from "../../matcher/line-only.js";
import type { RelocTarget } from "../../matcher/object-model.js";

const symbol = (name: string): RelocTarget => ({ kind: "symbol", symbol: { name } as ElfSymbol });
const text: RelocTarget = { kind: "string", text: "fs/inode.c" };

function le32(...words: number[]): number[] {
  return words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff]);
}

function input(
  arch: DiffArch,
  orig: number[],
  patched: number[],
  relocations: LineOnlyInput["relocations"],
  ranges: [number, number][],
  endianness: "little" | "big" = "little",
): LineOnlyInput {
  return {
    arch,
    endianness,
    orig: Uint8Array.from(orig),
    patched: Uint8Array.from(patched),
    relocations,
    ranges,
  };
}

describe("x86-64", () => {
  // mov $300,%esi ; mov $.LC0,%rdi ; call __might_sleep
  const seq = (line: number, movOpcode = 0xbe): number[] => [
    movOpcode,
    line & 0xff,
    line >> 8,
    0,
    0,
    0x48,
    0xc7,
    0xc7,
    0,
    0,
    0,
    0,
    0xe8,
    0,
    0,
    0,
    0,
  ];
  const relocs = (callee: string): LineOnlyInput["relocations"] => [
    { offset: 8, typeName: "R_X86_64_32S", target: text },
    { offset: 13, typeName: "R_X86_64_PLT32", target: symbol(callee) },
  ];

  it("a shifted line in %esi before __might_sleep is line-only", () => {
    expect(isLineOnlyChange(input("x86_64", seq(300), seq(301), relocs("__might_sleep"), [[1, 2]]))).toBe(
      true,
    );
  });

  it("two shifted immediates side by side (line in %edx, another in %esi) are both excused", () => {
    // mov $l1,%esi ; mov $l2,%edx ; call __warn_printk
    const two = (l: number): number[] => [
      0xbe,
      l & 0xff,
      l >> 8,
      0,
      0,
      0xba,
      (l + 9) & 0xff,
      (l + 9) >> 8,
      0,
      0,
      0xe8,
      0,
      0,
      0,
      0,
    ];
    const r: LineOnlyInput["relocations"] = [
      { offset: 11, typeName: "R_X86_64_PLT32", target: symbol("__warn_printk") },
    ];
    expect(
      isLineOnlyChange(
        input("x86_64", two(300), two(301), r, [
          [1, 2],
          [6, 7],
        ]),
      ),
    ).toBe(true);
  });

  it("the same immediate before an ordinary call is a change", () => {
    expect(isLineOnlyChange(input("x86_64", seq(300), seq(301), relocs("kmalloc"), [[1, 2]]))).toBe(false);
  });

  it("an immediate in %edi (the first argument: file or format) is a change", () => {
    expect(
      isLineOnlyChange(input("x86_64", seq(300, 0xbf), seq(301, 0xbf), relocs("__might_sleep"), [[1, 2]])),
    ).toBe(false);
  });

  it("a difference outside the immediate is a change", () => {
    const patched = seq(300);
    patched[7] = 0xc6;
    expect(isLineOnlyChange(input("x86_64", seq(300), patched, relocs("__might_sleep"), [[7, 8]]))).toBe(
      false,
    );
  });

  it("another relocation between the immediate and the helper (not a string or once-flag) is a change", () => {
    const r: LineOnlyInput["relocations"] = [
      { offset: 8, typeName: "R_X86_64_32S", target: symbol("some_table") },
      { offset: 13, typeName: "R_X86_64_PLT32", target: symbol("__warn_printk") },
    ];
    expect(isLineOnlyChange(input("x86_64", seq(300), seq(301), r, [[1, 2]]))).toBe(false);
  });
});

describe("ppc64le / arm64 / LoongArch / s390x", () => {
  it("ppc64le: li r4,N before bl __warn_printk", () => {
    const li = (reg: number, n: number): number => ((14 << 26) | (reg << 21) | n) >>> 0;
    const bl = 0x48000001;
    const relocs: LineOnlyInput["relocations"] = [
      { offset: 4, typeName: "R_PPC64_REL24", target: symbol("__warn_printk") },
    ];
    expect(
      isLineOnlyChange(input("ppc64", le32(li(4, 300), bl), le32(li(4, 301), bl), relocs, [[0, 1]])),
    ).toBe(true);
    // r3 is the first argument: not a line number.
    expect(
      isLineOnlyChange(input("ppc64", le32(li(3, 300), bl), le32(li(3, 301), bl), relocs, [[0, 1]])),
    ).toBe(false);
  });

  it("arm64: movz w1,#N before bl __might_sleep", () => {
    const movz = (reg: number, n: number): number => (0x52800000 | (n << 5) | reg) >>> 0;
    const bl = 0x94000000;
    const relocs: LineOnlyInput["relocations"] = [
      { offset: 4, typeName: "R_AARCH64_CALL26", target: symbol("__might_sleep") },
    ];
    expect(
      isLineOnlyChange(input("aarch64", le32(movz(1, 300), bl), le32(movz(1, 301), bl), relocs, [[0, 1]])),
    ).toBe(true);
    expect(
      isLineOnlyChange(input("aarch64", le32(movz(0, 300), bl), le32(movz(0, 301), bl), relocs, [[0, 1]])),
    ).toBe(false);
  });

  it("LoongArch: addi.w a1,$zero,N before bl printk", () => {
    const addiw = (rd: number, n: number): number => ((0x00a << 22) | (n << 10) | rd) >>> 0;
    const bl = 0x54000000;
    const relocs: LineOnlyInput["relocations"] = [
      { offset: 4, typeName: "R_LARCH_B26", target: symbol("_printk") },
    ];
    expect(
      isLineOnlyChange(
        input("loongarch", le32(addiw(5, 300), bl), le32(addiw(5, 301), bl), relocs, [[1, 2]]),
      ),
    ).toBe(true);
    expect(
      isLineOnlyChange(
        input("loongarch", le32(addiw(4, 300), bl), le32(addiw(4, 301), bl), relocs, [[1, 2]]),
      ),
    ).toBe(false);
  });

  it("s390x: lghi %r3,N before brasl __warn_printk (big-endian, variable-length)", () => {
    const lghi = (reg: number, n: number): number[] => [0xa7, (reg << 4) | 9, n >> 8, n & 0xff];
    const brasl = [0xc0, 0xe5, 0, 0, 0, 0];
    const relocs: LineOnlyInput["relocations"] = [
      { offset: 6, typeName: "R_390_PLT32DBL", target: symbol("__warn_printk") },
    ];
    const at = (reg: number, n: number): number[] => [...lghi(reg, n), ...brasl];
    expect(isLineOnlyChange(input("s390", at(3, 300), at(3, 301), relocs, [[3, 4]], "big"))).toBe(true);
    expect(isLineOnlyChange(input("s390", at(2, 300), at(2, 301), relocs, [[3, 4]], "big"))).toBe(false);
  });
});

describe("the helper family", () => {
  it("names kpatch's WARN/might_sleep/printk helpers, with ThinLTO hashes ignored", () => {
    for (const n of [
      "__warn_printk",
      "warn_slowpath_fmt",
      "__might_sleep",
      "__might_fault",
      "_printk",
      "lockdep_rcu_suspicious",
    ])
      expect(isLineMacroFunction(n)).toBe(true);
    expect(isLineMacroFunction("__might_sleep.llvm.123")).toBe(true);
    for (const n of ["kmalloc", "printk_deferred_enter", "warn"]) expect(isLineMacroFunction(n)).toBe(false);
  });

  it("without a relocation to such a helper, no difference is ever excused (any arch, any bytes)", () => {
    const arches: DiffArch[] = ["x86_64", "ppc64", "s390", "aarch64", "loongarch"];
    fc.assert(
      fc.property(
        fc.constantFrom(...arches),
        fc.uint8Array({ minLength: 8, maxLength: 48 }),
        fc.uint8Array({ minLength: 8, maxLength: 48 }),
        fc.array(fc.tuple(fc.nat(40), fc.constantFrom("kmalloc", "memcpy", "helper.isra.0")), {
          maxLength: 4,
        }),
        fc.nat(40),
        (arch, a, b, rel, from) => {
          const n = Math.min(a.length, b.length);
          const lo = Math.min(from, n - 1);
          const relocations = rel.map(([offset, name]) => ({
            offset,
            typeName: "R_X86_64_PLT32",
            target: symbol(name),
          }));
          return !isLineOnlyChange({
            arch,
            endianness: "little",
            orig: a.subarray(0, n),
            patched: b.subarray(0, n),
            relocations,
            ranges: [[lo, lo + 1]],
          });
        },
      ),
    );
  });
});
