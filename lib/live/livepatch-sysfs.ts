// /sys/kernel/livepatch: the livepatches the running kernel has loaded, and what each patches.
// kernel/livepatch/core.c: one directory per patch (the module's name) with `enabled` and
// `transition` ("%d\n"; `replace` where the kernel has it (6.12 does), `force` write-only), one
// directory per klp_object (its module name, "vmlinux" for a NULL name) holding `patched` (6.x) and
// one directory per function named "<old_name>,<old_sympos, or 1 when it is 0>".
import type { LiveRead, LiveRoot } from "./read.js";

export const LIVEPATCH_DIR = "sys/kernel/livepatch";

export interface LoadedFunc {
  readonly name: string;
  /** The sysfs number: old_sympos, but 1 for both 0 and 1 (the kernel names sympos 0 ",1"). */
  readonly sysfsSympos: number;
  /** The guest path of its directory. */
  readonly path: string;
}

export interface LoadedObject {
  readonly objname: string;
  /** `patched` (1: the object is loaded and patched, 0: waiting for its module), null when absent. */
  readonly patched: boolean | null;
  readonly funcs: readonly LoadedFunc[];
}

export interface LoadedPatch {
  readonly name: string;
  readonly enabled: boolean | null;
  readonly transition: boolean | null;
  /** klp_patch.replace as sysfs shows it, null where the kernel has no such attribute. */
  readonly replace: boolean | null;
  readonly objects: readonly LoadedObject[];
  readonly path: string;
}

const PATCH_FILES = new Set(["enabled", "transition", "replace", "force", "stack_order", "uevent"]);

function flagValue(r: LiveRead<string>): boolean | null {
  if (!r.ok) return null;
  return r.value === "1" ? true : r.value === "0" ? false : null;
}

/** "name,3" → name and 3; null when the directory name is not of that form. */
export function parseFuncDir(entry: string): { name: string; sympos: number } | null {
  const comma = entry.lastIndexOf(",");
  if (comma <= 0) return null;
  const n = Number(entry.slice(comma + 1));
  if (!Number.isInteger(n) || n < 1) return null;
  return { name: entry.slice(0, comma), sympos: n };
}

async function readObject(root: LiveRoot, rel: string, objname: string): Promise<LoadedObject> {
  const patched = flagValue(await root.line(`${rel}/patched`));
  const dirs = await root.list(rel, true);
  const funcs: LoadedFunc[] = [];
  for (const entry of dirs.ok ? dirs.value : []) {
    const f = parseFuncDir(entry);
    if (f !== null) funcs.push({ name: f.name, sysfsSympos: f.sympos, path: root.shown(`${rel}/${entry}`) });
  }
  return { objname, patched, funcs };
}

/** Every loaded livepatch; a missing directory means the kernel has no CONFIG_LIVEPATCH. */
export async function readLoadedPatches(root: LiveRoot): Promise<LiveRead<LoadedPatch[]>> {
  const top = await root.list(LIVEPATCH_DIR, true);
  if (!top.ok) return top;
  const patches: LoadedPatch[] = [];
  for (const name of top.value) {
    const rel = `${LIVEPATCH_DIR}/${name}`;
    const objects: LoadedObject[] = [];
    const entries = await root.list(rel, true);
    for (const objname of entries.ok ? entries.value : []) {
      if (PATCH_FILES.has(objname)) continue;
      objects.push(await readObject(root, `${rel}/${objname}`, objname));
    }
    patches.push({
      name,
      enabled: flagValue(await root.line(`${rel}/enabled`)),
      transition: flagValue(await root.line(`${rel}/transition`)),
      replace: flagValue(await root.line(`${rel}/replace`)),
      objects,
      path: root.shown(rel),
    });
  }
  return { ok: true, path: top.path, value: patches };
}
