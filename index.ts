// klpmatch as a library: the same pipeline the CLI uses — matchPatch (the whole match step),
// diffObjects/diffTrees, loadKernelSymbols, readElf/readElfFile, the lookup rules and the report
// renderers — plus every public piece of elf/, lib/ and matcher/.
export * from "./elf/index.js";
export * from "./lib/index.js";
export * from "./matcher/index.js";
export * from "./pipeline/index.js";
