// Which kernel symbol names the livepatch core counts as equal to old_name, per kernel era
// (design note §3, read from kernel/livepatch/core.c and kernel/kallsyms.c of each release).
import { InputError } from "./input-error.js";
import type { KernelTable, NameIndex } from "./kernel-table.js";
import { cutAtFirstDot, stripLlvmSuffix } from "./symbol-name.js";

export type LookupRule = "exact" | "first-dot" | "exact-or-llvm" | "llvm-stripped";

export interface RuleChoice {
  readonly rule: LookupRule;
  readonly why: string;
  /** True when nothing said which kernel this is and the table looks LTO: the rule is a guess. */
  readonly assumed: boolean;
}

/** The names `clean` changes, filed under their cleaned form (names it keeps are found exactly). */
function cleanedIndex(clean: (kernelName: string) => string): NameIndex {
  return {
    key: (n) => {
      const c = clean(n);
      return c === n ? null : c;
    },
  };
}

/** The cleaned-name indexes, one per cleaning: rules that clean alike and candidates.ts share one. */
export const CLEANED_INDEXES = {
  firstDot: cleanedIndex(cutAtFirstDot),
  llvm: cleanedIndex(stripLlvmSuffix),
} as const;

export interface RuleDefinition {
  readonly rule: LookupRule;
  /** Kernel versions (CONFIG_LTO_CLANG vmlinux) that compare this way. */
  readonly kernels: string;
  /** Also matches when the kernel's full name equals the query. */
  readonly exactToo: boolean;
  /** The cleaned form of a kernel name compared against the query; null: exact only. */
  readonly clean: ((kernelName: string) => string) | null;
  /** The index of the names `clean` changes (null with `clean`). */
  readonly cleanedIndex: NameIndex | null;
  /**
   * The kernel finds candidates by binary search over cleaned names (6.2–6.10.6 LTO), so a
   * query containing a `.` may be missed altogether (design note §3).
   */
  readonly dottedQueryUnreliable: boolean;
  /** The old_name a livepatch should use to reach a kernel symbol of this name. */
  readonly queryFor: (kernelName: string) => string;
}

export const RULES: Readonly<Record<LookupRule, RuleDefinition>> = {
  exact: {
    rule: "exact",
    kernels: "non-LTO kernels; clang LTO up to 6.1.y and from 6.10.7 / 6.11",
    exactToo: true,
    clean: null,
    cleanedIndex: null,
    dottedQueryUnreliable: false,
    queryFor: (name) => name,
  },
  // 6.2: cleanup_symbol_name() cuts a clang-LTO name at its first '.' (kernel/kallsyms.c)
  "first-dot": {
    rule: "first-dot",
    kernels: "clang LTO 6.2 – 6.4",
    exactToo: true,
    clean: cutAtFirstDot,
    cleanedIndex: CLEANED_INDEXES.firstDot,
    dottedQueryUnreliable: true,
    queryFor: (name) => (cutAtFirstDot(name) === "" ? name : cutAtFirstDot(name)),
  },
  // 6.5: cleanup_symbol_name() cuts at ".llvm." only; compare_symbol_name() tries the full name first
  "exact-or-llvm": {
    rule: "exact-or-llvm",
    kernels: "clang LTO 6.5.0",
    exactToo: true,
    clean: stripLlvmSuffix,
    cleanedIndex: CLEANED_INDEXES.llvm,
    dottedQueryUnreliable: true,
    queryFor: stripLlvmSuffix,
  },
  // 6.5.1 (stable) – 6.10.6: the livepatch callback compares only the cleaned name
  "llvm-stripped": {
    rule: "llvm-stripped",
    kernels: "clang LTO 6.5.1 – 6.10.6",
    exactToo: false,
    clean: stripLlvmSuffix,
    cleanedIndex: CLEANED_INDEXES.llvm,
    dottedQueryUnreliable: true,
    queryFor: stripLlvmSuffix,
  },
};

export const LOOKUP_RULES = Object.keys(RULES) as LookupRule[];

function isLookupRule(value: string): value is LookupRule {
  return Object.hasOwn(RULES, value);
}

/** True when kernel name `kernelName` counts as a match for `query` under `rule`. */
export function ruleMatches(rule: LookupRule, kernelName: string, query: string): boolean {
  const def = RULES[rule];
  if (def.exactToo && kernelName === query) return true;
  return def.clean !== null && def.clean(kernelName) === query;
}

/** [major, minor, patch] of a version string like `6.5.1`, `6.12.117+deb12-amd64`, `6.1.0-56-amd64`. */
export function parseKernelVersion(version: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function compareVersion(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Version ranges [from, to) of the LTO-only rules; every other version compares exactly. */
const LTO_ERAS: readonly {
  from: [number, number, number];
  to: [number, number, number];
  rule: LookupRule;
}[] = [
  { from: [6, 2, 0], to: [6, 5, 0], rule: "first-dot" },
  { from: [6, 5, 0], to: [6, 5, 1], rule: "exact-or-llvm" },
  { from: [6, 5, 1], to: [6, 10, 7], rule: "llvm-stripped" },
];

/** The rule a clang-LTO vmlinux of this version uses. */
export function ltoRuleFor(version: [number, number, number]): LookupRule {
  for (const era of LTO_ERAS) {
    if (compareVersion(version, era.from) >= 0 && compareVersion(version, era.to) < 0) return era.rule;
  }
  return "exact";
}

/** Picks the rule: an explicit --rule, else --kernel plus LTO detection, else exact (noted when LTO). */
export function chooseRule(table: KernelTable, opts: { rule?: string; kernel?: string }): RuleChoice {
  if (opts.rule !== undefined && opts.kernel !== undefined) {
    throw InputError.usage("--rule", "give either --rule or --kernel, not both");
  }
  if (opts.rule !== undefined) {
    if (!isLookupRule(opts.rule)) {
      throw InputError.usage("--rule", `unknown rule '${opts.rule}' (one of: ${LOOKUP_RULES.join(", ")})`);
    }
    return { rule: opts.rule, why: `--rule ${opts.rule} (${RULES[opts.rule].kernels})`, assumed: false };
  }
  if (opts.kernel !== undefined) {
    const version = parseKernelVersion(opts.kernel);
    if (version === null) throw InputError.usage("--kernel", `not a kernel version: '${opts.kernel}'`);
    if (!table.hasLlvmNames) {
      return {
        rule: "exact",
        why: `kernel ${opts.kernel}, not clang LTO (no .llvm. name in vmlinux): exact names`,
        assumed: false,
      };
    }
    const rule = ltoRuleFor(version);
    return {
      rule,
      why: `kernel ${opts.kernel} with clang LTO (.llvm. names in vmlinux): ${RULES[rule].kernels}`,
      assumed: false,
    };
  }
  if (table.hasLlvmNames) {
    return {
      rule: "exact",
      why: "clang LTO kernel (.llvm. names in vmlinux) of unknown version: assumed exact (right for ≤6.1 and ≥6.10.7); give --kernel or --rule",
      assumed: true,
    };
  }
  return {
    rule: "exact",
    why: "no .llvm. name in vmlinux: not clang LTO, names compare exactly",
    assumed: false,
  };
}
