// What verify --live could not read of the live system: one flag per file, naming it, its reason and
// the checks skipped because of it; or, for a file whose absence is a fact about the kernel, that fact.
import type { Flag } from "../lib/flags.js";
import { type LiveRead, type LiveSystem, readError } from "../lib/live/index.js";
import { raise } from "../lib/report/flag-codes.js";

export interface LiveFileFindings {
  readonly flags: Flag[];
  readonly notes: string[];
  /** The kernel cannot load modules at all: what loading prints (first of all). */
  readonly noModules: string | null;
  /** No CONFIG_LIVEPATCH: the unresolved klp_enable_patch, printed after the vermagic check. */
  readonly noLivepatch: string | null;
}

function unreadable(r: LiveRead<unknown> & { ok: false }, skipped: string): Flag {
  return raise("LIVE_UNREADABLE", `${readError(r)}: ${skipped}`);
}

/** Flags and notes for the live system's files. */
export function liveFileFlags(
  sys: LiveSystem,
  usesLiveKallsyms: boolean,
  moduleName: string,
): LiveFileFindings {
  const flags: Flag[] = [];
  const notes: string[] = [];
  if (!sys.release.ok) {
    flags.push(
      unreadable(
        sys.release,
        "the lookup rule is not taken from the running release (give --kernel), vermagic is not checked, /lib/modules is not searched",
      ),
    );
  }
  if (!sys.kallsyms.ok && !usesLiveKallsyms) {
    flags.push(unreadable(sys.kallsyms, "the kernel's symbols come from the files given instead"));
  }
  const support = supportFlags(sys, moduleName, flags, notes);
  if (!sys.filters.ok) {
    flags.push(
      unreadable(
        sys.filters,
        "what ftrace can attach to is not read from the filter-function list (only kallsyms types and noinstr/entry ranges are checked)",
      ),
    );
  } else if (!sys.filters.value.withAddresses) {
    notes.push(
      `${sys.filters.path}: names only (no available_filter_functions_addrs before 6.5): functions of duplicate names are checked by count`,
    );
  }
  if (!sys.sigEnforce.ok) {
    if (sys.sigEnforce.missing)
      notes.push(
        `${sys.sigEnforce.path} does not exist: the kernel has no CONFIG_MODULE_SIG, signatures are not checked`,
      );
    else flags.push(unreadable(sys.sigEnforce, "whether the kernel enforces module signatures is unknown"));
  }
  if (!sys.lockdown.ok) {
    if (sys.lockdown.missing)
      notes.push(
        `${sys.lockdown.path} does not exist: no lockdown LSM (or securityfs not mounted), taken as not locked down`,
      );
    else flags.push(unreadable(sys.lockdown, "whether the kernel is locked down is unknown"));
  }
  if (sys.modulesDir !== null && !sys.modulesDir.ok) {
    notes.push(
      `${readError(sys.modulesDir)}: target modules not loaded now and loaded patches' .ko files are not looked up there`,
    );
  }
  if (!sys.config.ok) notes.push(`kernel config not read (${readError(sys.config)})`);
  hiddenNote(sys, notes);
  flags.push(raise("LIVE_SYSTEM", summary(sys)));
  return { flags, notes, ...support };
}

/** Module and livepatch support: /proc/modules and /sys/kernel/livepatch, or why they are absent. */
function supportFlags(
  sys: LiveSystem,
  moduleName: string,
  flags: Flag[],
  notes: string[],
): { noModules: string | null; noLivepatch: string | null } {
  let noModules: string | null = null;
  let noLivepatch: string | null = null;
  if (!sys.modules.ok) {
    if (sys.modules.missing && sys.kallsyms.ok) {
      // kernel/module/procfs.c creates /proc/modules whenever CONFIG_MODULES is set
      noModules = "(no message: finit_module() fails with ENOSYS, the kernel has no module support)";
      flags.push(
        raise(
          "LIVEPATCH_UNSUPPORTED",
          `${readError(sys.modules)}: the kernel has no module support (CONFIG_MODULES), so no livepatch module can be loaded`,
        ),
      );
    } else {
      flags.push(
        unreadable(sys.modules, "which modules are loaded is taken from the kallsyms [module] tags only"),
      );
    }
  } else {
    notes.push(`${sys.modules.value.length} module(s) loaded (${sys.modules.path})`);
  }
  if (!sys.livepatches.ok) {
    if (sys.livepatches.missing && sys.sysKernel) {
      // kernel/livepatch/core.c klp_init() creates /sys/kernel/livepatch when CONFIG_LIVEPATCH is set
      // kernel/module/main.c simplify_symbols(): "%s: Unknown symbol %s (err %d)"
      noLivepatch = `${moduleName}: Unknown symbol klp_enable_patch (err -2)`;
      flags.push(
        raise(
          "LIVEPATCH_UNSUPPORTED",
          `${readError(sys.livepatches)}: the kernel has no livepatch support (CONFIG_LIVEPATCH): klp_enable_patch does not exist, insmod fails with "Unknown symbol klp_enable_patch"`,
        ),
      );
    } else {
      flags.push(
        unreadable(
          sys.livepatches,
          "loaded livepatches are not checked (stacking, atomic replace, transition, sympos between patches)",
        ),
      );
    }
  }
  return { noModules, noLivepatch };
}

/** One line of what was read, for the report's reader: the kernel, its modules, patches, ftrace list. */
function summary(sys: LiveSystem): string {
  const parts: string[] = [];
  parts.push(sys.release.ok ? `release ${sys.release.value}` : "release unknown");
  if (sys.kallsyms.ok) {
    const t = sys.kallsyms.value;
    const count = [...t.objects.values()].reduce((n, o) => n + o.count, 0);
    parts.push(
      `${sys.kallsyms.path}: ${count} symbols, ${t.addressesHidden ? "addresses hidden" : "addresses shown"}`,
    );
  }
  if (sys.modules.ok) parts.push(`${sys.modules.value.length} module(s) loaded`);
  if (sys.livepatches.ok) {
    const p = sys.livepatches.value;
    const desc = p.map(
      (x) =>
        `${x.name}${x.enabled === false ? " (disabled)" : ""}${x.transition ? " (in transition)" : ""}: ${x.objects.reduce((n, o) => n + o.funcs.length, 0)} func(s)`,
    );
    parts.push(p.length === 0 ? "no livepatch loaded" : `livepatches ${desc.join(", ")}`);
  }
  if (sys.filters.ok) {
    const n = [...sys.filters.value.objects.values()].reduce(
      (a, o) => a + [...o.names.values()].reduce((x, y) => x + y, 0),
      0,
    );
    parts.push(`${sys.filters.path}: ${n} ftrace records`);
  }
  parts.push(sys.sigEnforce.ok ? `sig_enforce ${sys.sigEnforce.value ? "Y" : "N"}` : "no sig_enforce");
  parts.push(sys.lockdown.ok ? `lockdown ${sys.lockdown.value}` : "no lockdown file");
  return `live system ${sys.root.root}: ${parts.join("; ")}`;
}

function hiddenNote(sys: LiveSystem, notes: string[]): void {
  if (!sys.kallsyms.ok || !sys.kallsyms.value.addressesHidden) return;
  const k = sys.kptrRestrict.ok ? `kptr_restrict=${sys.kptrRestrict.value}` : "kptr_restrict";
  const uid = typeof process.getuid === "function" ? ` (read as uid ${process.getuid()})` : "";
  // kernel/kallsyms.c kallsyms_show_value(): addresses print as 0 without CAP_SYSLOG (or with kptr_restrict=2)
  notes.push(
    `${sys.kallsyms.path} shows zero addresses${uid}, ${k}: the order of its lines is intact, so every lookup and old_sympos is checked exactly; not checked: addresses, the text range of a function (ftrace records by address, noinstr/entry ranges), neighbourhood by address. Run as root for those`,
  );
}
