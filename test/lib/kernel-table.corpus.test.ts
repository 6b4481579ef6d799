// Every real kernel table of the corpus: the reader keeps kallsyms order and counts names like
// grep does, and every symbol is reached by the pair positionOf computes for it.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { readKallsyms } from "../../lib/kallsyms.js";
import type { KernelTable } from "../../lib/kernel-table.js";
import { LOOKUP_RULES, type LookupRule } from "../../lib/rules.js";
import { readSystemMap } from "../../lib/system-map.js";
import { positionOf, resolve, sameSymbol } from "../../matcher/sympos.js";
import { corpusPath } from "../corpus.js";

const PSEUDO = new Set(["bpf", "__builtin__ftrace", "__builtin__kprobes"]);

interface Source {
  readonly label: string;
  readonly path: string;
  readonly kind: "kallsyms" | "system-map";
  readonly llvm: boolean;
}

const SOURCES: Source[] = [
  {
    label: "6.18 /proc/kallsyms",
    path: corpusPath("kallsyms/proc-kallsyms-6.18.44-gcc15.txt"),
    kind: "kallsyms",
    llvm: false,
  },
  {
    label: "Debian 6.1 System.map",
    path: corpusPath("kallsyms/System.map-6.1.0-56-amd64"),
    kind: "system-map",
    llvm: false,
  },
  {
    label: "Debian 6.12 System.map",
    path: corpusPath("kallsyms/System.map-6.12.117+deb12-amd64"),
    kind: "system-map",
    llvm: false,
  },
  {
    label: "oracle gcc kallsyms",
    path: corpusPath("oracle/gcc/kallsyms.txt"),
    kind: "kallsyms",
    llvm: false,
  },
  {
    label: "oracle gcc System.map",
    path: corpusPath("oracle/gcc/System.map"),
    kind: "system-map",
    llvm: false,
  },
  {
    label: "oracle clang kallsyms",
    path: corpusPath("oracle/clang/kallsyms.txt"),
    kind: "kallsyms",
    llvm: true,
  },
  {
    label: "oracle clang System.map",
    path: corpusPath("oracle/clang/System.map"),
    kind: "system-map",
    llvm: true,
  },
  {
    label: "oracle gcc-smp-percpu kallsyms",
    path: corpusPath("oracle/gcc-smp-percpu/kallsyms.txt"),
    kind: "kallsyms",
    llvm: false,
  },
  {
    label: "oracle gcc module-target kallsyms",
    path: corpusPath("oracle/gcc/module-target/kallsyms.txt"),
    kind: "kallsyms",
    llvm: false,
  },
  {
    label: "oracle clang module-target kallsyms",
    path: corpusPath("oracle/clang/module-target/kallsyms.txt"),
    kind: "kallsyms",
    llvm: true,
  },
];

/** The file read the simplest way: per object, the (line number, name) list in line order. */
function naiveLines(path: string): Map<string, { line: number; name: string; type: string }[]> {
  const byObj = new Map<string, { line: number; name: string; type: string }[]>();
  readFileSync(path, "latin1")
    .split("\n")
    .forEach((text, i) => {
      if (text === "") return;
      const [, type, name, tag] = text.split(/\s+/);
      const obj = tag === undefined ? "vmlinux" : tag.slice(1, -1);
      if (PSEUDO.has(obj)) return;
      let list = byObj.get(obj);
      if (list === undefined) {
        list = [];
        byObj.set(obj, list);
      }
      list.push({ line: i + 1, name: name!, type: type! });
    });
  return byObj;
}

async function load(source: Source): Promise<KernelTable> {
  return source.kind === "kallsyms" ? readKallsyms(source.path) : readSystemMap(source.path);
}

function everySymbolRoundTrips(table: KernelTable, rule: LookupRule): number {
  let checked = 0;
  for (const obj of table.objects.values()) {
    for (let p = 0; p < obj.count; p++) {
      const symbol = obj.at(p);
      const pair = positionOf(table, symbol, rule);
      // the kernel takes a resolved address 0 for "not found" (klp_find_object_symbol)
      if (!pair.ok && symbol.address === 0n) continue;
      if (!pair.ok) throw new Error(`${symbol.name} #${p}: unreachable under ${rule}: ${pair.reason}`);
      const r = resolve(table, symbol.objname, pair.oldName, pair.oldSympos, rule);
      if (!r.ok || !sameSymbol(r.symbol, symbol)) {
        throw new Error(
          `${symbol.name} #${p} under ${rule}: (${pair.oldName}, ${pair.oldSympos}) → ${r.ok ? `#${r.symbol.position}` : r.message}`,
        );
      }
      checked++;
    }
  }
  return checked;
}

function countOf(table: KernelTable): number {
  let n = 0;
  for (const obj of table.objects.values())
    for (let p = 0; p < obj.count; p++) if (obj.at(p).address !== 0n) n++;
  return n;
}

describe.each(SOURCES)("$label", (source) => {
  test("objects, order and per-name counts equal a plain split of the file", async () => {
    const table = await load(source);
    const naive = naiveLines(source.path);
    expect([...table.objects.keys()].sort()).toEqual([...naive.keys()].sort());
    expect(table.hasLlvmNames).toBe(source.llvm);
    expect(table.addressesHidden).toBe(false);
    for (const [objname, lines] of naive) {
      const obj = table.objects.get(objname)!;
      expect(obj.count).toBe(lines.length);
      const linesOf = new Map<string, number[]>();
      lines.forEach((l, p) => {
        const same = linesOf.get(l.name);
        if (same === undefined) linesOf.set(l.name, [l.line]);
        else same.push(l.line);
        if (obj.nameAt(p) !== l.name || obj.typeAt(p) !== l.type) {
          throw new Error(
            `${objname} #${p}: ${obj.typeAt(p)} ${obj.nameAt(p)} vs line ${l.line}: ${l.type} ${l.name}`,
          );
        }
      });
      for (const [name, grepLines] of linesOf) {
        const found = obj.positionsOf(name).map((p) => obj.at(p).line);
        if (found.join() !== grepLines.join()) {
          throw new Error(`${objname} '${name}': lines ${found.join()} vs grep ${grepLines.join()}`);
        }
      }
    }
  });

  test("resolve(positionOf(s)) is s for every symbol under exact", async () => {
    const table = await load(source);
    expect(everySymbolRoundTrips(table, "exact")).toBe(countOf(table));
  });
});

describe.each(SOURCES.filter((s) => s.llvm))("$label (clang LTO)", (source) => {
  test("resolve(positionOf(s)) is s for every symbol under every LTO-era rule", async () => {
    const table = await load(source);
    for (const rule of LOOKUP_RULES) expect(everySymbolRoundTrips(table, rule)).toBe(countOf(table));
  });
});
