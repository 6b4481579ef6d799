// lib/livepatch/: the targets a built livepatch module asks the kernel to resolve — the functions
// it replaces (klp_func arrays, klp-build tables, kpatch-build's .kpatch.funcs) and the symbols it
// references through .klp.sym/.klp.rela — plus target lists (--targets) and expectations (--expect).

export { type ExpectedTarget, parseExpectReport } from "./expect-report.js";
export {
  type KlpSymName,
  KSYM_NAME_LEN,
  KSYM_NAME_LEN_BEFORE_6_1,
  parseKlpRelaSectionName,
  parseKlpSymName,
} from "./klp-names.js";
export { readLivepatchTargets } from "./read-module.js";
export { parseTargetList } from "./target-list.js";
export type {
  LivepatchTarget,
  LivepatchTargets,
  ReadTargetsOptions,
  StagedMessage,
  TargetOrigin,
  TargetRole,
  TargetStage,
} from "./types.js";
