// Fuzz: kernel symbol text (kallsyms, System.map), target lists, JSON reports (--baseline,
// --targets, --expect), and whole match and verify runs on mutated files (in-process, seeded).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { parseExpectReport, parseTargetList } from "../../lib/livepatch/index.js";
import { parseBaseline } from "../../lib/report/match-baseline.js";
import { renderMatchReport } from "../../lib/report/match-render.js";
import { chooseRule } from "../../lib/rules.js";
import { symposReport } from "../../matcher/sympos.js";
import { matchPatch } from "../../pipeline/match.js";
import { verifyPatch } from "../../pipeline/verify.js";
import { FIXTURES } from "../paths.js";
import { CASES, expectClean, fuzz } from "./harness.js";
import { mutateBytes, mutateJson, mutateLines, type Random } from "./mutate.js";

const text = (...parts: string[]) => readFileSync(join(FIXTURES, ...parts), "latin1");
const TABLES = [
  text("match", "gcc", "kallsyms.txt"),
  text("match", "gcc", "System.map"),
  text("kernel", "kallsyms-module-target-hidden.txt"),
  text("kernel", "kallsyms-clang-lto.txt"),
  text("kernel", "kallsyms-6.18-init_once.txt"),
  text("verify", "kallsyms.txt"),
];
const GCC = join(FIXTURES, "match", "gcc");
const LISTS = [
  "vmlinux fxt_dup 2\nvmlinux fxt_unique 0\n# c\nvmlinux fxt_counter 0 reference\n",
  "objname name sympos\nfxt_target fxt_mod_data 0\n",
];

/** A mutated text: line edits, byte edits, or both. */
function mutateText(r: Random, source: string): Buffer {
  const lined = r.next() < 0.7 ? mutateLines(r, source) : source;
  const bytes = Buffer.from(lined, "latin1");
  return r.next() < 0.5 ? Buffer.from(mutateBytes(r, bytes)) : bytes;
}

let dir = "";
let reportJson: unknown = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "klpmatch-fuzz-"));
  const report = await matchPatch({
    orig: join(GCC, "orig"),
    patched: join(GCC, "patched"),
    kallsyms: join(GCC, "kallsyms.txt"),
  });
  reportJson = JSON.parse(renderMatchReport(report, "json"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fuzz: text and JSON inputs", () => {
  it("kallsyms and System.map text: load, then list a name's pairs", async () => {
    const tally = await fuzz("kallsyms", (r) => {
      const kind = r.next() < 0.5 ? "kallsyms" : "system-map";
      const table = parseSymbolText(mutateText(r, r.pick(TABLES)), "k.txt", kind, {
        lenient: r.next() < 0.3,
      });
      const obj = [...table.objects.values()][0];
      if (obj === undefined || obj.count === 0) return;
      const name = obj.nameAt(r.int(obj.count));
      return symposReport(table, name, { choice: chooseRule(table, {}) });
    });
    expectClean("kallsyms", tally);
  });

  it("target lists (TSV and JSON arrays)", async () => {
    const tally = await fuzz("targets", (r) => {
      if (r.next() < 0.5) return parseTargetList("t.tsv", mutateText(r, r.pick(LISTS)).toString("utf8"));
      const list = [
        { objname: "vmlinux", oldName: "f", oldSympos: 2 },
        { name: "g", role: "reference" },
      ];
      return parseTargetList(
        "t.json",
        JSON.stringify(mutateJson(r, r.next() < 0.5 ? list : { targets: list })),
      );
    });
    expectClean("targets", tally);
  });

  it("JSON reports as --baseline, --targets and --expect", async () => {
    const tally = await fuzz("json", (r, i) => {
      const doc = JSON.stringify(mutateJson(r, reportJson), null, r.next() < 0.5 ? 2 : undefined);
      const body = r.next() < 0.2 ? mutateText(r, doc).toString("utf8") : doc;
      if (i % 3 === 0) return parseBaseline(body, "base.json");
      if (i % 3 === 1) return parseTargetList("r.json", body);
      return parseExpectReport("r.json", body);
    });
    expectClean("json", tally);
  });
});

describe("fuzz: whole runs", () => {
  it("match on the fixture pair with a mutated kallsyms or orig object", async () => {
    const orig = readFileSync(join(GCC, "orig", "a.o"));
    const tally = await fuzz(
      "match",
      async (r, i) => {
        const path = join(dir, `m${i % 4}`);
        if (r.next() < 0.6) {
          writeFileSync(path, mutateText(r, TABLES[0]!));
          return matchPatch({
            orig: join(GCC, "orig", "a.o"),
            patched: join(GCC, "patched", "a.o"),
            kallsyms: path,
          });
        }
        writeFileSync(path, mutateBytes(r, orig));
        return matchPatch({
          orig: path,
          patched: join(GCC, "patched", "a.o"),
          kallsyms: join(GCC, "kallsyms.txt"),
        });
      },
      Math.min(CASES, Number(process.env.FUZZ_RUN_CASES ?? CASES)),
    );
    expectClean("match", tally);
  });

  it("verify with a mutated target list or kallsyms", async () => {
    const kallsyms = join(FIXTURES, "verify", "kallsyms.txt");
    const tally = await fuzz(
      "verify",
      async (r, i) => {
        const path = join(dir, `v${i % 4}`);
        if (r.next() < 0.5) {
          writeFileSync(path, mutateText(r, r.pick(LISTS)));
          return verifyPatch({ targets: path, kallsyms });
        }
        writeFileSync(path, mutateText(r, TABLES[5]!));
        const list = join(dir, "list.tsv");
        writeFileSync(list, LISTS[0]!);
        return verifyPatch({ targets: list, kallsyms: path, lenient: r.next() < 0.3 });
      },
      Math.min(CASES, Number(process.env.FUZZ_RUN_CASES ?? CASES)),
    );
    expectClean("verify", tally);
  });
});
