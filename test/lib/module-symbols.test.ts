import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import { moduleSymbolLists, readModule } from "../../lib/module-symbols.js";
import { resolve } from "../../matcher/sympos.js";
import { FIXTURES } from "../paths.js";

const KO = join(FIXTURES, "kernel", "module", "lpf-target.ko");
const listOf = (entries: readonly { type: string; name: string }[]) =>
  entries.map((e) => `${e.type} ${e.name}`);

describe("fixture module lpf-target.ko (built by fixtures/kernel/build.sh)", () => {
  test("core list: symtab order, init and .modinfo dropped, data kept (KALLSYMS_ALL), exports upper-case", async () => {
    const lists = moduleSymbolLists(await readElfFile(KO));
    expect(lists.objname).toBe("lpf_target");
    expect(listOf(lists.core)).toEqual([
      "d dupname",
      "t dupname",
      "t __pfx_dupname",
      "t __pfx_lpf_b_run",
      "d __ksymtab_lpf_api",
      "a lpf_counter",
      "T lpf_api",
      "t lpf_b_run",
    ]);
    // __pfx_dupname lies before dupname in memory but after it in the symtab
    const [, fn, pfx] = lists.core;
    expect(pfx!.address < fn!.address).toBe(true);
  });

  test("without KALLSYMS_ALL only text stays", async () => {
    const lists = moduleSymbolLists(await readElfFile(KO), { kallsymsAll: false });
    expect(listOf(lists.core)).toEqual([
      "t dupname",
      "t __pfx_dupname",
      "t __pfx_lpf_b_run",
      "T lpf_api",
      "t lpf_b_run",
    ]);
  });

  test("init-time list: every defined named symbol, with file blocks and init flags", async () => {
    const lists = moduleSymbolLists(await readElfFile(KO));
    const init = lists.init.map((e) => `${e.name}${e.init ? " (init)" : ""}${e.file ? ` @${e.file}` : ""}`);
    expect(init).toEqual([
      "a.c",
      "dupname @a.c",
      "lpf_license @a.c",
      "lpf_init (init) @a.c",
      "b.c",
      "dupname @b.c",
      "__pfx_dupname @b.c",
      "init_module (init)",
      "__pfx_lpf_b_run",
      "__ksymtab_lpf_api",
      "lpf_counter",
      "lpf_api",
      "lpf_b_run",
    ]);
  });

  test("a module that loads after the patch resolves against its init-time list", async () => {
    const core = await readModule(KO);
    const atInit = await readModule(KO, { list: "init" });
    expect(resolve(core, "lpf_target", "lpf_init", 0, "exact")).toMatchObject({
      ok: false,
      outcome: "not-found",
    });
    expect(resolve(atInit, "lpf_target", "lpf_init", 0, "exact")).toMatchObject({ ok: true });
    expect(resolve(core, "lpf_target", "dupname", 2, "exact")).toMatchObject({
      ok: true,
      symbol: { type: "t", size: 4n, file: "b.c", address: null },
      warning: null,
    });
    expect(core.addressesHidden).toBe(true);
  });

  test("the loader merges a kallsyms file and module files; kallsyms wins for loaded modules", async () => {
    const table = await loadKernelSymbols({
      kallsyms: join(FIXTURES, "kernel", "kallsyms-module-target.txt"),
      moduleFiles: [KO],
    });
    expect([...table.objects.keys()]).toEqual(["vmlinux", "lpt_target", "lpf_target"]);
    expect(table.source.kind).toBe("kallsyms");
    expect(table.notes.join("\n")).toMatch(/symbols kept after init/);
    await expect(loadKernelSymbols({})).rejects.toThrow(/no source given/);
  });
});
