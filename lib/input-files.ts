// Reading the files a user names: contents with errors that name the file, their sha256 for
// reports, klpmatch's own version, and the object files of a build tree.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { fileErrorText, InputError } from "./input-error.js";

/** An fs error as an InputError naming `path`; other errors unchanged. */
function asInputError(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code;
  return code === undefined ? error : new InputError(path, fileErrorText(code));
}

/** The file's contents; a file that can't be read is an InputError naming it and why. */
export async function readInputFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw asInputError(error, path);
  }
}

export async function readInputText(path: string): Promise<string> {
  return (await readInputFile(path)).toString("utf8");
}

export async function fileSha256(path: string): Promise<string> {
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
export async function listKernelObjects(root: string): Promise<string[]> {
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
  const inPatched = new Set(patched);
  const inOrig = new Set(orig);
  return {
    both: orig.filter((r) => inPatched.has(r)),
    onlyOrig: orig.filter((r) => !inPatched.has(r)),
    onlyPatched: patched.filter((r) => !inOrig.has(r)),
  };
}
