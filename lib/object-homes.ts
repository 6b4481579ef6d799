// Which kernel object each object of a kpatch-style tree is built into, told by the kernel's own
// build directory (`--build-dir`, the O= tree): a module's `<name>.mod` lists its objects
// (scripts/Makefile.build), vmlinux.a / built-in.a list what is linked into vmlinux
// (scripts/Makefile.vmlinux_a, scripts/Makefile.build), and an object's `.<name>.o.cmd` keeps the
// compile command, with `-DMODULE -DKBUILD_MODNAME=…` for an object of a module (scripts/Makefile.lib).
import { readdir } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { arMembers } from "./ar-archive.js";
import {
  BUILD_TOP_FILES,
  exists,
  findObjectHome,
  isBuildTop,
  modFiles,
  type ObjectHome,
  readBuildTree,
} from "./build-tree.js";
import { InputError } from "./input-error.js";
import { isDirectory, readInputFile, readInputText, toPosix } from "./input-files.js";
import { normalizeModuleName, VMLINUX } from "./kernel-table.js";

export interface KernelBuildDir {
  readonly root: string;
  /** Object path from the build's top → its module, from the `.mod` files. */
  readonly modules: ReadonlyMap<string, ObjectHome>;
  /** Objects the vmlinux archives list (paths from the build's top). */
  readonly vmlinuxObjects: ReadonlySet<string>;
  /** The object's home; throws InputError for an object the build neither links into vmlinux nor into a module. */
  homeOf(objectPath: string): Promise<ObjectHome>;
}

async function checkBuildTop(root: string): Promise<void> {
  if (!(await isDirectory(root))) throw new InputError(root, "--build-dir is not a directory");
  if (await isBuildTop(root)) return;
  throw new InputError(
    root,
    `not a kernel build directory: none of ${BUILD_TOP_FILES.join(", ")} nor .config with a Makefile`,
  );
}

/** The objects of the vmlinux archives, nested thin archives (built-in.a, lib.a) followed. */
async function archiveObjects(
  root: string,
  archive: string,
  into: Set<string>,
  seen: Set<string>,
): Promise<void> {
  if (seen.has(archive)) return;
  seen.add(archive);
  const bytes = await readInputFile(archive);
  let members: ReturnType<typeof arMembers>;
  try {
    members = arMembers(bytes);
  } catch (e) {
    throw new InputError(archive, `not a readable ar archive: ${(e as Error).message}`);
  }
  if (members === null) throw new InputError(archive, "not an ar archive");
  for (const name of members.names) {
    // thin archives name members from the archive's directory; -P keeps full paths (from the top)
    const fromTop = toPosix(members.thin ? relative(root, join(dirname(archive), name)) : name);
    const path = (await exists(join(root, fromTop))) ? fromTop : toPosix(name);
    if (path.endsWith(".a") && (await exists(join(root, path)))) {
      await archiveObjects(root, join(root, path), into, seen);
    } else into.add(path);
  }
}

async function vmlinuxObjects(root: string): Promise<Set<string>> {
  const objects = new Set<string>();
  const seen = new Set<string>();
  // ≥ 6.1: vmlinux.a; before: the top built-in.a and the lib.a files linked beside it
  const tops = ["vmlinux.a", "built-in.a", "lib/lib.a"];
  for (const top of tops)
    if (await exists(join(root, top))) await archiveObjects(root, join(root, top), objects, seen);
  for (const arch of await readdir(join(root, "arch")).catch(() => [] as string[])) {
    const lib = join(root, "arch", arch, "lib", "lib.a");
    if (await exists(lib)) await archiveObjects(root, lib, objects, seen);
  }
  return objects;
}

/** Every object a `.mod` lists must be in the build: a `.mod` naming missing objects is not this build's. */
async function checkModFiles(root: string): Promise<void> {
  for (const mod of await modFiles(root)) {
    const text = await readInputText(mod);
    for (const token of text.split(/\s+/)) {
      if (!token.endsWith(".o")) continue;
      const fromTop = join(root, token.replace(/^\.\//, ""));
      const beside = join(dirname(mod), token);
      if (!(await exists(fromTop)) && !(await exists(beside))) {
        throw new InputError(mod, `lists ${token}, which is not in the build directory ${root}`);
      }
    }
  }
}

/** The module an object's `.cmd` file says it is compiled for, VMLINUX for built-in code, null without one. */
async function homeFromCmd(root: string, objectPath: string): Promise<ObjectHome | null> {
  const cmd = join(root, dirname(objectPath), `.${basename(objectPath)}.cmd`);
  if (!(await exists(cmd))) return null;
  const text = await readInputText(cmd);
  const first = text.split("\n").find((l) => /^(saved)?cmd_/.test(l)) ?? "";
  const from = toPosix(relative(".", cmd));
  if (!/\s-DMODULE(\s|$)/.test(first))
    return { objname: VMLINUX, from: `${from}: compiled without -DMODULE` };
  const name = /-DKBUILD_MODNAME=(?:'"|\\"|"|KBUILD_STR\()([\w-]+)/.exec(first);
  if (name === null) return null;
  return { objname: normalizeModuleName(name[1]!), from: `${from}: -DMODULE -DKBUILD_MODNAME=${name[1]}` };
}

/** Reads a kernel build directory's record of which object goes where. */
export async function readKernelBuildDir(root: string): Promise<KernelBuildDir> {
  await checkBuildTop(root);
  await checkModFiles(root);
  const tree = await readBuildTree(root);
  const linked = await vmlinuxObjects(root);
  const top = toPosix(relative(".", root)) || ".";
  return {
    root,
    modules: tree.modules,
    vmlinuxObjects: linked,
    async homeOf(objectPath: string): Promise<ObjectHome> {
      const path = toPosix(objectPath);
      const mod = tree.modules.get(path);
      if (mod !== undefined) return { objname: mod.objname, from: `${top}/${mod.from}` };
      if (linked.has(path)) {
        const archive = (await exists(join(root, "vmlinux.a"))) ? "vmlinux.a" : "built-in.a";
        return { objname: VMLINUX, from: `${top}/${archive} lists it` };
      }
      const cmd = await homeFromCmd(root, path);
      // a .cmd without -DMODULE says built-in only when there is no archive to ask
      if (cmd !== null && (cmd.objname !== VMLINUX || linked.size === 0)) return cmd;
      throw new InputError(
        path,
        `the build directory ${top} neither links it into vmlinux (vmlinux.a/built-in.a) nor lists it in a module's .mod`,
      );
    },
  };
}

/** `--objname`: one module for every pair (`ext4`), or per object (`fs/ext4/inode.o=ext4`, repeatable). */
export interface ObjnameOverrides {
  readonly all: string | null;
  readonly perObject: ReadonlyMap<string, string>;
}

export function parseObjnames(values: string | readonly string[] | undefined): ObjnameOverrides {
  const list = values === undefined ? [] : typeof values === "string" ? [values] : values;
  let all: string | null = null;
  const perObject = new Map<string, string>();
  for (const value of list) {
    const eq = value.lastIndexOf("=");
    const objname = (eq < 0 ? value : value.slice(eq + 1)).trim();
    if (objname === "")
      throw InputError.usage("--objname", `'${value}' names no object (give vmlinux or a module)`);
    const normal = objname === VMLINUX ? VMLINUX : normalizeModuleName(objname);
    if (eq < 0) {
      if (all !== null && all !== normal) {
        throw InputError.usage(
          "--objname",
          `given twice for every pair (${all}, ${normal}): use PATH=MOD for one object`,
        );
      }
      all = normal;
    } else perObject.set(toPosix(value.slice(0, eq)).replace(/^\.\//, ""), normal);
  }
  return { all, perObject };
}

export interface ResolvedHome extends ObjectHome {
  /** No build record says it: matched against vmlinux, flagged OBJNAME_ASSUMED. */
  readonly assumed: boolean;
}

export interface HomeResolverOptions {
  /** Whether orig is a tree (pairs named by tree-relative path) or one object. */
  readonly tree: boolean;
  readonly orig: string;
  readonly buildDir?: string;
  readonly objname?: string | readonly string[];
}

export interface HomeResolver {
  homeOf(pair: { readonly orig: string; readonly relative: string }): Promise<ResolvedHome>;
  /** Whether a --build-dir was given (only it holds built .ko files). */
  readonly hasBuildDir: boolean;
  /** `--objname PATH=MOD` entries no pair used (a typo would otherwise pass silently). */
  unused(): string[];
  /** With --build-dir: the built `<module>.ko` beside the module's `.mod`, null when there is none. */
  moduleFile(objname: string): Promise<string | null>;
}

/** The tree path of a lone object inside a build: relative to it, or the longest known path it ends with. */
function buildPathOf(build: KernelBuildDir, orig: string): string {
  const rel = toPosix(relative(build.root, orig));
  if (!rel.startsWith("..")) return rel;
  const posix = toPosix(orig);
  const known = [...build.modules.keys(), ...build.vmlinuxObjects];
  const hits = known
    .filter((p) => posix === p || posix.endsWith(`/${p}`))
    .sort((a, b) => b.length - a.length);
  return hits[0] ?? posix;
}

/** Finds each pair's target object: --objname, then --build-dir, then the tree's own *.mod files. */
export async function homeResolver(opts: HomeResolverOptions): Promise<HomeResolver> {
  const overrides = parseObjnames(opts.objname);
  const used = new Set<string>();
  const build = opts.buildDir !== undefined ? await readKernelBuildDir(opts.buildDir) : null;
  const treeHomes = opts.tree && build === null ? await readBuildTree(opts.orig) : null;
  const assumedFrom = opts.tree
    ? "no *.mod file in the orig tree says which object it is built into: vmlinux assumed (give --build-dir or --objname)"
    : "no kernel build tree around it: vmlinux assumed (give --objname or --build-dir)";
  // each pair's home once: the module files and the match both ask (and a lookup may read .mod/.cmd files)
  const known = new Map<string, Promise<ResolvedHome>>();
  const find = async (pair: { readonly orig: string; readonly relative: string }): Promise<ResolvedHome> => {
    const path = toPosix(pair.relative);
    for (const [key, objname] of overrides.perObject) {
      if (path === key || path.endsWith(`/${key}`)) {
        used.add(key);
        return { objname, from: `--objname ${key}=${objname}`, assumed: false };
      }
    }
    if (overrides.all !== null) return { objname: overrides.all, from: "--objname", assumed: false };
    if (build !== null) {
      const home = await build.homeOf(opts.tree ? path : buildPathOf(build, pair.orig));
      return { ...home, assumed: false };
    }
    if (treeHomes !== null && treeHomes.modules.size > 0)
      return { ...treeHomes.homeOf(path), assumed: false };
    const lone = opts.tree ? null : await findObjectHome(pair.orig);
    if (lone !== null) return { ...lone, assumed: false };
    return { objname: VMLINUX, from: assumedFrom, assumed: true };
  };
  return {
    homeOf(pair) {
      const key = `${pair.orig}\0${pair.relative}`;
      let home = known.get(key);
      if (home === undefined) {
        home = find(pair);
        known.set(key, home);
      }
      return home;
    },
    hasBuildDir: build !== null,
    unused() {
      return [...overrides.perObject.keys()].filter((k) => !used.has(k));
    },
    async moduleFile(objname) {
      if (build === null || objname === VMLINUX) return null;
      for (const home of build.modules.values()) {
        if (home.objname !== objname) continue;
        const ko = join(build.root, home.from.replace(/\.mod$/, ".ko"));
        if (await exists(ko)) return ko;
      }
      return null;
    },
  };
}

/**
 * The built modules of a build directory for the pairs' target modules that the kernel has loaded:
 * their STT_FILE blocks are evidence when the .ko lists the loaded module's symbols one for one
 * (matcher/evidence.ts moduleFileBlocks). Modules not loaded are left out: kpatch-build leaves the
 * patched build in the directory, so its .ko need not be what would be loaded.
 */
export async function buildModuleFiles(
  homes: HomeResolver,
  pairs: readonly { readonly orig: string; readonly relative: string }[],
  loaded: (objname: string) => boolean,
  given: readonly string[],
): Promise<string[]> {
  // without a build directory there is no .ko to find
  if (!homes.hasBuildDir) return [];
  const out: string[] = [];
  const givenNames = new Set(given.map((ko) => normalizeModuleName(ko)));
  for (const pair of pairs) {
    const { objname } = await homes.homeOf(pair);
    if (objname === VMLINUX || givenNames.has(objname) || !loaded(objname)) continue;
    const ko = await homes.moduleFile(objname);
    if (ko !== null && !out.includes(ko)) out.push(ko);
  }
  return out;
}
