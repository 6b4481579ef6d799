// The yargs command line: every command, its options and help. Only the invoked command's module is
// evaluated: start-up time is most of a small run.
import type { CommandModule } from "yargs";
import { reachableArguments } from "../lib/argv-paths.js";
import { InputError } from "../lib/input-error.js";
import { toolVersion } from "../lib/input-files.js";
import { oneLine } from "../lib/one-line.js";
import { checkArguments, UsageError, withStdinSpelled } from "./argument-checks.js";
import { EXIT_INPUT } from "./exit.js";

interface CommandEntry {
  readonly describe: string;
  readonly load: () => Promise<CommandModule<object, never>>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  match: {
    describe:
      "Match each changed function to its kernel symbol: objname, old_name, old_sympos, with evidence",
    load: async () => (await import("./commands/match.js")).matchCommand as CommandModule<object, never>,
  },
  diff: {
    describe: "Find the changed, new and deleted functions between an orig and a patched build",
    load: async () => (await import("./commands/diff.js")).diffCommand as CommandModule<object, never>,
  },
  sympos: {
    describe: "List a name's kernel symbols with the (old_name, old_sympos) that reaches each",
    load: async () => (await import("./commands/sympos.js")).symposCommand as CommandModule<object, never>,
  },
  verify: {
    describe: "Check a built livepatch module's targets against a kernel before loading it",
    load: async () => (await import("./commands/verify.js")).verifyCommand as CommandModule<object, never>,
  },
  snapshot: {
    describe: "Copy every file verify --live reads of this system into a directory --root reads back",
    load: async () =>
      (await import("./commands/snapshot.js")).snapshotCommand as CommandModule<object, never>,
  },
  symbols: {
    describe: "Print ELF symbol tables like readelf -sW (--relocs: relocations like readelf -rW; --json)",
    load: async () => (await import("./commands/symbols.js")).symbolsCommand as CommandModule<object, never>,
  },
};

/** The command the arguments name, or null (the hint then points at the top-level help). */
function commandOf(args: readonly string[]): string | null {
  return args.find((a) => Object.hasOwn(COMMANDS, a)) ?? null;
}

/** A usage error as one line, with the --help hint of the command it is about. */
export function usageLine(args: readonly string[], message: string): string {
  const command = commandOf(args);
  const help = command === null ? "klpmatch --help" : `klpmatch ${command} --help`;
  const text = oneLine(message.replace(/\s*\n\s*/g, "; "), 240);
  return `klpmatch: ${command === null ? "" : `${command}: `}${text} (run '${help}' for usage)`;
}

/** Runs the command line `args` (the arguments after the program name) through yargs. */
export async function runCli(args: readonly string[]): Promise<void> {
  const { default: yargs } = await import("yargs");

  let cli = yargs(withStdinSpelled(reachableArguments(args)))
    .scriptName("klpmatch")
    .usage(
      "$0 <command> [options]\n\nMatch a livepatch's changed functions to the running kernel's symbols.",
    );
  for (const [name, entry] of Object.entries(COMMANDS)) {
    // any argument naming a command loads it (options may come before the command)
    if (args.includes(name)) {
      cli = cli.command({ ...(await entry.load()), describe: entry.describe });
    } else {
      // listed in the help only: a command that is run was named in the arguments, so it was loaded
      cli = cli.command(name, entry.describe);
    }
  }

  await cli
    .demandCommand(1, "name a command")
    .strict()
    .check((argv) => {
      checkArguments(argv);
      return true;
    }, true)
    .help()
    // Named, not guessed: yargs would look for a package.json above the bundle's own file.
    .version(toolVersion())
    // yargs lays out the help text on every command run, in case it must print it; wrapping that
    // text costs ~20 ms, so only help that is asked for is wrapped to the terminal
    .wrap(
      args.includes("--help") || args.includes("-h") ? Math.min(110, process.stdout.columns ?? 110) : null,
    )
    .fail((message, error) => {
      if (error && !(error instanceof InputError)) throw error;
      if (error && !(error instanceof UsageError)) {
        process.stderr.write(`klpmatch: ${oneLine(error.message)}\n`);
        process.exit(EXIT_INPUT);
      }
      process.stderr.write(`${usageLine(args, error ? error.message : message)}\n`);
      process.exit(EXIT_INPUT);
    })
    .parseAsync();
}
