// klpmatch as a library: the same pipeline the CLI uses.
export * from "./elf/index.js";
export * from "./lib/index.js";
export * from "./matcher/index.js";
