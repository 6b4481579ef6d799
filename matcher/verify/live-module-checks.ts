// What the running kernel checks of the module file before its init runs (signature, version magic)
// and what ftrace can attach to (tracefs filter-function list). Pure functions over data read in
// lib/live and lib/livepatch/modinfo.
import { hex } from "../../elf/layout.js";
import type { Flag } from "../../lib/flags.js";
import { type KernelObject, VMLINUX } from "../../lib/kernel-table.js";
import type { ProcModule } from "../../lib/live/proc.js";
import type { LockdownLevel } from "../../lib/live/security.js";
import type { FilterFunctions } from "../../lib/live/tracefs.js";
import type { LivepatchTarget } from "../../lib/livepatch/index.js";
import {
  type ModuleIdentity,
  parseVermagic,
  sameMagic,
  vermagicDifferences,
} from "../../lib/livepatch/modinfo.js";
import { raise, raiseAs } from "../../lib/report/flag-codes.js";
import type { TargetVerdict } from "../../lib/report/verify-types.js";
import { codeEnd, noFtraceLocation } from "./refusal.js";
import { hasSiteIn } from "./vmlinux-call-sites.js";

export interface ModuleGate {
  readonly identity: ModuleIdentity;
  /** The running release (osrelease), null when unreadable. */
  readonly release: string | null;
  /** The running kernel's full vermagic and where it came from, null when not derivable. */
  readonly kernelMagic: { readonly text: string; readonly from: string } | null;
  /** sig_enforce: null when the kernel has no CONFIG_MODULE_SIG (or it was unreadable). */
  readonly sigEnforce: boolean | null;
  readonly lockdown: LockdownLevel | null;
}

/** Findings and the first message insmod would print, at load time (before init). */
export function checkModuleGate(g: ModuleGate): { flags: Flag[]; notes: string[]; refusal: string | null } {
  const flags: Flag[] = [];
  const notes: string[] = [];
  let refusal: string | null = null;
  const name = g.identity.name ?? "?";
  // kernel/module/signing.c module_sig_check() runs first in load_module()
  if (!g.identity.signed) {
    if (g.sigEnforce === true) {
      refusal = "Loading of unsigned module is rejected";
      flags.push(
        raise(
          "MODULE_UNSIGNED",
          `the module has no signature ("~Module signature appended~") and sig_enforce is Y: insmod fails with -EKEYREJECTED, "${refusal}"`,
        ),
      );
    } else if (g.lockdown === "integrity" || g.lockdown === "confidentiality") {
      // security/lockdown/lockdown.c: LOCKDOWN_MODULE_SIGNATURE is below the integrity level
      refusal = "Lockdown: insmod: unsigned module loading is restricted; see man kernel_lockdown.7";
      flags.push(
        raise(
          "MODULE_UNSIGNED",
          `the module has no signature and the kernel is locked down (${g.lockdown}): insmod fails with -EPERM, "${refusal}"`,
        ),
      );
    } else if (g.sigEnforce === false) {
      flags.push(
        raiseAs(
          "MODULE_UNSIGNED",
          "info",
          `the module has no signature; sig_enforce is N, so it loads and taints the kernel ('E': "module verification failed: signature and/or required key missing - tainting kernel")`,
        ),
      );
    } else {
      notes.push("the kernel has no module signing (no sig_enforce parameter): the signature is not checked");
    }
  } else {
    notes.push("the module is signed: whether its key is in the kernel's keyring is not checked here");
  }
  const magic = magicCheck(g, name);
  flags.push(...magic.flags);
  notes.push(...magic.notes);
  refusal ??= magic.refusal;
  return { flags, notes, refusal };
}

/** kernel/module/main.c check_modinfo(): "%s: version magic '%s' should be '%s'" → -ENOEXEC. */
function magicCheck(g: ModuleGate, name: string): { flags: Flag[]; notes: string[]; refusal: string | null } {
  const mine = g.identity.vermagic;
  if (mine === null) {
    return {
      flags: [
        raise(
          "VERMAGIC_MISMATCH",
          "the module has no vermagic in .modinfo: the kernel refuses it (-ENOEXEC) unless forced",
        ),
      ],
      notes: [],
      refusal: `${name}: no version magic`,
    };
  }
  const m = parseVermagic(mine);
  if (g.kernelMagic !== null) {
    if (sameMagic(mine, g.kernelMagic.text, g.identity.hasCrcs)) {
      return {
        flags: [],
        notes: [`vermagic '${mine.trim()}' matches the running kernel's (${g.kernelMagic.from})`],
        refusal: null,
      };
    }
    const refusal = `${name}: version magic '${mine}' should be '${g.kernelMagic.text}'`;
    const why = vermagicDifferences(m, parseVermagic(g.kernelMagic.text)).join("; ");
    return {
      flags: [
        raise(
          "VERMAGIC_MISMATCH",
          `${why} (running kernel's vermagic from ${g.kernelMagic.from}): insmod fails with "${refusal}"`,
        ),
      ],
      notes: [],
      refusal,
    };
  }
  if (g.release === null)
    return { flags: [], notes: ["vermagic not checked: the running release is unknown"], refusal: null };
  if (m.release !== g.release && !g.identity.hasCrcs) {
    const refusal = `${name}: version magic '${mine}' should be '${g.release} …'`;
    return {
      flags: [
        raise(
          "VERMAGIC_MISMATCH",
          `built for ${m.release}, the running kernel is ${g.release}: insmod fails with "${refusal}"`,
        ),
      ],
      notes: [],
      refusal,
    };
  }
  return {
    flags: [],
    notes: [
      `vermagic release ${m.release} ${m.release === g.release ? "matches" : "differs (symbol CRCs decide instead)"}; its other words (SMP, preempt, mod_unload, modversions) are not checked: the kernel's config was not found (/proc/config.gz, /boot/config-${g.release})`,
    ],
    refusal: null,
  };
}

/**
 * kernel/livepatch/patch.c klp_patch_func(): a function no other patch patches yet needs an ftrace
 * record inside it (ftrace_location()); the filter list names exactly the records there are.
 */
export function ftraceListCheck(
  v: TargetVerdict,
  obj: KernelObject | undefined,
  filters: FilterFunctions,
): { flag: Flag; message: string | null } | null {
  const s = v.symbol;
  if (v.target.role !== "function" || v.outcome !== "resolved" || s === null || obj === undefined)
    return null;
  const listed = filters.objects.get(v.target.objname);
  const where = v.target.objname === VMLINUX ? "" : ` [${v.target.objname}]`;
  const sym = obj.at(s.position);
  const end = codeEnd(obj, sym);
  if (listed?.sites != null && sym.address !== null && end !== null) {
    if (hasSiteIn(listed.sites, sym.address, end)) return null;
    const message = noFtraceLocation(v.target.oldName);
    return {
      flag: raise(
        "FTRACE_NOT_LISTED",
        `${filters.path} has no ftrace record in ${s.name}${where} (${hex(sym.address)}..${hex(end)}): "${message}"`,
      ),
      message,
    };
  }
  const count = listed?.names.get(s.name) ?? 0;
  if (count === 0) {
    const message = noFtraceLocation(v.target.oldName);
    return {
      flag: raise(
        "FTRACE_NOT_LISTED",
        `${filters.path} does not list '${s.name}${where}': ftrace cannot attach to it, "${message}"`,
      ),
      message,
    };
  }
  const same = v.matches.length;
  if (count < same) {
    return {
      flag: raiseAs(
        "FTRACE_NOT_LISTED",
        "info",
        `${filters.path} lists '${s.name}${where}' ${count} time(s) for ${same} symbols of that name, and without addresses it cannot tell whether the one reached is among them`,
      ),
      message: null,
    };
  }
  return null;
}

/** A module with no targets patches nothing: for verify that is an error, not a warning. */
export function noTargetsFlag(targets: readonly LivepatchTarget[]): Flag | null {
  return targets.length === 0
    ? raiseAs(
        "NO_TARGETS",
        "error",
        "no klp_func, .kpatch.funcs or .klp.sym targets found: the module patches nothing the running kernel could be checked against",
      )
    : null;
}

/**
 * kernel/module/main.c early_mod_check() → module_patient_check_exists(): a module of the same name
 * is loaded → -EEXIST (insmod: "File exists"), after the signature and vermagic checks.
 */
export function alreadyLoaded(
  name: string | null,
  modules: readonly ProcModule[],
): { flag: Flag; refusal: string } | null {
  const m = name === null ? undefined : modules.find((x) => x.name === name);
  if (m === undefined) return null;
  return {
    flag: raise(
      "ALREADY_LOADED",
      `a module named '${m.name}' is loaded already (${m.state}): finit_module() fails with EEXIST; a new version of a livepatch needs a new module name`,
    ),
    refusal: `(no message: finit_module() fails with EEXIST, '${m.name}' is loaded)`,
  };
}
