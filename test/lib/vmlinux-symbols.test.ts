import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import { readSystemMap } from "../../lib/system-map.js";
import { nmSymbols, readVmlinux } from "../../lib/vmlinux-symbols.js";
import { positionOf, resolve } from "../../matcher/sympos.js";
import { FIXTURES } from "../paths.js";

const DIR = join(FIXTURES, "kernel", "vmlinux");
const VMLINUX = join(DIR, "vmlinux");

describe("fixture vmlinux (built by fixtures/kernel/build.sh)", () => {
  test("its ELF symbols read as GNU nm -n printed them at build time", async () => {
    const ours = nmSymbols(await readElfFile(VMLINUX)).map(
      (e) => `${e.address.toString(16)} ${e.type} ${e.name}`,
    );
    const nm = (await readSystemMap(join(DIR, "vmlinux.nm.txt"))).objects.get("vmlinux")!;
    const theirs = Array.from({ length: nm.count }, (_, p) => {
      const s = nm.at(p);
      return `${s.address!.toString(16)} ${s.type} ${s.name}`;
    });
    expect(ours).toEqual(theirs);
  });

  test("kallsyms order: address, then non-weak, non-linker-provided, fewer underscores; __kstrtab_ dropped", async () => {
    const table = await readVmlinux(VMLINUX);
    expect(table.source.kind).toBe("vmlinux");
    const obj = table.objects.get("vmlinux")!;
    const names = Array.from({ length: obj.count }, (_, p) => obj.nameAt(p));
    // same address 0x…030: plain before _ before __, weak alias last
    expect(names.slice(2, 6)).toEqual(["do_thing", "_do_thing", "__do_thing", "do_thing_hook"]);
    // same address as a section start: the object before the linker-provided __start_
    expect(names.indexOf("entry_a")).toBe(names.indexOf("__start_klp_entries") - 1);
    // init text: the function before _sinittext (one leading underscore)
    expect(names.indexOf("setup_thing")).toBe(names.indexOf("_sinittext") - 1);
    expect(names).not.toContain("__kstrtab_do_thing");
    expect(names).not.toContain("a.c");
  });

  test("duplicates keep their STT_FILE block; init and data targets are flagged", async () => {
    const table = await readVmlinux(VMLINUX);
    const obj = table.objects.get("vmlinux")!;
    const copies = obj.positionsOf("init_once").map((p) => obj.at(p));
    expect(copies.map((s) => s.file)).toEqual(["a.c", "b.c"]);
    expect(copies.map((s) => s.size)).toEqual([18n, 11n]);
    expect(positionOf(table, copies[1]!, "exact")).toMatchObject({
      ok: true,
      oldName: "init_once",
      oldSympos: 2,
    });
    expect(resolve(table, "vmlinux", "setup_thing", 0, "exact")).toMatchObject({
      ok: true,
      symbol: { init: true },
      warning: "failed to find location for function 'setup_thing'",
    });
    expect(resolve(table, "vmlinux", "set_root", 0, "exact")).toMatchObject({
      ok: true,
      symbol: { type: "D" },
      warning: "failed to find location for function 'set_root'",
    });
    expect(resolve(table, "vmlinux", "do_thing_hook", 0, "exact")).toMatchObject({ ok: true, warning: null });
  });

  test("KALLSYMS_ALL off keeps text only", async () => {
    const table = await readVmlinux(VMLINUX, { kallsymsAll: false });
    const obj = table.objects.get("vmlinux")!;
    expect(obj.positionsOf("set_root")).toEqual([]);
    expect(obj.positionsOf("init_once")).toHaveLength(2);
  });

  test("a relocatable object is refused, one line naming it", async () => {
    const ko = join(FIXTURES, "kernel", "module", "lpf-target.ko");
    await expect(readVmlinux(ko)).rejects.toThrow(/lpf-target\.ko: not a linked vmlinux/);
    const merged = await loadKernelSymbols({ vmlinux: VMLINUX, systemMap: join(DIR, "vmlinux.nm.txt") });
    expect(merged.source.kind).toBe("vmlinux");
    expect(merged.notes.join()).toMatch(/already read from an earlier source/);
  });
});
