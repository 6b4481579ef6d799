// verify against the booted-kernel oracle: for every livepatch module of every experiment, the
// prediction equals what the kernel did (results.tsv: resolved address, or the message it printed).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { loadKernelSymbols } from "../../lib/kernel-symbols.js";
import { readLivepatchTargets } from "../../lib/livepatch/index.js";
import { chooseRule } from "../../lib/rules.js";
import { moduleFileFacts, verifyTargets } from "../../matcher/verify/index.js";
import { corpusPath } from "../corpus.js";

interface Row {
  id: string;
  mode: "R" | "F";
  objname: string;
  oldName: string;
  oldSympos: number;
  address: string;
  message: string;
}

function rows(path: string): Row[] {
  const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const cols = header!.split("\t");
  const at = (name: string) => cols.indexOf(name);
  return lines.map((line) => {
    const f = line.split("\t");
    return {
      id: f[at("id")]!,
      mode: f[at("mode")] as "R" | "F",
      objname: f[at("objname")]!,
      oldName: f[at("old_name")]!,
      oldSympos: Number(f[at("old_sympos")]),
      address: f[at("resolved_old_func")]!,
      message: f[at("kernel_error_or_ftrace_msg")]!,
    };
  });
}

const EXPERIMENTS = ["gcc", "clang", "gcc-smp-percpu", "gcc/module-target", "clang/module-target"] as const;

describe("verify predicts what the booted 6.12 kernels did with each livepatch module", () => {
  for (const experiment of EXPERIMENTS) {
    it(`${experiment}: every results.tsv row`, async () => {
      const dir = corpusPath("oracle", experiment);
      const table = await loadKernelSymbols({ kallsyms: `${dir}/kallsyms.txt` });
      const choice = chooseRule(table, {});
      const koPath = `${dir}/lpt_target.ko`;
      const modules = existsSync(koPath) ? [moduleFileFacts(await readElfFile(koPath))] : [];
      const all = rows(`${dir}/results.tsv`);
      expect(all.length).toBeGreaterThan(4);
      const outcomes: string[] = [];
      for (const row of all) {
        const ko = `${dir}/livepatch-modules/lp_${row.id}.ko`;
        const targets = readLivepatchTargets(await readElfFile(ko));
        // the module's first klp_func is the experiment's (objname, old_name, old_sympos)
        const first = targets.targets[0]!;
        expect([first.objname, first.oldName, first.oldSympos], row.id).toEqual([
          row.objname,
          row.oldName,
          row.oldSympos,
        ]);
        expect(targets.targets.every((t) => t.origin === "klp_func")).toBe(true);
        const result = verifyTargets(targets, { table, choice, modules });
        const verdict = result.verdicts[0]!;
        if (row.address !== "-") {
          expect(verdict.outcome, row.id).toBe("resolved");
          expect(verdict.symbol?.address?.toString(16), row.id).toBe(row.address);
        } else if (verdict.outcome === "resolved") {
          // the lookup itself succeeds on a per-CPU symbol; the size lookup right after it fails
          expect(verdict.kernelMessage, row.id).toBe(`kallsyms size lookup failed for '${row.oldName}'`);
          expect(verdict.flags.map((f) => f.code)).toContain("SIZE_LOOKUP_FAILED");
        }
        // mode R cancels in the pre_patch callback, before ftrace registration: only lookup-stage
        // messages can show; mode F lets ftrace register, so its first refusal shows
        const p = result.patch;
        const shown =
          p.kernelMessage !== null && (row.mode === "F" || p.stage !== "ftrace") ? p.kernelMessage : "-";
        expect(shown, `${row.id} ${row.oldName},${row.oldSympos}`).toBe(row.message);
        outcomes.push(verdict.outcome);
      }
      // the experiments cover every lookup outcome the kernel has
      if (experiment === "gcc") {
        expect(new Set(outcomes)).toEqual(
          new Set(["resolved", "ambiguous", "position-not-found", "not-found"]),
        );
      }
    });
  }

  it("module-target modules are 'not loaded' against a kallsyms without the module, and resolve from the .ko's init-time list", async () => {
    const dir = corpusPath("oracle", "gcc");
    const table = await loadKernelSymbols({ kallsyms: `${dir}/kallsyms.txt` });
    const choice = chooseRule(table, {});
    const facts = moduleFileFacts(await readElfFile(`${dir}/module-target/lpt_target.ko`));
    const loaded = await loadKernelSymbols({ kallsyms: `${dir}/module-target/kallsyms.txt` });
    for (const row of rows(`${dir}/module-target/results.tsv`)) {
      if (row.objname !== "lpt_target") continue;
      const targets = readLivepatchTargets(
        await readElfFile(`${dir}/module-target/livepatch-modules/lp_${row.id}.ko`),
      );
      const without = verifyTargets(targets, { table, choice });
      expect(without.verdicts[0]!.outcome).toBe("not-loaded");
      expect(without.verdicts[0]!.flags.map((f) => f.code)).toContain("NOT_LOADED");
      const onLoad = verifyTargets(targets, { table, choice, modules: [facts] }).verdicts[0]!.onLoad;
      const now = verifyTargets(targets, { table: loaded, choice, modules: [facts] }).verdicts[0]!;
      // lpt_target has no init-only symbols of these names, so loading later resolves the same way
      expect(onLoad?.outcome, row.id).toBe(now.outcome);
      expect(onLoad?.symbol?.name ?? null).toBe(now.symbol?.name ?? null);
      expect(onLoad?.symbol?.type ?? null).toBe(now.symbol?.type ?? null);
    }
  });
});
