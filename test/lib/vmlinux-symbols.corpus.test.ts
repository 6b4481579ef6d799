// The build's own steps, replayed on the oracle kernels' real tables: `nm -n` → System.map
// (scripts/mksysmap) and System.map → /proc/kallsyms (scripts/kallsyms.c) must come out identical.
import { describe, expect, test } from "vitest";
import { readKallsyms } from "../../lib/kallsyms.js";
import { entriesOf, type SymbolEntry } from "../../lib/kernel-table.js";
import { readSystemMap } from "../../lib/system-map.js";
import { kallsymsSymbols, systemMapSymbols } from "../../lib/vmlinux-symbols.js";
import { corpusPath } from "../corpus.js";

const lines = (list: readonly SymbolEntry[]) =>
  list.map((e) => `${e.address.toString(16)} ${e.type} ${e.name}`);

describe.each(["gcc", "clang"])("oracle %s", (tree) => {
  test("nm -n output filtered like scripts/mksysmap is the System.map", async () => {
    const nm = await readSystemMap(corpusPath("oracle", tree, "vmlinux.nm.txt"));
    const map = await readSystemMap(corpusPath("oracle", tree, "System.map"));
    const nmEntries = entriesOf(nm.objects.get("vmlinux")!);
    const filtered = systemMapSymbols(nmEntries);
    expect(filtered.length).toBeLessThan(nmEntries.length - 5000);
    expect(lines(filtered)).toEqual(lines(entriesOf(map.objects.get("vmlinux")!)));
  });
});

describe.each(["gcc", "clang", "gcc-smp-percpu"])("oracle %s", (tree) => {
  test("System.map re-typed and re-ordered like scripts/kallsyms.c is the booted /proc/kallsyms", async () => {
    const map = await readSystemMap(corpusPath("oracle", tree, "System.map"));
    const live = await readKallsyms(corpusPath("oracle", tree, "kallsyms.txt"));
    const built = kallsymsSymbols(entriesOf(map.objects.get("vmlinux")!));
    const expected = entriesOf(live.objects.get("vmlinux")!);
    expect(built.length).toBe(expected.length);
    expect(lines(built)).toEqual(lines(expected));
  });
});
