// How every command ends: exit codes and the one-line error for bad input.
import { ElfFormatError } from "../elf/errors.js";
import { fileErrorText, InputError } from "../lib/input-error.js";
import { oneLine } from "../lib/one-line.js";

export const EXIT_OK = 0;
/** Something at or above --fail-on was flagged. */
export const EXIT_FLAGGED = 1;
/** Usage or input error: one line on stderr, no report written. */
export const EXIT_INPUT = 2;
/** A bug in klpmatch (anything thrown that is not an input error): sysexits.h EX_SOFTWARE. */
export const EXIT_INTERNAL = 70;

/** The one line printed for an error, or null when the error is not an input error (a bug). */
export function inputErrorLine(error: unknown): string | null {
  if (error instanceof ElfFormatError || error instanceof InputError) return error.message;
  if (isNodeFileError(error)) return `${error.path}: ${fileErrorText(error.code)}`;
  return null;
}

/** Some fs errors (EISDIR from a read) carry no path: add it, so the one-line error names the file. */
export function namingFile(error: unknown, path: string): unknown {
  if (error instanceof Error && "code" in error && !("path" in error)) Object.assign(error, { path });
  return error;
}

interface NodeFileError extends Error {
  code: string;
  path: string;
}

function isNodeFileError(error: unknown): error is NodeFileError {
  return (
    error instanceof Error &&
    typeof (error as Partial<NodeFileError>).code === "string" &&
    typeof (error as Partial<NodeFileError>).path === "string"
  );
}

/** Runs a command's action; input errors become one line and exit 2, bugs one line and exit 70. */
export async function runAction(action: () => Promise<number>): Promise<void> {
  let code: number;
  try {
    code = await action();
  } catch (error) {
    const line = inputErrorLine(error);
    if (line !== null) {
      process.stderr.write(`klpmatch: ${oneLine(line)}\n`);
      code = EXIT_INPUT;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`klpmatch: internal error: ${oneLine(message)}\n`);
      if (process.env.KLPMATCH_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ""}\n`);
      code = EXIT_INTERNAL;
    }
  }
  process.exitCode = code;
}
