// lib/: kernel knowledge and I/O — symbol tables, the lookup rules, report rendering.

export { writeFileAtomic } from "./atomic-write.js";
export { type Flag, failsAt, flag, isSeverity, SEVERITIES, type Severity, worstSeverity } from "./flags.js";
export { InputError } from "./input-error.js";
export * from "./kallsyms.js";
export * from "./kernel-symbols.js";
export * from "./kernel-table.js";
export * from "./module-symbols.js";
export * from "./rules.js";
export * from "./symbol-name.js";
export * from "./sympos-report.js";
export * from "./system-map.js";
export * from "./vmlinux-symbols.js";
