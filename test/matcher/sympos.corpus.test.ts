// What booted kernels did with real (objname, old_name, old_sympos) pairs (corpus oracle/*/results.tsv):
// resolve must accept what they accepted at the address they printed, and fail with their message.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { readKallsyms } from "../../lib/kallsyms.js";
import type { KernelTable } from "../../lib/kernel-table.js";
import { positionOf, resolve } from "../../matcher/sympos.js";
import { corpusPath } from "../corpus.js";

interface Row {
  readonly id: string;
  readonly mode: string;
  readonly objname: string;
  readonly oldName: string;
  readonly oldSympos: number;
  readonly resolved: string;
  readonly message: string;
}

function rows(path: string): Row[] {
  const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const cols = header!.split("\t");
  const at = (cells: string[], name: string) => cells[cols.indexOf(name)]!;
  return lines.map((line) => {
    const c = line.split("\t");
    return {
      id: at(c, "id"),
      mode: at(c, "mode"),
      objname: at(c, "objname"),
      oldName: at(c, "old_name"),
      oldSympos: Number(at(c, "old_sympos")),
      resolved: at(c, "resolved_old_func"),
      message: at(c, "kernel_error_or_ftrace_msg"),
    };
  });
}

/** Mode F registered the target with ftrace, then failed on purpose at this function. */
const DELIBERATE_FTRACE_FAILURE = "failed to find location for function 'exc_page_fault'";

/** The message the kernel should print for a row, and the address it should resolve ("-": none). */
function predict(table: KernelTable, row: Row): { resolved: string; message: string } {
  const r = resolve(table, row.objname, row.oldName, row.oldSympos, "exact");
  if (!r.ok) return { resolved: "-", message: r.message };
  const address = r.symbol.address!.toString(16).padStart(16, "0");
  // a per-CPU symbol is resolved, then klp_init_object_loaded fails before old_func is printed
  if (r.warning?.startsWith("kallsyms size lookup failed")) return { resolved: "-", message: r.warning };
  if (row.mode === "F") return { resolved: address, message: r.warning ?? DELIBERATE_FTRACE_FAILURE };
  return { resolved: address, message: "-" };
}

const TREES = [
  { label: "gcc 6.12", results: "oracle/gcc/results.tsv", kallsyms: "oracle/gcc/kallsyms.txt" },
  { label: "clang LTO 6.12", results: "oracle/clang/results.tsv", kallsyms: "oracle/clang/kallsyms.txt" },
  {
    label: "gcc SMP per-CPU",
    results: "oracle/gcc-smp-percpu/results.tsv",
    kallsyms: "oracle/gcc-smp-percpu/kallsyms.txt",
  },
  {
    label: "gcc module target",
    results: "oracle/gcc/module-target/results.tsv",
    kallsyms: "oracle/gcc/module-target/kallsyms.txt",
  },
  {
    label: "clang module target",
    results: "oracle/clang/module-target/results.tsv",
    kallsyms: "oracle/clang/module-target/kallsyms.txt",
  },
];

describe.each(TREES)("$label", (tree) => {
  test("every experiment: same address accepted, same message refused", async () => {
    const table = await readKallsyms(corpusPath(tree.kallsyms));
    const all = rows(corpusPath(tree.results));
    expect(all.length).toBeGreaterThan(4);
    const mismatches: string[] = [];
    for (const row of all) {
      const got = predict(table, row);
      if (got.resolved !== row.resolved || got.message !== row.message) {
        mismatches.push(
          `${row.id} ${row.oldName},${row.oldSympos}: got ${got.resolved} / ${got.message}; kernel ${row.resolved} / ${row.message}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe("oracle pairs: the pair for the changed function's own kallsyms line", () => {
  const cases = ["gcc", "clang"].flatMap((tree) =>
    readdirSync(corpusPath("oracle", tree, "pairs")).map((dir) => ({ tree, dir })),
  );
  test.each(cases)("$tree $dir", async ({ tree, dir }) => {
    const truth = JSON.parse(
      readFileSync(corpusPath("oracle", tree, "pairs", dir, "truth.json"), "utf8"),
    ) as {
      objname: string;
      changed: { kallsymsLine: number; oldName: string; oldSympos: number; kernelResolved: string }[];
    };
    const kallsyms = truth.objname === "vmlinux" ? "kallsyms.txt" : "module-target/kallsyms.txt";
    const table = await readKallsyms(corpusPath("oracle", tree, kallsyms));
    const obj = table.objects.get(truth.objname)!;
    expect(truth.changed.length).toBeGreaterThan(0);
    for (const c of truth.changed) {
      let position = -1;
      for (let p = 0; p < obj.count && position < 0; p++) if (obj.at(p).line === c.kallsymsLine) position = p;
      const symbol = obj.at(position);
      expect(positionOf(table, symbol, "exact")).toMatchObject({
        ok: true,
        oldName: c.oldName,
        oldSympos: c.oldSympos,
      });
      const r = resolve(table, truth.objname, c.oldName, c.oldSympos, "exact");
      expect(r.ok && `0x${r.symbol.address!.toString(16)}`).toBe(c.kernelResolved);
    }
  });
});
