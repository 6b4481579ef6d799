// matcher/: the algorithms — diff, candidates, disambiguation, sympos, verification.
export * from "./diff.js";
export * from "./sympos.js";
