// Everything `--live` reads of a system under a root directory, each file read once: the data, or
// for each file why it could not be read.
import type { KernelTable } from "../kernel-table.js";
import { type LoadedPatch, readLoadedPatches } from "./livepatch-sysfs.js";
import { type ModulesDir, readModulesDir } from "./modules-dir.js";
import {
  type ProcModule,
  readKernelConfig,
  readKptrRestrict,
  readLiveKallsyms,
  readModules,
  readRelease,
} from "./proc.js";
import { type LiveRead, LiveRoot } from "./read.js";
import { type LockdownLevel, readLockdown, readSigEnforce } from "./security.js";
import { type FilterFunctions, readFilterFunctions } from "./tracefs.js";

export interface LiveSystem {
  readonly root: LiveRoot;
  readonly release: LiveRead<string>;
  readonly kptrRestrict: LiveRead<number>;
  readonly modules: LiveRead<ProcModule[]>;
  readonly kallsyms: LiveRead<KernelTable>;
  readonly livepatches: LiveRead<LoadedPatch[]>;
  readonly filters: LiveRead<FilterFunctions>;
  readonly sigEnforce: LiveRead<boolean>;
  readonly lockdown: LiveRead<LockdownLevel>;
  /** null when the release is unknown (so is the directory). */
  readonly modulesDir: LiveRead<ModulesDir> | null;
  readonly config: LiveRead<Map<string, string>>;
  /** /sys/kernel exists: sysfs is there, so a missing /sys/kernel/livepatch means no CONFIG_LIVEPATCH. */
  readonly sysKernel: boolean;
}

export async function readLiveSystem(rootDir = "/"): Promise<LiveSystem> {
  const root = new LiveRoot(rootDir);
  const release = await readRelease(root);
  const releaseText = release.ok ? release.value : null;
  return {
    root,
    release,
    kptrRestrict: await readKptrRestrict(root),
    modules: await readModules(root),
    kallsyms: await readLiveKallsyms(root),
    livepatches: await readLoadedPatches(root),
    filters: await readFilterFunctions(root),
    sigEnforce: await readSigEnforce(root),
    lockdown: await readLockdown(root),
    modulesDir: releaseText === null ? null : await readModulesDir(root, releaseText),
    config: await readKernelConfig(root, releaseText),
    sysKernel: await root.exists("sys/kernel"),
  };
}
