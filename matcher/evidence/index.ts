// matcher/evidence/: which of several same-named kernel symbols is the orig object's copy, from
// evidence computed for every candidate, and the pair the kernel's lookup confirms.

export { checkedPair } from "./checked-pair.js";
export * from "./file-blocks.js";
export { identify } from "./identify.js";
export * from "./neighbourhood.js";
export * from "./orig-profile.js";
export * from "./size-fit.js";
export * from "./target-view.js";
export type { Identified, IdentifyContext, SymbolQuery } from "./types.js";
