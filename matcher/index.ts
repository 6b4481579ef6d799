// matcher/: the algorithms — diff, candidates, disambiguation, sympos, verification.

export * from "./candidates.js";
export * from "./diff.js";
export * from "./evidence/index.js";
export * from "./explain.js";
export * from "./match.js";
export * from "./references.js";
export * from "./sympos.js";
export * from "./verify/index.js";
