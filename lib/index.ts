// lib/: kernel knowledge and I/O — symbol tables, the lookup rules, report rendering.

export { writeFileAtomic } from "./atomic-write.js";
export * from "./build-tree.js";
export { type Flag, failsAt, flag, isSeverity, SEVERITIES, type Severity, worstSeverity } from "./flags.js";
export { InputError } from "./input-error.js";
export * from "./kallsyms.js";
export * from "./kernel-symbols.js";
export * from "./kernel-table.js";
export * from "./livepatch-targets.js";
export * from "./module-symbols.js";
export * from "./report/common.js";
export * from "./report/flag-codes.js";
export * from "./report/match-baseline.js";
export { renderMatchGithub } from "./report/match-github.js";
export { renderMatchJson } from "./report/match-json.js";
export { renderMatchJunit } from "./report/match-junit.js";
export { renderMatchMarkdown } from "./report/match-markdown.js";
export * from "./report/match-render.js";
export * from "./report/match-report.js";
export { renderMatchText } from "./report/match-text.js";
export * from "./report/verify-report.js";
export * from "./rules.js";
export * from "./symbol-name.js";
export * from "./sympos-report.js";
export * from "./symvers.js";
export * from "./system-map.js";
export * from "./vmlinux-symbols.js";
