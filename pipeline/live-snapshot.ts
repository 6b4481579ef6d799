// klpmatch snapshot: every file verify --live reads of a system, copied into a directory laid out as
// a root (DIR/proc/kallsyms, DIR/sys/kernel/livepatch/…), which `verify --live --root DIR` reads
// back — for checking a patch against a fleet's kernels elsewhere (CI).
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { InputError } from "../lib/input-error.js";
import { LIVEPATCH_DIR, type LiveSystem, readError, readLiveSystem } from "../lib/live/index.js";

export interface SnapshotResult {
  readonly out: string;
  /** Files copied, relative to the root. */
  readonly files: readonly string[];
  /** Directories recreated (livepatch function entries are empty directories). */
  readonly dirs: readonly string[];
  /** What could not be read, one line each. */
  readonly missing: readonly string[];
}

async function ensureEmpty(out: string): Promise<void> {
  try {
    const entries = await readdir(out);
    if (entries.length > 0)
      throw new InputError(out, "not empty: give a new or empty directory for the snapshot");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return;
    throw error;
  }
}

/** The livepatch tree's directories, so func entries (empty directories) survive the copy. */
function livepatchDirs(sys: LiveSystem): string[] {
  if (!sys.livepatches.ok) return sys.sysKernel ? ["sys/kernel"] : [];
  const dirs = [LIVEPATCH_DIR];
  for (const p of sys.livepatches.value) {
    dirs.push(`${LIVEPATCH_DIR}/${p.name}`);
    for (const o of p.objects) {
      dirs.push(`${LIVEPATCH_DIR}/${p.name}/${o.objname}`);
      for (const f of o.funcs)
        dirs.push(`${LIVEPATCH_DIR}/${p.name}/${o.objname}/${f.name},${f.sysfsSympos}`);
    }
  }
  return dirs;
}

/**
 * Reads the system under `root` as verify --live does and copies what it read into `out`, plus the
 * .ko files (from modules.dep) of the loaded livepatches and of the `modules` named.
 */
export async function snapshotLive(
  root: string,
  out: string,
  modules: readonly string[] = [],
): Promise<SnapshotResult> {
  await ensureEmpty(out);
  const sys = await readLiveSystem(root);
  const missing: string[] = [];
  const dir = sys.modulesDir;
  const wanted = [...modules, ...(sys.livepatches.ok ? sys.livepatches.value.map((p) => p.name) : [])];
  for (const name of wanted) {
    const rel = dir?.ok ? dir.value.files.get(name) : undefined;
    if (rel !== undefined) sys.root.noteRead(rel);
    else if (modules.includes(name))
      missing.push(`${name}: no .ko in ${dir === null ? "/lib/modules (release unknown)" : dir.path}`);
  }
  for (const r of [
    sys.release,
    sys.kptrRestrict,
    sys.modules,
    sys.kallsyms,
    sys.livepatches,
    sys.filters,
    sys.sigEnforce,
    sys.lockdown,
    sys.config,
  ]) {
    if (!r.ok) missing.push(readError(r));
  }
  if (dir !== null && !dir.ok) missing.push(readError(dir));
  const dirs = livepatchDirs(sys);
  await mkdir(out, { recursive: true });
  for (const d of dirs) await mkdir(join(out, d), { recursive: true });
  const files: string[] = [];
  for (const rel of sys.root.filesRead) {
    // proc and sysfs files report no size: read them whole rather than copy by length
    const bytes = await readFile(sys.root.shown(rel));
    await mkdir(dirname(join(out, rel)), { recursive: true });
    await writeFile(join(out, rel), bytes);
    files.push(rel);
  }
  return { out, files, dirs, missing };
}
