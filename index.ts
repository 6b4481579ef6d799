// klpmatch as a library: the jobs the CLI runs (match, verify, diff, sympos) as calls, the lookup
// rules behind them, and the report renderers, with their types. Each name is chosen: a new export
// is added here and to test/api.test.ts's list. The ELF reader as a whole is `klpmatch/elf`
// (elf/index.ts); readElf/readElfFile and ElfFormatError are here too, for the pipelines' inputs.

// the ELF files the pipelines read, and the error bad ones raise
export { type ElfFile, ElfFormatError, type ReadElfOptions, readElf, readElfFile } from "./elf/index.js";
// kernel symbols, the lookup rules, bad input, and every report's renderers
export {
  type BaselineComparison,
  chooseRule,
  compareWithBaseline,
  type DiffVerdict,
  type Disassembly,
  disassembleFunctions,
  emitReport,
  type FailOn,
  FLAG_CODES,
  type Flag,
  type FunctionChange,
  type FunctionExplanation,
  InputError,
  type KernelSymbol,
  type KernelSymbolSources,
  type KernelTable,
  LOOKUP_RULES,
  type LookupRule,
  loadKernelSymbols,
  MATCH_SCHEMA_VERSION,
  type MatchReport,
  type ObjectDiff,
  objectLabel,
  parseBaseline,
  REPORT_FORMATS,
  type RenderOptions,
  type ReportFormat,
  type RuleChoice,
  renderDiffJson,
  renderDiffText,
  renderExplanation,
  renderExplanationJson,
  renderMatchGithub,
  renderMatchJson,
  renderMatchJunit,
  renderMatchMarkdown,
  renderMatchReport,
  renderMatchText,
  renderSymposJson,
  renderSymposText,
  renderTreeJson,
  renderTreeText,
  renderVerifyReport,
  type Severity,
  type SymposReport,
  type TreeDiff,
  type TreeLabels,
  VERIFY_SCHEMA_VERSION,
  type VerifyReport,
  verifyFails,
} from "./lib/index.js";
// the steps over data already read: one object pair diffed or explained, one pair resolved
export {
  diffObjects,
  explainFunction,
  type PositionResult,
  positionOf,
  type ResolveResult,
  resolve,
  type SymposQueryOptions,
  symposReport,
} from "./matcher/index.js";
// the jobs, reading their files
export {
  diffTrees,
  explainInTrees,
  type MatchOptions,
  matchPatch,
  type TreeExplanation,
  type VerifyPatchOptions,
  verifyPatch,
} from "./pipeline/index.js";
