// matcher/verify/: checks a livepatch's targets as the kernel would when the patch loads, and
// predicts the first message it would print.

export type {
  ExpectationCheck,
  OnLoadCheck,
  PatchPrediction,
  SymbolView,
  TargetVerdict,
  VerifyOutcome,
  VerifyResult,
} from "../../lib/report/verify-types.js";
export { type ModuleFileFacts, moduleFileFacts } from "./module-file.js";
export { type VerifyOptions, verifyTargets } from "./verify-targets.js";
export { type VmlinuxCallSites, vmlinuxCallSites } from "./vmlinux-call-sites.js";
