// Which kernel object (vmlinux or a module) each object file of a kernel build tree ends up in:
// Kbuild writes `<module>.mod` listing a module's objects, and `modules.order` lists the modules.
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { readInputText, toPosix } from "./input-files.js";
import { normalizeModuleName, VMLINUX } from "./kernel-table.js";

export interface ObjectHome {
  /** "vmlinux" or the module name as the kernel knows it (`-` → `_`). */
  readonly objname: string;
  /** Where that came from: `drivers/foo/bar.mod`, or "no *.mod lists it". */
  readonly from: string;
}

export interface BuildTreeMap {
  readonly root: string;
  /** Object path relative to the root (`/` separators) → its module. */
  readonly modules: ReadonlyMap<string, ObjectHome>;
  homeOf(objectPath: string): ObjectHome;
}

const SKIP_DIRS = new Set([".git", "node_modules", ".tmp_versions", "Documentation"]);

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every `*.mod` under the root (or those modules.order names, when it exists). */
export async function modFiles(root: string): Promise<string[]> {
  const order = join(root, "modules.order");
  if (await exists(order)) {
    const lines = (await readInputText(order)).split(/\r?\n/).filter((l) => l.trim() !== "");
    // modules.order lists `dir/name.o` (≥5.16) or `kernel/dir/name.ko` (older): the .mod sits beside
    const mods = lines.map((l) =>
      join(
        root,
        l
          .trim()
          .replace(/^kernel\//, "")
          .replace(/\.(k?o)$/, ".mod"),
      ),
    );
    const found: string[] = [];
    for (const m of mods) if (await exists(m)) found.push(m);
    if (found.length > 0) return found;
  }
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(join(dir, e.name));
      } else if (e.isFile() && e.name.endsWith(".mod")) found.push(join(dir, e.name));
    }
  };
  await walk(root);
  return found.sort();
}

/**
 * Reads the modules of a build tree. A `.mod` file lists its objects separated by white space,
 * as paths from the tree's root (scripts/Makefile.build writes `$(real-prereqs)` of the module).
 */
export async function readBuildTree(root: string): Promise<BuildTreeMap> {
  const modules = new Map<string, ObjectHome>();
  for (const mod of await modFiles(root)) {
    const objname = normalizeModuleName(basename(mod, ".mod"));
    const from = toPosix(relative(root, mod));
    const text = await readInputText(mod);
    for (const token of text.split(/\s+/)) {
      if (!token.endsWith(".o")) continue;
      // paths are from the root; older kernels wrote them relative to the .mod's directory
      const fromRoot = toPosix(token.replace(/^\.\//, ""));
      const beside = toPosix(relative(root, join(dirname(mod), token)));
      const key =
        (await exists(join(root, fromRoot))) || !(await exists(join(root, beside))) ? fromRoot : beside;
      if (!modules.has(key)) modules.set(key, { objname, from });
    }
  }
  return {
    root,
    modules,
    homeOf(objectPath: string): ObjectHome {
      return modules.get(toPosix(objectPath)) ?? { objname: VMLINUX, from: "no *.mod lists it: vmlinux" };
    },
  };
}

/**
 * A kernel build's top directory holds one of these (Kbuild writes them there), or .config with a
 * Makefile. Not modules.order nor built-in.a: scripts/Makefile.build writes them into every
 * directory it descends into ($(obj)/modules.order, $(obj)/built-in.a).
 */
export const BUILD_TOP_FILES = ["vmlinux.a", "vmlinux.o", "vmlinux", "Module.symvers"];

export async function isBuildTop(dir: string): Promise<boolean> {
  for (const name of BUILD_TOP_FILES) if (await exists(join(dir, name))) return true;
  return (await exists(join(dir, ".config"))) && (await exists(join(dir, "Makefile")));
}

/** Whether the `.mod` file at `mod` lists the object at `object` (both absolute paths). */
async function modListsObject(mod: string, object: string): Promise<boolean> {
  const modDir = dirname(mod);
  let text: string;
  try {
    text = await readInputText(mod);
  } catch {
    return false;
  }
  for (const token of text.split(/\s+/)) {
    if (!token.endsWith(".o")) continue;
    // Older kernels wrote paths relative to the .mod's directory.
    if (resolve(modDir, token) === object) return true;
    // Newer ones write them from the build's top: a build top the object and the .mod both lie under.
    const tail = token.replace(/^\.\//, "").split("/").join(sep);
    if (!object.endsWith(sep + tail)) continue;
    const top = object.slice(0, object.length - tail.length - 1);
    if ((modDir === top || modDir.startsWith(top + sep)) && (await isBuildTop(top))) return true;
  }
  return false;
}

/**
 * The kernel object one object file of a kernel build ends up in, found without walking the whole
 * tree: a module's `<name>.mod` sits beside its `<name>.o` in the directory of the Makefile that
 * builds it (scripts/Makefile.build links it with `@$(patsubst %.o,%.mod,$@)`), which is the
 * object's directory or one above it. Looks upwards from the object to the build's top (where
 * Module.symvers, vmlinux(.o), or .config with a Makefile lie): an object no
 * `.mod` on the way lists is built into vmlinux. null when there is no build top above the object
 * (a copy taken out of its tree): which object it belongs to is then unknown.
 */
export async function findObjectHome(objectPath: string): Promise<ObjectHome | null> {
  const object = resolve(objectPath);
  for (let dir = dirname(object); ; dir = dirname(dir)) {
    let entries: string[];
    try {
      entries = (await readdir(dir)).filter((name) => name.endsWith(".mod")).sort();
    } catch {
      entries = [];
    }
    for (const name of entries) {
      const mod = join(dir, name);
      if (await modListsObject(mod, object)) {
        return { objname: normalizeModuleName(basename(name, ".mod")), from: toPosix(relative(".", mod)) };
      }
    }
    if (await isBuildTop(dir)) {
      return {
        objname: VMLINUX,
        from: `no *.mod up to the build's top ${toPosix(relative(".", dir)) || "."} lists it: vmlinux`,
      };
    }
    if (dirname(dir) === dir) return null;
  }
}
