// lib/: kernel knowledge and I/O — symbol tables, the lookup rules, report rendering.

export { writeFileAtomic } from "./atomic-write.js";
export { type Flag, failsAt, flag, isSeverity, SEVERITIES, type Severity, worstSeverity } from "./flags.js";
export { InputError } from "./input-error.js";
export * from "./symbol-name.js";
