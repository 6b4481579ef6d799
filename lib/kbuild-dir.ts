// A kernel build directory (kbuild's O= output) as input: recognised by its .config and
// modules.order; its linked objects (vmlinux.o, each module's <mod>.o) and the link order of the
// per-file objects in each (the members of the thin archive vmlinux.a, the objects a <mod>.mod lists).
import { readdir } from "node:fs/promises";
import { join, posix } from "node:path";
import { fileKind } from "../elf/file-kind.js";
import { arMembers } from "./ar-archive.js";
import { InputError } from "./input-error.js";
import { isFile, readInputFile, readInputText } from "./input-files.js";
import { normalizeModuleName, VMLINUX } from "./kernel-table.js";

/** One linked object of a build: vmlinux.o or a module's <mod>.o, with its per-file objects in link order. */
export interface LinkedObject {
  /** "vmlinux" or the module's name as the kernel knows it. */
  readonly objname: string;
  /** Path from the build directory's top (`/` separators): `vmlinux.o`, `drivers/foo/bar.o`. */
  readonly path: string;
  /** The per-file objects linked into it, in link order, from the top; null when unknown. */
  readonly members: readonly string[] | null;
}

export interface KbuildDir {
  readonly root: string;
  readonly config: string;
  readonly vmlinux: LinkedObject;
  readonly modules: readonly LinkedObject[];
}

/**
 * Whether `dir` is a kernel build's top: scripts/Makefile writes .config there and, at the top,
 * modules.order (one per directory that builds modules too, but only the top has .config).
 */
export async function isKbuildDir(dir: string): Promise<boolean> {
  return (await isFile(join(dir, ".config"))) && (await isFile(join(dir, "modules.order")));
}

/** The member paths of a GNU thin archive (ar T), relative to its directory (lib/ar-archive.ts reads it). */
export function thinArchiveMembers(bytes: Uint8Array, path: string): string[] {
  let members: ReturnType<typeof arMembers>;
  try {
    members = arMembers(bytes);
  } catch (error) {
    throw new InputError(path, (error as Error).message);
  }
  if (members === null || !members.thin) throw new InputError(path, "not a thin archive (no !<thin> magic)");
  return [...members.names];
}

/**
 * Link-order members of vmlinux.o: vmlinux.a's, flattened (a member that is itself a thin archive),
 * then the library archives' (scripts/Makefile.vmlinux_o links KBUILD_VMLINUX_LIBS after it, taking
 * only the members something needs: the order holds, some are missing).
 */
async function vmlinuxMembers(root: string): Promise<string[] | null> {
  const archive = join(root, "vmlinux.a");
  if (!(await isFile(archive))) return null;
  const out: string[] = [];
  const visit = async (file: string, fromTop: string, bytes?: Uint8Array): Promise<void> => {
    for (const m of thinArchiveMembers(bytes ?? (await readInputFile(file)), file)) {
      const rel = posix.normalize(posix.join(posix.dirname(fromTop), m));
      if (rel.endsWith(".a")) await visit(join(root, rel), rel);
      else out.push(rel);
    }
  };
  await visit(archive, "vmlinux.a");
  const libs = ["lib/lib.a"];
  try {
    for (const arch of await readdir(join(root, "arch"))) libs.push(`arch/${arch}/lib/lib.a`);
  } catch {
    // no arch/ directory: no arch library
  }
  for (const lib of libs) {
    if (!(await isFile(join(root, lib)))) continue;
    const bytes = await readInputFile(join(root, lib));
    // a regular lib.a (older kbuild) holds no paths to follow
    if (fileKind(bytes) === "thin-archive") await visit(join(root, lib), lib, bytes);
  }
  return out;
}

function linesOf(text: string): string[] {
  return text
    .split(/\s+/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** The modules of modules.order (`dir/name.o` since 5.16, `kernel/dir/name.ko` before) with their .mod lists. */
async function modulesOf(root: string): Promise<LinkedObject[]> {
  const out: LinkedObject[] = [];
  for (const line of linesOf(await readInputText(join(root, "modules.order")))) {
    const path = line.replace(/^kernel\//, "").replace(/\.ko$/, ".o");
    const mod = join(root, path.replace(/\.o$/, ".mod"));
    // scripts/Makefile.build links <mod>.o from the objects its <mod>.mod lists, paths from the top
    const members = (await isFile(mod))
      ? linesOf(await readInputText(mod)).filter((m) => m.endsWith(".o"))
      : null;
    out.push({ objname: normalizeModuleName(posix.basename(path, ".o")), path, members });
  }
  return out;
}

/** Reads a build directory; one with a .config and modules.order but no vmlinux.o is an InputError. */
export async function readKbuildDir(root: string): Promise<KbuildDir> {
  const vmlinuxO = join(root, "vmlinux.o");
  if (!(await isFile(vmlinuxO))) {
    throw new InputError(
      vmlinuxO,
      "missing: this build directory has no vmlinux.o (build it with `make vmlinux.o`, or a full `make`, in both trees)",
    );
  }
  return {
    root,
    config: await readInputText(join(root, ".config")),
    vmlinux: { objname: VMLINUX, path: "vmlinux.o", members: await vmlinuxMembers(root) },
    modules: await modulesOf(root),
  };
}

/** The CONFIG_ lines of a .config that differ between two builds (comments and order ignored). */
export function configDifferences(a: string, b: string): string[] {
  const settings = (text: string): Map<string, string> => {
    const m = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
      const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
      if (set) m.set(set[1]!, set[2]!);
      else if (unset) m.set(unset[1]!, "n");
    }
    return m;
  };
  const sa = settings(a);
  const sb = settings(b);
  const names = new Set([...sa.keys(), ...sb.keys()]);
  return [...names].filter((n) => (sa.get(n) ?? "n") !== (sb.get(n) ?? "n")).sort();
}
