// pipeline/: the jobs as library calls — they read the files (objects, build trees, symbol tables,
// target lists) and hand the data to matcher/'s pure algorithms.

export { diffTrees, explainInTrees, type TreeExplanation } from "./diff-trees.js";
export { loadMatchTable, type MatchOptions, matchPatch, pairTrees, type TreePairs } from "./match.js";
export { type VerifyPatchOptions, verifyPatch } from "./verify.js";
