#!/usr/bin/env node
// The klpmatch command line: parses arguments and hands each command to its module.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { diffCommand } from "./commands/diff.js";
import { matchCommand } from "./commands/match.js";
import { symbolsCommand } from "./commands/symbols.js";
import { symposCommand } from "./commands/sympos.js";
import { verifyCommand } from "./commands/verify.js";
import { EXIT_INPUT } from "./exit.js";

await yargs(hideBin(process.argv))
  .scriptName("klpmatch")
  .usage("$0 <command> [options]\n\nMatch a livepatch's changed functions to the running kernel's symbols.")
  .command(matchCommand)
  .command(diffCommand)
  .command(symposCommand)
  .command(verifyCommand)
  .command(symbolsCommand)
  .demandCommand(1, "name a command")
  .strict()
  .help()
  .version()
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`klpmatch: ${message}\nRun 'klpmatch --help' for usage.\n`);
    process.exit(EXIT_INPUT);
  })
  .parseAsync();
