#!/usr/bin/env node
// klpmatch's entry point: `symbols` in its plain form runs without yargs; everything else goes to the
// yargs program in cli.ts. The package ships both bundled, each into one CommonJS file (dist/bin/,
// see bundle.mjs): Node 20 loads such a file in a fraction of the time it takes to resolve and link
// ES modules one by one, and a `symbols` run compiles none of the other commands.
import { runSymbolsWithoutYargs } from "./commands/symbols.js";

// `symbols` is compared with readelf run for run: yargs alone takes longer to load than listing a
// 2 MB module. No top-level await: the CommonJS bundle has none.
void runSymbolsWithoutYargs(process.argv.slice(2)).then(async (done) => {
  if (!done) await (await import("./cli.js")).runCli(process.argv.slice(2));
});
