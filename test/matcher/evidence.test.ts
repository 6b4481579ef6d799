// The pieces of evidence one by one, on small kallsyms texts shaped like the real layouts
// (a merged `.text.<name>` run inside one object's block, block edges, init text, __pfx_ stubs)
// and on the fixture program's STT_FILE blocks.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfFile } from "../../elf/index.js";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { readModule } from "../../lib/module-symbols.js";
import { sectionGroup } from "../../lib/section-roles.js";
import {
  fileBlockMatch,
  fileBlocks,
  fileBlockWinner,
  moduleFileBlocks,
  neighbourhood,
  neighbourhoodWinner,
  type OrigProfile,
  type OrigSymbol,
  profileObject,
  sizeFit,
  targetView,
  vmlinuxFileBlock,
} from "../../matcher/evidence/index.js";
import { FIXTURES } from "../paths.js";

function table(lines: string[]) {
  const text = lines
    .map((l, i) => `${(0xffffffff81000000n + BigInt(i) * 0x10n).toString(16)} ${l}`)
    .join("\n");
  return parseSymbolText(Buffer.from(`${text}\n`), "test.kallsyms", "kallsyms");
}

function profile(names: Record<string, string>): OrigProfile & { byName: Map<string, OrigSymbol> } {
  const byName = new Map<string, OrigSymbol>();
  for (const [name, section] of Object.entries(names)) {
    byName.set(name, { name, kind: "text", section, size: 8n, global: false });
  }
  return {
    path: "o.o",
    file: "o.c",
    byName,
    byPromotedKey: new Map(),
    llvmHashes: new Set(),
    localNames: new Set(byName.keys()),
  };
}

function scoresOf(lines: string[], orig: OrigProfile, name: string) {
  const t = table(lines);
  const obj = t.objects.get("vmlinux")!;
  const view = targetView(obj);
  const positions = obj.positionsOf(name);
  const fn = orig.byName.get(name)!;
  return { obj, scores: neighbourhood(view, orig, fn, positions) };
}

const O = profile({
  o_one: ".text",
  o_two: ".text",
  o_three: ".text",
  init_once: ".text",
  o_init: ".init.text",
});

describe("neighbourhood", () => {
  it("a run of same-named copies enclosed by the object starts with the object's copy (merged section)", () => {
    const { obj, scores } = scoresOf(
      [
        "t p_last",
        "t o_one",
        "t o_two",
        "t init_once",
        "t init_once",
        "t init_once",
        "t o_three",
        "t q_first",
      ],
      O,
      "init_once",
    );
    expect(scores.map((s) => s.placement)).toEqual(["enclosed", "later-in-run", "later-in-run"]);
    expect(scores.map((s) => s.runLength)).toEqual([3, 3, 3]);
    const verdict = neighbourhoodWinner(scores);
    expect(verdict.winner).toBe(obj.positionsOf("init_once")[0]);
    expect(verdict.strength).toBe("strong");
  });

  it("candidates given in any order: each run is told apart, and each copy's index in its run is by kallsyms order", () => {
    const t = table([
      "t o_one",
      "t init_once",
      "t init_once",
      "t o_two",
      "t p_other",
      "t init_once",
      "d a_datum",
      "t init_once",
      "t init_once",
      "t q_other",
    ]);
    const obj = t.objects.get("vmlinux")!;
    const positions = [...obj.positionsOf("init_once")];
    const shuffled = [positions[3]!, positions[0]!, positions[4]!, positions[2]!, positions[1]!];
    const scores = neighbourhood(targetView(obj), O, O.byName.get("init_once")!, shuffled);
    // results follow the candidates' order; a data symbol between copies does not split their run
    expect(scores.map((s) => s.position)).toEqual(shuffled);
    expect(scores.map((s) => [s.runLength, s.runIndex])).toEqual([
      [3, 1],
      [2, 0],
      [3, 2],
      [3, 0],
      [2, 1],
    ]);
    expect(scores.map((s) => s.placement)).toEqual([
      "outside",
      "enclosed",
      "outside",
      "outside",
      "later-in-run",
    ]);
  });

  it("positionsOf answers a name once: the evidence asks for it per candidate (N copies, N asks)", () => {
    const obj = table(["t init_once", "t o_one", "t init_once"]).objects.get("vmlinux")!;
    const first = obj.positionsOf("init_once");
    expect(first).toEqual([0, 2]);
    expect(obj.positionsOf("init_once")).toBe(first);
  });

  it("a run at the edge of the object's block can't be split: no winner", () => {
    const { scores } = scoresOf(
      ["t p_last", "t init_once", "t init_once", "t o_one", "t o_two"],
      O,
      "init_once",
    );
    expect(scores.every((s) => s.placement === "edge" && s.score === 2)).toBe(true);
    expect(neighbourhoodWinner(scores).winner).toBeNull();
  });

  it("one copy at the object's block edge while the others have no anchor wins, weakly", () => {
    const { obj, scores } = scoresOf(
      ["t p_one", "t init_once", "t p_two", "t q_one", "t init_once", "t o_one", "t o_two", "t r_one"],
      O,
      "init_once",
    );
    expect(scores.map((s) => s.placement)).toEqual(["outside", "edge"]);
    const verdict = neighbourhoodWinner(scores);
    expect(verdict.winner).toBe(obj.positionsOf("init_once")[1]);
    expect(verdict.strength).toBe("edge");
  });

  it("an edge with a single anchor decides only when that anchor is a global of the object", () => {
    const lines = ["t p_one", "t init_once", "t o_one", "t p_two", "t init_once", "t q_one"];
    const local = scoresOf(lines, O, "init_once");
    expect(local.scores.map((s) => [s.placement, s.score])).toEqual([
      ["edge", 1],
      ["outside", 0],
    ]);
    expect(neighbourhoodWinner(local.scores).winner).toBeNull();
    const G = profile({ o_one: ".text", init_once: ".text" });
    G.byName.set("o_one", { ...G.byName.get("o_one")!, global: true });
    const global = scoresOf(lines, G, "init_once");
    expect(global.scores[0]!.globalAnchors).toBe(1);
    expect(neighbourhoodWinner(global.scores).winner).toBe(global.obj.positionsOf("init_once")[0]);
  });

  it("two copies each next to the object (both block edges) are ambiguous; enclosed beats an edge", () => {
    const edges = scoresOf(["t init_once", "t o_one", "t o_two", "t init_once", "t p_one"], O, "init_once");
    // the walk stops at the other copy, so each sees the same two anchors
    expect(edges.scores.map((s) => [s.placement, s.score])).toEqual([
      ["edge", 2],
      ["edge", 2],
    ]);
    expect(neighbourhoodWinner(edges.scores).winner).toBeNull();
    const enclosed = scoresOf(
      ["t o_one", "t init_once", "t o_two", "t init_once", "t p_one"],
      O,
      "init_once",
    );
    expect(enclosed.scores.map((s) => s.placement)).toEqual(["enclosed", "edge"]);
    expect(neighbourhoodWinner(enclosed.scores).winner).toBe(enclosed.obj.positionsOf("init_once")[0]);
  });

  it("stops at the first symbol the object does not have; skips __pfx_ stubs and data", () => {
    const { scores } = scoresOf(
      ["t o_one", "t p_foreign", "t o_two", "t __pfx_init_once", "t init_once", "d some_data", "t o_three"],
      O,
      "init_once",
    );
    expect(scores[0]!.leftAnchors).toEqual(["o_two"]);
    expect(scores[0]!.rightAnchors).toEqual(["o_three"]);
  });

  it("counts only anchors of the same section group (init text lies elsewhere) and only unique names", () => {
    const { scores } = scoresOf(["t o_init", "t init_once", "t o_one", "t o_one", "t p_one"], O, "init_once");
    expect(scores[0]!.leftAnchors).toEqual([]);
    expect(scores[0]!.rightAnchors).toEqual([]);
  });
});

describe("section groups", () => {
  it("folds -ffunction-sections/-fdata-sections names and keeps the kernel's own sections", () => {
    expect(sectionGroup(".text.init_once")).toBe(".text");
    expect(sectionGroup(".text")).toBe(".text");
    expect(sectionGroup(".text.unlikely.foo")).toBe(".text.unlikely");
    expect(sectionGroup(".init.text")).toBe(".init.text");
    expect(sectionGroup(".noinstr.text")).toBe(".noinstr.text");
    expect(sectionGroup(".data.rel.local.x")).toBe(".data");
    expect(sectionGroup(".bss.counter")).toBe(".bss");
    expect(sectionGroup(".data..percpu")).toBe(".data..percpu");
    expect(sectionGroup(".rodata.str1.1")).toBe(".rodata");
  });
});

describe("size fit", () => {
  it("measures the gap to the next symbol that is not a __pfx_ stub", () => {
    const t = table(["t f", "t __pfx_g", "t g", "t h"]);
    const obj = t.objects.get("vmlinux")!;
    const view = targetView(obj);
    const f = obj.positionsOf("f")[0]!;
    expect(sizeFit(view, f, 0x20n)).toEqual({ gap: 0x20n, next: "g", fits: true });
    expect(sizeFit(view, f, 0x21n).fits).toBe(false);
    const hidden = parseSymbolText(
      Buffer.from("0000000000000000 t f\n0000000000000000 t g\n"),
      "h",
      "kallsyms",
    );
    expect(sizeFit(targetView(hidden.objects.get("vmlinux")!), 0, 8n).fits).toBeNull();
  });
});

describe("STT_FILE blocks of a linked program", () => {
  it("place each same-named static in its file's block; the orig object's block stands out", async () => {
    const prog = await readElfFile(join(FIXTURES, "match/gcc/prog"));
    const blocks = fileBlocks(prog);
    const a = profileObject(await readElfFile(join(FIXTURES, "match/gcc/orig/a.o")));
    expect(a.file).toBe("a.c");
    const helpers = prog
      .symbols()
      .filter((s) => s.name === "helper")
      .map((s, i) => ({
        position: i,
        match: fileBlockMatch(vmlinuxFileBlock(blocks, "helper", s.value), a),
      }));
    expect(helpers.map((h) => h.match.file)).toEqual(["a.c", "b.c", "c.c"]);
    const verdict = fileBlockWinner(a, helpers);
    expect(verdict.winner).toBe(0);
    expect(helpers[0]!.match.similarity).toBe(1);
  });
});

describe("STT_FILE blocks of a module's .ko", () => {
  const ko = join(FIXTURES, "match/module/fixmod.ko");

  it("place each same-named static in its file's block, by position in the module's kallsyms order", async () => {
    const fixmod = (await readModule(ko)).objects.get("fixmod")!;
    const blocks = moduleFileBlocks(fixmod, fixmod)!;
    const a = profileObject(await readElfFile(join(FIXTURES, "match/module/orig/a.o")));
    const helpers = fixmod.positionsOf("helper").map((position) => ({
      position,
      match: fileBlockMatch(blocks.get(position), a),
    }));
    expect(helpers.map((h) => h.match.file)).toEqual(["a.c", "b.c", "c.c"]);
    expect(fileBlockWinner(a, helpers, "fixmod").winner).toBe(helpers[0]!.position);
    // the globals follow every file's locals: in no block
    const global = fixmod.positionsOf("a_api")[0]!;
    expect(fixmod.at(global).file).toBeNull();
    expect(blocks.get(global)).toBeUndefined();
  });

  it("are withheld when the loaded module's symbols are not the .ko's: positions would name others", async () => {
    const fixmod = (await readModule(ko)).objects.get("fixmod")!;
    const kallsyms = parseSymbolText(
      Buffer.from("ffffffffc0001000 t helper\t[fixmod]\nffffffffc0001010 t cmp\t[fixmod]\n"),
      "k",
      "kallsyms",
    ).objects.get("fixmod")!;
    expect(moduleFileBlocks(fixmod, kallsyms)).toBeNull();
  });
});
