// The flag codes of `verify --live`: what the running system says about loading the patch there
// (its release and vermagic, loaded livepatches, ftrace's list, signatures). Part of FLAG_CODES.
import type { FlagCodeInfo } from "./flag-code-info.js";

export const LIVE_FLAG_CODES = {
  LIVE_UNREADABLE: {
    severity: "warning",
    raisedBy: ["verify"],
    meaning:
      "verify --live could not read a file of the live system (named, with the reason): the checks that need it were skipped, and the message says which",
  },
  LIVEPATCH_UNSUPPORTED: {
    severity: "error",
    raisedBy: ["verify"],
    meaning:
      "the running kernel cannot load this livepatch at all: no /sys/kernel/livepatch (no CONFIG_LIVEPATCH) or no /proc/modules (no CONFIG_MODULES)",
  },
  VERMAGIC_MISMATCH: {
    severity: "error",
    raisedBy: ["verify"],
    meaning:
      "the module's vermagic (release, SMP, preempt, mod_unload, modversions words) differs from the running kernel's: insmod fails with \"version magic '…' should be '…'\"",
  },
  MODULE_UNSIGNED: {
    severity: "error",
    alsoAt: ["info"],
    raisedBy: ["verify"],
    meaning:
      "the module carries no signature: refused when the kernel enforces signatures (sig_enforce) or is locked down; info when it only taints the kernel",
  },
  STACKED: {
    severity: "info",
    raisedBy: ["verify"],
    meaning:
      "a loaded livepatch already patches the target's function: the new patch's function runs over it (or replaces it, with klp_patch.replace)",
  },
  REPLACE_REVERTS: {
    severity: "error",
    alsoAt: ["info"],
    raisedBy: ["verify"],
    meaning:
      "an atomic-replace patch (klp_patch.replace) lacks functions a loaded patch patches: those fixes are reverted on load; info with --allow-revert",
  },
  TRANSITION_IN_PROGRESS: {
    severity: "error",
    raisedBy: ["verify"],
    meaning:
      "a loaded livepatch is still in transition: klp_enable_patch() returns -EBUSY until it completes",
  },
  SYMPOS_DIFFERS_LOADED: {
    severity: "error",
    alsoAt: ["warning"],
    raisedBy: ["verify"],
    meaning:
      "the target names the function a loaded (or --previous) patch patches under another old_sympos: an error when they name different copies; a warning for 0 against 1, which kernels before upstream commit 139560e8b973 take for two functions (klp_find_func compared exactly; an atomic replace then adds a nop of the same sysfs name and fails)",
  },
  FTRACE_NOT_LISTED: {
    severity: "error",
    alsoAt: ["info"],
    raisedBy: ["verify"],
    meaning:
      'the live tracefs filter-function list has no record for the target\'s function: the kernel will print "failed to find location for function"; info when the list cannot tell (duplicate names, no addresses)',
  },
  LIVE_SYSTEM: {
    severity: "info",
    raisedBy: ["verify"],
    meaning:
      "verify --live: what was read of the live system (release, symbols, modules, loaded livepatches, ftrace records, signature enforcement, lockdown)",
  },
  ALREADY_LOADED: {
    severity: "error",
    raisedBy: ["verify"],
    meaning:
      "verify --live: a module of the same name is loaded already: finit_module() fails with EEXIST (a new livepatch version needs a new module name)",
  },
} as const satisfies Record<string, FlagCodeInfo>;
