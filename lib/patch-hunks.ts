// `--patch FILE.patch`: the unified diff the build applied (git diff, git format-patch, diff -u), read
// into the changed lines of each file and the function each changed line is in, so a report can point
// at `path/to/file.c:LINE` instead of at an object file.
import { InputError } from "./input-error.js";

/** One run of changed lines of a hunk inside one function. */
export interface PatchChange {
  /** The file's path in the patch, without the a/ b/ prefix (the new side's). */
  readonly file: string;
  /** The function the lines are in (as C declares it: no .isra/.cold suffix), null when unknown. */
  readonly func: string | null;
  /** The first changed line, numbered in the new file (a removal: the line after it). */
  readonly line: number;
  /** The last changed line of the run in the new file (≥ line). */
  readonly endLine: number;
  /** The `@@ … @@ context` git wrote, "" when none. */
  readonly context: string;
}

export interface PatchFile {
  readonly path: string;
  readonly changes: readonly PatchChange[];
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/**
 * The function a line of C opens, or null: a definition starts in column 0 (kernel style) with a
 * type or storage class and has `name(` with no `;` after it on the line.
 */
export function definedFunction(line: string): string | null {
  if (!/^[A-Za-z_]/.test(line) || /;\s*$/.test(line) || /^(if|for|while|switch|return|else)\b/.test(line)) {
    return null;
  }
  const m = /\b([A-Za-z_]\w*)\s*\([^;]*$/.exec(line);
  if (m === null || m[1] === undefined) return null;
  // `__attribute__((…)) int f(void)`: the last name before a `(` that opens a parameter list
  const names = [...line.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((x) => x[1]!);
  const real = names.filter(
    (n) =>
      !/^(__attribute__|__section|__aligned|__printf|__must_hold|__acquires|__releases|SYSCALL_DEFINE\d?)$/.test(
        n,
      ),
  );
  return real.length > 0 ? real[real.length - 1]! : null;
}

function stripPrefix(path: string): string {
  const p = path.split("\t")[0]!.trim();
  return p.replace(/^[ab]\//, "");
}

interface HunkState {
  file: string;
  newLine: number;
  func: string | null;
  context: string;
  run: { func: string | null; line: number; endLine: number } | null;
  out: PatchChange[];
}

function flush(h: HunkState): void {
  if (h.run === null) return;
  h.out.push({
    file: h.file,
    func: h.run.func,
    line: h.run.line,
    endLine: h.run.endLine,
    context: h.context,
  });
  h.run = null;
}

function changed(h: HunkState, line: number): void {
  if (h.run !== null && h.run.func === h.func) {
    h.run.endLine = Math.max(h.run.endLine, line);
    return;
  }
  flush(h);
  h.run = { func: h.func, line, endLine: line };
}

/** Every changed line of every file of a unified diff, grouped by the function it is in. */
export function parsePatch(path: string, text: string): PatchFile[] {
  const files = new Map<string, PatchChange[]>();
  let file: string | null = null;
  let h: HunkState | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  const lines = text.split(/\r?\n/);
  for (const raw of lines) {
    // a hunk shorter than its header said ends at the next header
    const header = raw.startsWith("@@ ") || raw.startsWith("diff ");
    if (h !== null && (oldLeft > 0 || newLeft > 0) && !header) {
      const tag = raw[0] ?? " ";
      const body = raw.slice(1);
      if (tag === "\\") continue;
      const f = definedFunction(body);
      if (tag === "+" || tag === "-") {
        if (f !== null) h.func = f;
        changed(h, h.newLine);
        if (tag === "+") {
          h.newLine++;
          newLeft--;
        } else oldLeft--;
      } else {
        flush(h);
        if (f !== null) h.func = f;
        h.newLine++;
        oldLeft--;
        newLeft--;
      }
      // a function's closing brace in column 0: what follows is outside it
      if (tag !== "-" && body.startsWith("}")) h.func = null;
      if (oldLeft <= 0 && newLeft <= 0) flush(h);
      continue;
    }
    if (h !== null) flush(h);
    if (raw.startsWith("+++ ")) {
      const p = stripPrefix(raw.slice(4));
      file = p === "/dev/null" ? null : p;
      continue;
    }
    const m = HUNK.exec(raw);
    if (m !== null && file !== null) {
      oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      newLeft = m[4] === undefined ? 1 : Number(m[4]);
      const context = (m[5] ?? "").trim();
      const out = files.get(file) ?? [];
      files.set(file, out);
      h = { file, newLine: Number(m[3]), func: definedFunction(context), context, run: null, out };
    }
  }
  if (files.size === 0) throw new InputError(path, "no hunk of a unified diff (--- / +++ / @@ lines) in it");
  return [...files.entries()].map(([p, changes]) => ({ path: p, changes }));
}

/** The C name of a compiler's symbol: `helper.isra.0`, `helper.cold`, `helper.llvm.123` → `helper`. */
export function sourceName(symbol: string): string {
  const dot = symbol.indexOf(".");
  return dot > 0 ? symbol.slice(0, dot) : symbol;
}

/**
 * The patch's file for an object: `relative` (its path in the tree, `.o` → `.c`) when the patch
 * names it, else the one file whose name ends in the object's STT_FILE name (or its own name, `.c`).
 */
export function patchFileFor(
  files: readonly PatchFile[],
  relative: string,
  sttFile: string | null,
): PatchFile | null {
  const asC = relative.replace(/\.o$/, ".c");
  const exact = files.find((f) => f.path === asC);
  if (exact !== undefined) return exact;
  const base = sttFile ?? asC.slice(asC.lastIndexOf("/") + 1);
  const tail = base.includes("/") ? base : `/${base}`;
  const hits = files.filter((f) => f.path === base || f.path.endsWith(tail));
  return hits.length === 1 ? hits[0]! : null;
}

/** Where a patch changed a function: each run of its changed lines, in patch order. */
export function changesOf(file: PatchFile, symbol: string): PatchChange[] {
  const name = sourceName(symbol);
  return file.changes.filter((c) => c.func === name);
}
