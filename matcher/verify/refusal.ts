// Why the kernel refuses a function target whose lookup succeeded: the kallsyms size lookup fails
// (a per-CPU symbol), or ftrace has no location for it (data, freed init text, noinstr or entry
// code, a function its vmlinux or module file records no call site for).
import type { Flag } from "../../lib/flags.js";
import { symbolRow } from "../../lib/kernel-symbol-text.js";
import { type KernelObject, type KernelSymbol, VMLINUX } from "../../lib/kernel-table.js";
import type { LivepatchTarget } from "../../lib/livepatch/index.js";
import { raise } from "../../lib/report/flag-codes.js";
import { isStubSymbol } from "../../lib/symbol-name.js";
import type { ResolveResult } from "../sympos.js";
import type { ModuleFileFacts } from "./module-file.js";
import { hasSiteIn, type VmlinuxCallSites } from "./vmlinux-call-sites.js";

/** Where the symbol's code ends: its size when known, else the next higher address in kallsyms order. */
export function codeEnd(obj: KernelObject, symbol: KernelSymbol): bigint | null {
  if (symbol.address === null) return null;
  if (symbol.size !== null && symbol.size > 0n) return symbol.address + symbol.size;
  for (let p = symbol.position + 1; p < obj.count; p++) {
    const a = obj.at(p).address;
    if (a !== null && a > symbol.address) return a;
  }
  return null;
}

/** Why the vmlinux records no call site for this function, or null when it does (or can't tell). */
function noVmlinuxCallSite(obj: KernelObject, symbol: KernelSymbol, calls: VmlinuxCallSites): string | null {
  const end = codeEnd(obj, symbol);
  if (symbol.address === null || end === null) return null;
  // a kallsyms table is shifted by KASLR against the link addresses the vmlinux records
  if (calls.anchor === null) return null;
  const anchorHere = addressOf(obj, calls.anchor.name);
  if (anchorHere === null) return null;
  const shift = anchorHere - calls.anchor.address;
  if (hasSiteIn(calls.sites, symbol.address - shift, end - shift)) return null;
  return `${calls.path} records no ftrace call site in '${symbol.name}' (notrace, or assembly)`;
}

/** vmlinux text ranges without ftrace call sites, by their kallsyms marker symbols. */
const UNTRACED_RANGES: readonly (readonly [string, string, string])[] = [
  // noinstr functions are compiled without instrumentation (include/linux/compiler_types.h);
  // .cpuidle.text lies inside it on x86 and is noinstr too
  ["__noinstr_text_start", "__noinstr_text_end", ".noinstr.text (noinstr: never instrumented)"],
  ["__cpuidle_text_start", "__cpuidle_text_end", ".cpuidle.text (noinstr)"],
  // entry code is assembly without fentry calls
  ["__entry_text_start", "__entry_text_end", ".entry.text (entry assembly)"],
];

function addressOf(obj: KernelObject, name: string): bigint | null {
  const p = obj.positionsOf(name)[0];
  return p === undefined ? null : obj.at(p).address;
}

/** Why ftrace has no location for this vmlinux symbol, or null when nothing known says so. */
function untracedVmlinuxReason(obj: KernelObject, symbol: KernelSymbol): string | null {
  if (isStubSymbol(symbol.name)) return `'${symbol.name}' is call padding / a CFI stub, not a function entry`;
  if (symbol.address === null) return null;
  for (const [start, end, what] of UNTRACED_RANGES) {
    const s = addressOf(obj, start);
    const e = addressOf(obj, end);
    if (s !== null && e !== null && s !== 0n && symbol.address >= s && symbol.address < e) {
      return `'${symbol.name}' lies in ${what} (${start}..${end})`;
    }
  }
  return null;
}

// kernel/livepatch/core.c and patch.c print func->old_name — the name as the patch gives it, which
// under the 6.5.1–6.10.6 LTO rule differs from the kallsyms name it reached
const sizeLookupFailed = (oldName: string) => `kallsyms size lookup failed for '${oldName}'`;
export const noFtraceLocation = (oldName: string) => `failed to find location for function '${oldName}'`;

/** The refusal after a successful lookup of a function target: its message and flag. */
export function refusal(
  target: LivepatchTarget,
  obj: KernelObject,
  symbol: KernelSymbol,
  resolved: Extract<ResolveResult, { ok: true }>,
  facts: ModuleFileFacts | null,
  traceIndex: number | null,
  vmlinuxCalls: VmlinuxCallSites | null,
): { message: string; flag: Flag } | null {
  if (resolved.warning !== null) {
    if (resolved.refusedBy === "size-lookup") {
      // klp_init_object_loaded(): kallsyms_lookup_size_offset() fails → this message, -ENOENT
      const message = sizeLookupFailed(target.oldName);
      return {
        message,
        flag: raise(
          "SIZE_LOOKUP_FAILED",
          `position reaches ${symbolRow(symbol)}, an absolute (per-CPU) symbol outside the kernel image: klp_init_object_loaded() fails with "${message}"`,
        ),
      };
    }
    const why =
      symbol.type === "t" || symbol.type === "T" || symbol.type === "W"
        ? "it lies in init text, freed (with its ftrace records) after boot"
        : `it is not a function (type '${symbol.type}')`;
    const message = noFtraceLocation(target.oldName);
    return {
      message,
      flag: raise(
        "FTRACE_REFUSED",
        `resolves to ${symbolRow(symbol)}, but ${why}: ftrace refuses it with "${message}"`,
      ),
    };
  }
  let why: string | null = null;
  if (obj.objname === VMLINUX) {
    why = untracedVmlinuxReason(obj, symbol);
    if (why === null && vmlinuxCalls !== null) why = noVmlinuxCallSite(obj, symbol, vmlinuxCalls);
  } else if (facts !== null && traceIndex !== null && facts.traceable[traceIndex] === false) {
    why = `${facts.path} records no ftrace call site for '${symbol.name}' (notrace, or not a function)`;
  }
  if (why === null) return null;
  // kernel/livepatch/patch.c klp_patch_func(): no ftrace location → this message, -EINVAL
  const message = noFtraceLocation(target.oldName);
  return { message, flag: raise("FTRACE_REFUSED", `${why}: ftrace refuses it with "${message}"`) };
}
