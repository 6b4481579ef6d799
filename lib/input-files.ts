// Reading the files a user names: contents with errors that name the file, their sha256 for
// reports, klpmatch's own version, and the object files of a build tree.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, type Stats, statSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { fileErrorText, InputError } from "./input-error.js";

/** An fs error as an InputError naming `path`; other errors unchanged. */
function asInputError(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code;
  return code === undefined ? error : new InputError(path, fileErrorText(code));
}

/** Names of standard input: `-`, and the device paths that reach file descriptor 0. */
const STDIN_NAMES = new Set(["-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]);

export function isStdinName(path: string): boolean {
  return STDIN_NAMES.has(path);
}

/** What a file that is no regular file or directory is, for the refusal; null for a file. */
function streamKind(stats: Stats): string | null {
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return null;
}

/**
 * Refuses an input path that is a FIFO, device or socket (not `-` or /dev/stdin): reading one may
 * never end. Standard input is the one stream read, and only when it is no terminal.
 */
export function checkReadableInput(path: string): void {
  if (isStdinName(path)) {
    if (process.stdin.isTTY === true) {
      throw new InputError(path, "standard input is a terminal: pipe or redirect the file into it");
    }
    return;
  }
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return; // the read names what is wrong
  }
  const kind = streamKind(stats);
  if (kind !== null) {
    throw new InputError(path, `is ${kind}, not a file: give it as - (standard input) to stream it`);
  }
}

let stdinBytes: Promise<Buffer> | null = null;

/** Standard input, read once: a second reader (a report's hash) gets the same bytes. */
function readStdinOnce(): Promise<Buffer> {
  stdinBytes ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  return stdinBytes;
}

/**
 * The file's contents (`-` or /dev/stdin: standard input); a file that can't be read is an
 * InputError naming it and why, and so is a FIFO or device (see checkReadableInput).
 */
export async function readInputFile(path: string): Promise<Buffer> {
  checkReadableInput(path);
  if (isStdinName(path)) return readStdinOnce();
  try {
    return await readFile(path);
  } catch (error) {
    throw asInputError(error, path);
  }
}

/** The file's text (UTF-8; a byte-order mark before it is dropped). */
export async function readInputText(path: string): Promise<string> {
  const text = (await readInputFile(path)).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

async function fileSha256(path: string): Promise<string> {
  return bytesSha256(await readInputFile(path));
}

/** A report input's sha256: of `read`, its bytes when they were read already for other uses, else of the file. */
export async function inputSha256(path: string, read?: Promise<Uint8Array>): Promise<string> {
  return read ? bytesSha256(await read) : fileSha256(path);
}

/** The sha256 of bytes already read (a report's input that was read for other uses too). */
export function bytesSha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

let cachedVersion: string | null = null;

/** klpmatch's version from its package.json (found upwards from this file, source or dist). */
export function toolVersion(): string {
  if (cachedVersion !== null) return cachedVersion;
  cachedVersion = "0.0.0";
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
        if (pkg.name === "klpmatch" && typeof pkg.version === "string") {
          cachedVersion = pkg.version;
          break;
        }
      } catch {
        // not ours; keep looking
      }
    }
    dir = dirname(dir);
  }
  return cachedVersion;
}

/** A relative path with `/` separators, as reports and tree maps key them. */
export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** Object files of a build tree that can hold kernel code: not module glue, not vmlinux.o. */
function isKernelObject(name: string): boolean {
  return name.endsWith(".o") && !name.endsWith(".mod.o") && name !== "vmlinux.o" && !name.startsWith(".tmp");
}

const SKIPPED_DIRS = new Set([".git", "node_modules"]);

/** Relative paths (`/` separators) of the kernel object files under root, sorted. */
async function listKernelObjects(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw asInputError(error, dir);
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) await walk(join(dir, e.name));
      } else if (e.isFile() && isKernelObject(e.name)) out.push(toPosix(relative(root, join(dir, e.name))));
    }
  };
  await walk(root);
  return out.sort();
}

export interface TreeObjectPairs {
  /** Relative paths present in both trees. */
  readonly both: readonly string[];
  readonly onlyOrig: readonly string[];
  readonly onlyPatched: readonly string[];
}

/** The kernel objects of two build trees, paired by relative path. */
export async function pairTreeObjects(origDir: string, patchedDir: string): Promise<TreeObjectPairs> {
  const [orig, patched] = await Promise.all([listKernelObjects(origDir), listKernelObjects(patchedDir)]);
  // an empty tree is a wrong path, not a patch that changes nothing
  if (orig.length === 0)
    throw new InputError(origDir, "holds no kernel object files (*.o): not a build tree");
  if (patched.length === 0) {
    throw new InputError(patchedDir, "holds no kernel object files (*.o): not a build tree");
  }
  const inPatched = new Set(patched);
  const inOrig = new Set(orig);
  return {
    both: orig.filter((r) => inPatched.has(r)),
    onlyOrig: orig.filter((r) => !inPatched.has(r)),
    onlyPatched: patched.filter((r) => !inOrig.has(r)),
  };
}

/** Whether the path is a regular file (false when it is missing or unreadable). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Whether the path is a directory (false when it is missing or unreadable). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
