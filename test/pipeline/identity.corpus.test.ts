// Issue 12 item 1 on the real gcc 6.12 oracle kernel: a report made from its System.map, checked
// against its kallsyms with every address moved by a KASLR-like offset: --baseline sees no change
// and verify --expect agrees on every target.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stableStringify } from "../../lib/report/common.js";
import { compareWithBaseline } from "../../lib/report/match-baseline.js";
import { matchPatch } from "../../pipeline/match.js";
import { verifyPatch } from "../../pipeline/verify.js";
import { corpusPath } from "../corpus.js";
import { shiftTable } from "../kaslr.js";

const GCC = corpusPath("oracle", "gcc");
// the pairs whose target is vmlinux (System.map has no module symbols)
const PAIRS = readdirSync(join(GCC, "pairs"))
  .filter(
    (p) =>
      (JSON.parse(readFileSync(join(GCC, "pairs", p, "truth.json"), "utf8")) as { objname: string })
        .objname === "vmlinux",
  )
  .sort();
let kaslr: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "klpmatch-identity-corpus-"));
  kaslr = join(dir, "kallsyms.kaslr");
  writeFileSync(kaslr, shiftTable(readFileSync(join(GCC, "kallsyms.txt"), "utf8"), 0x2a600000n));
});

describe("identity on the oracle kernel: System.map report, KASLR kallsyms", () => {
  it("has pairs to check", () => expect(PAIRS.length).toBeGreaterThanOrEqual(7));

  it.each(PAIRS)("%s: no decision changes, --expect agrees on every target", async (pair) => {
    const tree = { orig: join(GCC, "pairs", pair, "orig"), patched: join(GCC, "pairs", pair, "patched") };
    const fromMap = await matchPatch({ ...tree, systemMap: join(GCC, "System.map"), kernel: "6.12.117" });
    const fromBoot = await matchPatch({ ...tree, kallsyms: kaslr, kernel: "6.12.117" });
    const decided = fromMap.objects.flatMap((o) => o.functions).filter((f) => f.target !== null);
    expect(decided.length).toBeGreaterThan(0);
    // the addresses differ, the decisions do not
    const boot = fromBoot.objects.flatMap((o) => o.functions).find((f) => f.name === decided[0]!.name);
    expect(boot?.target?.address).not.toBe(decided[0]!.target!.address);
    expect(compareWithBaseline(fromMap, fromBoot, "map.json")).toMatchObject({ changed: false, diff: "" });

    const report = join(dir, `${pair}.json`);
    writeFileSync(report, stableStringify(fromMap));
    const v = await verifyPatch({ targets: report, kallsyms: kaslr, kernel: "6.12.117", expect: report });
    const checks = v.targets.map((t) => t.expected);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c?.agrees === true)).toBe(true);
  });
});
