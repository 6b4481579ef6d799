// Module signature enforcement and kernel lockdown of a live system.
import type { LiveRead, LiveRoot } from "./read.js";

// kernel/module/signing.c: module_param(sig_enforce, bool_enable_only, 0644) — "Y" or "N"; absent
// without CONFIG_MODULE_SIG
const SIG_ENFORCE = "sys/module/module/parameters/sig_enforce";
// security/lockdown/lockdown.c lockdown_read(): "none integrity confidentiality" with the active
// level in brackets; absent without CONFIG_SECURITY_LOCKDOWN_LSM (or securityfs not mounted)
const LOCKDOWN = "sys/kernel/security/lockdown";

export type LockdownLevel = "none" | "integrity" | "confidentiality";

export async function readSigEnforce(root: LiveRoot): Promise<LiveRead<boolean>> {
  const r = await root.line(SIG_ENFORCE);
  if (!r.ok) return r;
  if (r.value === "Y" || r.value === "N") return { ok: true, path: r.path, value: r.value === "Y" };
  return { ok: false, path: r.path, reason: `expected Y or N, read '${r.value}'`, missing: false };
}

export function parseLockdown(text: string): LockdownLevel | null {
  const m = /\[(none|integrity|confidentiality)\]/.exec(text);
  return m === null ? null : (m[1] as LockdownLevel);
}

export async function readLockdown(root: LiveRoot): Promise<LiveRead<LockdownLevel>> {
  const r = await root.line(LOCKDOWN);
  if (!r.ok) return r;
  const level = parseLockdown(r.value);
  return level === null
    ? { ok: false, path: r.path, reason: `no [level] in '${r.value}'`, missing: false }
    : { ok: true, path: r.path, value: level };
}
