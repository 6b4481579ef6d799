// /lib/modules/<release>/: where the kernel's modules are installed; modules.dep (written by
// depmod: `path.ko[.xz|.zst|.gz]: dependency paths`, relative to the directory) finds a module's .ko
// by its name.
import { normalizeModuleName } from "../kernel-table.js";
import type { LiveRead, LiveRoot } from "./read.js";

export interface ModulesDir {
  /** The directory, relative to the root ("lib/modules/6.12.117"). */
  readonly dir: string;
  readonly path: string;
  /** Module name → its file, relative to the root. */
  readonly files: ReadonlyMap<string, string>;
}

export function parseModulesDep(text: string, dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const file = line.slice(0, colon).trim();
    const rel = file.startsWith("/") ? file.slice(1) : `${dir}/${file}`;
    const name = normalizeModuleName(file);
    if (!files.has(name)) files.set(name, rel);
  }
  return files;
}

/** modules.dep of the release, in /lib/modules or /usr/lib/modules (merged /usr). */
export async function readModulesDir(root: LiveRoot, release: string): Promise<LiveRead<ModulesDir>> {
  let first: LiveRead<ModulesDir> | null = null;
  for (const base of ["lib/modules", "usr/lib/modules"]) {
    const dir = `${base}/${release}`;
    const r = await root.text(`${dir}/modules.dep`);
    if (r.ok)
      return { ok: true, path: r.path, value: { dir, path: r.path, files: parseModulesDep(r.value, dir) } };
    first ??= r;
  }
  return first!;
}
