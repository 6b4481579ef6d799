// `match --patch FILE.patch`: each changed or new function tied to the lines of the patch that
// changed it (lib/patch-hunks.ts), by its object's source file (the path in the tree with .c, or
// its STT_FILE name) and the function each hunk line is in.
import { changesOf, type PatchFile, patchFileFor } from "../patch-hunks.js";
import type { FunctionReport, ObjectReport, SourceLines } from "./match-report.js";

/** The objects with `at` set on each function a patch changed (absent where none did). */
export function withPatchLines(
  objects: readonly ObjectReport[],
  patches: readonly (readonly PatchFile[])[],
  sttFileOf: (o: ObjectReport) => string | null,
): ObjectReport[] {
  return objects.map((o) => {
    const files = patches
      .map((p) => patchFileFor(p, o.relative, sttFileOf(o)))
      .filter((f): f is PatchFile => f !== null);
    if (files.length === 0) return o;
    const functions = o.functions.map((f): FunctionReport => {
      if (f.status === "deleted") return f;
      const at: SourceLines[] = files.flatMap((file) =>
        changesOf(file, f.name).map((c) => ({ file: c.file, line: c.line, endLine: c.endLine })),
      );
      return at.length === 0 ? f : { ...f, at };
    });
    return { ...o, functions };
  });
}

/** `file:line` of a function's first changed line, or null. */
export function firstLine(f: FunctionReport): SourceLines | null {
  return f.at?.[0] ?? null;
}
