// Writes a report file whole or not at all: a temporary file beside it, then rename. What is at
// the path decides how (see writeFileAtomic); every error names the path the user gave.
import { randomBytes } from "node:crypto";
import { type Stats, writeFileSync } from "node:fs";
import { lstat, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileErrorText, InputError } from "./input-error.js";

/** An fs error while writing `path` as an InputError naming `path` (never the temporary file). */
function writeError(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === undefined) return error;
  const text = code === "ENOENT" ? "its directory does not exist" : fileErrorText(code);
  return new InputError(path, `cannot write the report: ${text}`);
}

async function statOrNull(get: () => Promise<Stats>): Promise<Stats | null> {
  try {
    return await get();
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw error;
  }
}

/** Replaces the regular file at `path` (or creates it) by a temporary file renamed over it. */
async function replaceAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, contents, { flag: "wx" });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Names of the process's standard output and error, written to their file descriptors. */
const STD_STREAMS = new Map([
  ["/dev/stdout", 1],
  ["/dev/fd/1", 1],
  ["/proc/self/fd/1", 1],
  ["/dev/stderr", 2],
  ["/dev/fd/2", 2],
  ["/proc/self/fd/2", 2],
]);

/**
 * Writes `contents` to `path` by what is there: /dev/stdout and /dev/stderr — their file
 * descriptors; nothing or a regular file — atomically, a
 * temporary file renamed over it; a symlink to a regular file (or to nothing) — its target,
 * atomically, the link kept; a character device (/dev/stdout, /dev/null) or a FIFO — written
 * through, never replaced; a directory, block device or socket — refused.
 */
export async function writeFileAtomic(path: string, contents: string | Uint8Array): Promise<void> {
  try {
    const fd = STD_STREAMS.get(path);
    if (fd !== undefined) {
      // the process's own stdout or stderr, whatever it is (a socket cannot be opened by name)
      writeFileSync(fd, contents);
      return;
    }
    const link = await statOrNull(() => lstat(path));
    const target = link?.isSymbolicLink() === true ? await statOrNull(() => stat(path)) : link;
    if (target?.isCharacterDevice() === true || target?.isFIFO() === true) {
      await writeFile(path, contents);
      return;
    }
    if (target?.isDirectory() === true) throw new InputError(path, "is a directory, not a report file");
    if (target !== null && !target.isFile()) {
      throw new InputError(path, "is a block device or socket: refusing to replace it");
    }
    if (link?.isSymbolicLink() === true && target === null) {
      throw new InputError(path, "is a symlink to nothing: refusing to create its target");
    }
    await replaceAtomically(link?.isSymbolicLink() === true ? await realpath(path) : path, contents);
  } catch (error) {
    throw error instanceof InputError ? error : writeError(error, path);
  }
}
