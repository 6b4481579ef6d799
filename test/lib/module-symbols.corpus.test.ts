// Module tables built from real .ko files: the oracle module's list equals what its booted kernel
// printed in /proc/kallsyms; Debian's modules split into core and init-time lists in symtab order.
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { readKallsyms } from "../../lib/kallsyms.js";
import { moduleSymbolLists, readModule } from "../../lib/module-symbols.js";
import { corpusPath } from "../corpus.js";

describe.each(["gcc", "clang"])("oracle %s module-target", (tree) => {
  test("the .ko's core list is the booted kernel's [lpt_target] lines, names and types, in order", async () => {
    const ko = await readModule(corpusPath("oracle", tree, "module-target", "lpt_target.ko"));
    const live = await readKallsyms(corpusPath("oracle", tree, "module-target", "kallsyms.txt"));
    const a = ko.objects.get("lpt_target")!;
    const b = live.objects.get("lpt_target")!;
    const list = (o: typeof a) => Array.from({ length: o.count }, (_, p) => `${o.typeAt(p)} ${o.nameAt(p)}`);
    expect(b.count).toBeGreaterThan(15);
    expect(list(a)).toEqual(list(b));
    expect(ko.addressesHidden).toBe(true);
    expect(a.at(0).address).toBeNull();
  });

  test("the init-time list adds what the core list drops", async () => {
    const path = corpusPath("oracle", tree, "module-target", "lpt_target.ko");
    const lists = moduleSymbolLists(await readElfFile(path));
    expect(lists.objname).toBe("lpt_target");
    const core = new Set(lists.core);
    expect(lists.core.every((e) => lists.init.includes(e))).toBe(true);
    expect(lists.init.filter((e) => !core.has(e)).length).toBeGreaterThan(0);
  });
});

const DEBIAN = ["6.1.0-56-amd64", "6.12.117+deb12-amd64"].flatMap((kernel) =>
  readdirSync(corpusPath("modules", kernel)).map((file) => ({ kernel, file })),
);

describe.each(DEBIAN)("Debian $kernel $file", ({ kernel, file }) => {
  test("core vs init-time lists, symtab order kept", async () => {
    const elf = await readElfFile(corpusPath("modules", kernel, file));
    const lists = moduleSymbolLists(elf);
    expect(lists.objname).toBe(file.replace(/\.ko(\.xz)?$/, "").replace(/-/g, "_"));
    // the init-time list is the defined named symbols in symtab order
    const defined = elf.symbols().filter((s) => s.index > 0 && s.special !== "UNDEF" && s.name !== "");
    expect(lists.init.map((e) => e.name)).toEqual(defined.map((s) => s.name));
    // the core list is a subsequence of it: same relative (symtab) order
    let at = 0;
    for (const e of lists.core) {
      at = lists.init.indexOf(e, at);
      expect(at).toBeGreaterThanOrEqual(0);
    }
    // init functions are only in the init-time list
    const initOnly = lists.init.filter((e) => !lists.core.includes(e));
    expect(initOnly.some((e) => e.init && e.name === "init_module")).toBe(true);
    expect(lists.core.some((e) => e.init || e.name === "init_module")).toBe(false);
    // .modinfo / __versions lose SHF_ALLOC at load: never core
    expect(
      lists.core.some((e) => e.name.startsWith("__UNIQUE_ID_license") || e.name === "____versions"),
    ).toBe(false);
  });
});

test("6.12 modules: __pfx_ stubs sit before their function in memory, yet not always before it in symtab order", async () => {
  const lists = moduleSymbolLists(
    await readElfFile(corpusPath("modules", "6.12.117+deb12-amd64", "fat.ko.xz")),
  );
  const pos = new Map(lists.core.map((e, i) => [e.name, i]));
  let after = 0;
  let before = 0;
  for (const e of lists.core) {
    if (!e.name.startsWith("__pfx_")) continue;
    const fn = lists.core[pos.get(e.name.slice(6)) ?? -1];
    if (fn === undefined) continue;
    // same section: the 16-byte stub right before its function
    if (e.address + 16n !== fn.address) continue;
    if (pos.get(e.name)! > pos.get(fn.name)!) after++;
    else before++;
  }
  expect(after).toBeGreaterThan(0);
  expect(before).toBeGreaterThan(0);
});
