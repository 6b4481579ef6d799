// /proc of a live system: the kernel's release, kptr_restrict, its loaded modules and its symbols.

import { gunzipSync } from "node:zlib";
import { InputError } from "../input-error.js";
import { parseSymbolText } from "../kallsyms.js";
import type { KernelTable } from "../kernel-table.js";
import type { LiveRead, LiveRoot } from "./read.js";

const OSRELEASE = "proc/sys/kernel/osrelease";
const KPTR_RESTRICT = "proc/sys/kernel/kptr_restrict";
const PROC_MODULES = "proc/modules";
export const PROC_KALLSYMS = "proc/kallsyms";

/** One line of /proc/modules. */
export interface ProcModule {
  readonly name: string;
  readonly size: number;
  /** "Live", "Loading", "Unloading". */
  readonly state: string;
  /** null when printed as 0 (kptr_restrict hides it). */
  readonly address: bigint | null;
  /** The taint letters in parentheses ("OK" = out-of-tree + livepatch), "" when none. */
  readonly taint: string;
}

/**
 * /proc/modules lines: `name size refcnt deps state 0xaddress [(taint)]` (kernel/module/procfs.c
 * m_show(); deps is `-` or `a,b,`, the address 0 unless kallsyms_show_value()).
 */
export function parseProcModules(text: string): ProcModule[] {
  const out: ProcModule[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0] === "") continue;
    const address = /^0x[0-9a-f]+$/i.test(f[5]!) ? BigInt(f[5]!) : 0n;
    const taint = f[6]?.startsWith("(") ? f[6].slice(1, -1) : "";
    out.push({
      name: f[0]!,
      size: Number(f[1]),
      state: f[4]!,
      address: address === 0n ? null : address,
      taint,
    });
  }
  return out;
}

export async function readModules(root: LiveRoot): Promise<LiveRead<ProcModule[]>> {
  const r = await root.text(PROC_MODULES);
  return r.ok ? { ok: true, path: r.path, value: parseProcModules(r.value) } : r;
}

export async function readRelease(root: LiveRoot): Promise<LiveRead<string>> {
  return root.line(OSRELEASE);
}

export async function readKptrRestrict(root: LiveRoot): Promise<LiveRead<number>> {
  const r = await root.line(KPTR_RESTRICT);
  if (!r.ok) return r;
  const n = Number(r.value);
  return Number.isInteger(n)
    ? { ok: true, path: r.path, value: n }
    : { ok: false, path: r.path, reason: `not a number: '${r.value}'`, missing: false };
}

/** /proc/kallsyms as a table; a malformed file is a failed read naming the line. */
export async function readLiveKallsyms(root: LiveRoot): Promise<LiveRead<KernelTable>> {
  const r = await root.bytes(PROC_KALLSYMS);
  if (!r.ok) return r;
  if (r.value.length === 0) {
    return { ok: false, path: r.path, reason: "empty (no kallsyms, or not readable here)", missing: false };
  }
  try {
    return { ok: true, path: r.path, value: parseSymbolText(r.value, r.path, "kallsyms") };
  } catch (error) {
    // a malformed table is a failed read; anything else is a bug, not this file's fault
    if (!(error instanceof InputError)) throw error;
    return { ok: false, path: r.path, reason: error.reason, missing: false };
  }
}

/** The kernel's config options (`CONFIG_X=y` → X → "y"), from /proc/config.gz or /boot/config-<release>. */
export async function readKernelConfig(
  root: LiveRoot,
  release: string | null,
): Promise<LiveRead<Map<string, string>>> {
  // kernel/configs.c (CONFIG_IKCONFIG_PROC): /proc/config.gz is the gzipped .config
  const proc = await root.bytes("proc/config.gz");
  let text: string | null = null;
  let path = proc.path;
  if (proc.ok) {
    try {
      text = gunzipSync(proc.value).toString("utf8");
    } catch (error) {
      return { ok: false, path, reason: `bad gzip data: ${(error as Error).message}`, missing: false };
    }
  } else if (release !== null) {
    const boot = await root.text(`boot/config-${release}`);
    path = boot.path;
    if (!boot.ok) return { ...boot, reason: `${boot.reason} (nor ${proc.path}: ${proc.reason})` };
    text = boot.value;
  } else {
    return proc;
  }
  const config = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m !== null) config.set(m[1]!, m[2]!);
  }
  return { ok: true, path, value: config };
}
