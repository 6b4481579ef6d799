// The project's shape, read from its import statements: data flows cmd -> pipeline -> matcher ->
// lib -> elf, no module imports itself through others, and matcher/ and lib/ keep files short.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./paths.js";

const FOLDERS = ["elf", "lib", "matcher", "pipeline", "cmd"] as const;
type Layer = (typeof FOLDERS)[number] | "index.ts";

/** What each layer may import (besides packages and node: modules). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  elf: ["elf"],
  lib: ["elf", "lib"],
  matcher: ["elf", "lib", "matcher"],
  pipeline: ["elf", "lib", "matcher", "pipeline"],
  cmd: ["elf", "lib", "matcher", "pipeline", "cmd"],
  "index.ts": ["elf", "lib", "matcher", "pipeline"],
};

const MAX_LINES = 400;

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = posix.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

const files = [...FOLDERS.flatMap((f) => tsFiles(f)), "index.ts"].sort();
const texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));

/** The project files a file imports: static imports and re-exports, and dynamic import()s. */
function importsOf(file: string): string[] {
  const text = texts.get(file)!;
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm),
    ...text.matchAll(/^\s*import\s+"([^"]+)"/gm),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1]!);
  return specifiers
    .filter((s) => s.startsWith("."))
    .map((s) => relative(ROOT, join(ROOT, dirname(file), s)).replace(/\.js$/, ".ts"));
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

function layerOf(file: string): Layer {
  return file === "index.ts" ? "index.ts" : (file.split("/")[0] as Layer);
}

/** Strongly connected components of more than one file (or a file importing itself): Tarjan's. */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

describe("project structure", () => {
  it("reads the imports of every file of elf/ lib/ matcher/ pipeline/ cmd/ and index.ts", () => {
    for (const folder of FOLDERS)
      expect(
        files.some((f) => f.startsWith(`${folder}/`)),
        folder,
      ).toBe(true);
    // every relative import names a file that exists: the parse sees the real graph
    const missing = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => !texts.has(d)).map((d) => `${f} -> ${d}`),
    );
    expect(missing).toEqual([]);
    expect(graph.get("pipeline/match.ts")).toContain("matcher/match.ts");
  });

  it("has no import cycle", () => {
    expect(cycles()).toEqual([]);
  });

  it("imports only downwards: cmd -> pipeline -> matcher -> lib -> elf", () => {
    const breaks = [...graph].flatMap(([f, deps]) =>
      deps
        .filter((d) => texts.has(d) && !MAY_IMPORT[layerOf(f)].includes(layerOf(d)))
        .map((d) => `${f} -> ${d}`),
    );
    expect(breaks).toEqual([]);
  });

  it("keeps file I/O out of matcher/: pipeline/ reads the files and hands matcher/ the data", () => {
    const io =
      /\bfrom\s+"node:fs(?:\/promises)?"|\b(?:readElfFile|cachedElfReader|readInputFile|readInputText|loadKernelSymbols|readModuleObjects|readSymvers|readBuildTree|findObjectHome|pairTreeObjects|inputSha256|fileSha256)\b/;
    expect(files.filter((f) => f.startsWith("matcher/") && io.test(texts.get(f)!))).toEqual([]);
    expect(io.test(texts.get("pipeline/match.ts")!)).toBe(true);
  });

  it(`keeps every file of matcher/ and lib/ within ${MAX_LINES} lines`, () => {
    const long = files.filter(
      (f) => /^(matcher|lib)\//.test(f) && texts.get(f)!.split("\n").length - 1 > MAX_LINES,
    );
    expect(long).toEqual([]);
  });
});
