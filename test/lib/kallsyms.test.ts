import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it, test } from "vitest";
import { cachedElfReader } from "../../elf/index.js";
import { InputError } from "../../lib/input-error.js";
import { parseSymbolText, readKallsyms } from "../../lib/kallsyms.js";
import { loadKernelSymbols, sourceReaders } from "../../lib/kernel-symbols.js";
import { normalizeModuleName } from "../../lib/kernel-table.js";
import { readSystemMap } from "../../lib/system-map.js";
import { FIXTURES } from "../paths.js";

const K = join(FIXTURES, "kernel");

describe("/proc/kallsyms text", () => {
  test("6.18 sample: vmlinux in line order, init_once ×12 with their lines, ftrace pseudo-module dropped", async () => {
    const table = await readKallsyms(join(K, "kallsyms-6.18-init_once.txt"));
    expect(table.source).toEqual({ kind: "kallsyms", path: join(K, "kallsyms-6.18-init_once.txt") });
    expect([...table.objects.keys()]).toEqual(["vmlinux"]);
    const vmlinux = table.objects.get("vmlinux")!;
    expect(vmlinux.count).toBe(31);
    const positions = vmlinux.positionsOf("init_once");
    expect(positions).toHaveLength(12);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const first = vmlinux.at(positions[0]!);
    expect(first).toMatchObject({
      objname: "vmlinux",
      name: "init_once",
      type: "t",
      address: 0xffffffff816e47e0n,
    });
    // the __pfx_ stub sits on the line before its function, 16 bytes lower
    const pfx = vmlinux.at(first.position - 1);
    expect(pfx.name).toBe("__pfx_init_once");
    expect(pfx.line).toBe(first.line! - 1);
    expect(first.address! - pfx.address!).toBe(16n);
    expect(vmlinux.positionsOf("__pfx_init_once")).toHaveLength(12);
    expect(vmlinux.positionsOf("init_onc")).toEqual([]);
    expect(vmlinux.positionsOf("ftrace_trampoline")).toEqual([]);
    expect(table.notes.join("\n")).toMatch(/pseudo-module \[__builtin__ftrace\]/);
    expect(table.addressesHidden).toBe(false);
    expect(table.hasLlvmNames).toBe(false);
    // init text is told by the _sinittext/_einittext symbols: none of the sample's functions lie there
    expect(first.init).toBe(false);
  });

  test("module lines are grouped per module in their own line order", async () => {
    const table = await readKallsyms(join(K, "kallsyms-module-target.txt"));
    expect([...table.objects.keys()]).toEqual(["vmlinux", "lpt_target"]);
    const mod = table.objects.get("lpt_target")!;
    expect(mod.count).toBe(19);
    expect(mod.positionsOf("dupname")).toEqual([1, 3, 6]);
    expect(mod.positionsOf("dupname").map((p) => mod.typeAt(p))).toEqual(["d", "t", "t"]);
    // vmlinux's nofill copies are all in init text (freed after boot); modules' symbols are not
    const vmlinux = table.objects.get("vmlinux")!;
    expect(vmlinux.positionsOf("nofill").map((p) => vmlinux.at(p).init)).toEqual([true, true, true]);
    expect(vmlinux.at(vmlinux.positionsOf("proc_reg_open")[0]!).init).toBe(false);
    expect(mod.at(3).init).toBe(false);
    // symtab order, not address order: the second dupname lies below the first in memory
    expect(mod.at(3).address! < mod.at(1).address!).toBe(true);
    // vmlinux's own dupname-free list is separate
    expect(table.objects.get("vmlinux")!.positionsOf("dupname")).toEqual([]);
  });

  test("all-zero addresses: detected and noted, positions still right", async () => {
    const table = await readKallsyms(join(K, "kallsyms-module-target-hidden.txt"));
    expect(table.addressesHidden).toBe(true);
    expect(table.notes.join()).toMatch(/all addresses are zero/);
    const mod = table.objects.get("lpt_target")!;
    expect(mod.positionsOf("dupname")).toEqual([1, 3, 6]);
    expect(mod.at(1).address).toBeNull();
  });

  test("clang LTO sample: .llvm. names detected in vmlinux", async () => {
    const table = await readKallsyms(join(K, "kallsyms-clang-lto.txt"));
    expect(table.hasLlvmNames).toBe(true);
    // a .llvm. name only in a module does not make vmlinux LTO
    const modOnly = parseSymbolText(
      Buffer.from("ffffffff81000000 T _stext\nffffffffa0000000 t f.llvm.1\t[m]\n"),
      "x",
      "kallsyms",
    );
    expect(modOnly.hasLlvmNames).toBe(false);
  });

  test("a query with non-ASCII characters matches no ASCII name (no lossy encoding)", () => {
    const t = parseSymbolText(Buffer.from("ffffffff81000000 T a\nffffffff81000010 t a\n"), "x", "kallsyms");
    const obj = t.objects.get("vmlinux")!;
    expect(obj.positionsOf("a")).toEqual([0, 1]);
    expect(obj.positionsOf("\u0161")).toEqual([]);
    expect(obj.positionsOf("")).toEqual([]);
  });

  test("gzip input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "klp-"));
    const path = join(dir, "kallsyms.gz");
    writeFileSync(path, gzipSync(readFileSync(join(K, "kallsyms-6.18-init_once.txt"))));
    const table = await readKallsyms(path);
    expect(table.objects.get("vmlinux")!.positionsOf("init_once")).toHaveLength(12);
  });

  test("System.map: vmlinux only, type_show ×18 of Debian 6.12", async () => {
    const table = await readSystemMap(join(K, "system-map-6.12-type_show.txt"));
    expect(table.source.kind).toBe("system-map");
    expect(table.objects.get("vmlinux")!.positionsOf("type_show")).toHaveLength(18);
    expect(() =>
      parseSymbolText(
        Buffer.from("ffffffff81000000 T a\nffffffffa0000000 t f\t[m]\n"),
        "System.map",
        "system-map",
      ),
    ).toThrow("System.map: line 2: module tag in a System.map");
  });

  test("module names are normalized the kernel's way", () => {
    expect(normalizeModuleName("/lib/modules/x/nf-tables.ko.xz")).toBe("nf_tables");
    expect(normalizeModuleName("lpt_target.ko")).toBe("lpt_target");
    expect(normalizeModuleName("snd-hda-intel")).toBe("snd_hda_intel");
  });
});

describe("malformed lines: one error naming file and line, or skipped with --lenient", () => {
  const good = "ffffffff81000000 T _stext\n";
  const cases: [string, string, RegExp][] = [
    ["bad address", "ffffffffg1000000 t foo\n", /line 2: bad address/],
    ["address too long", "1ffffffff81000000 t foo\n", /line 2: bad address \(more than 16/],
    ["missing name", "ffffffff81000000 t\n", /line 2: missing fields/],
    ["missing fields", "ffffffff81000000\n", /line 2: missing fields/],
    ["binary junk", "ffffffff81000000 t fo\u0001o\n", /line 2: bad byte in symbol name/],
    ["junk in type", "ffffffff81000000 \u00ff foo\n", /line 2: bad type field/],
    ["CRLF", "ffffffff81000000 t foo\r\n", /line 2: CRLF/],
    ["empty line", "\n", /line 2: empty line/],
    ["bad module tag", "ffffffffa0000000 t foo\t[mod\n", /line 2: bad module tag/],
  ];
  test.each(cases)("%s", (_label, bad, message) => {
    const bytes = Buffer.from(good + bad + good, "latin1");
    let error: unknown;
    try {
      parseSymbolText(bytes, "/tmp/kallsyms.txt", "kallsyms");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).path).toBe("/tmp/kallsyms.txt");
    expect((error as InputError).message).toMatch(message);
    const lenient = parseSymbolText(bytes, "/tmp/kallsyms.txt", "kallsyms", { lenient: true });
    expect(lenient.objects.get("vmlinux")!.count).toBe(2);
    expect(lenient.notes.join()).toMatch(/skipped 1 malformed line\(s\) \(first: line 2: /);
  });

  test("an ELF file given as a symbol list says what to do instead", async () => {
    await expect(readKallsyms(join(K, "vmlinux", "vmlinux"))).rejects.toThrow(
      /an ELF file, not a symbol list: give it as --vmlinux/,
    );
  });

  test("an empty file is an error", () => {
    expect(() => parseSymbolText(Buffer.alloc(0), "empty", "kallsyms")).toThrow("empty: no symbols");
  });
});

describe("a run's reader", () => {
  it("reads kallsyms and System.map once: the table and the report's sha256 come from the same bytes", async () => {
    const path = join(FIXTURES, "match", "gcc", "kallsyms.txt");
    const readElf = cachedElfReader();
    const table = await loadKernelSymbols({ kallsyms: path, ...sourceReaders(readElf) });
    expect(table.source.path).toBe(path);
    const kept = await readElf.fileBytes(path);
    expect(Buffer.from(kept!).equals(readFileSync(path))).toBe(true);
  });
});
