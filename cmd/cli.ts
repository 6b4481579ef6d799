// The yargs command line: every command, its options and help. Only the invoked command's module is
// evaluated: start-up time is most of a small run.
import type { Argv, CommandModule } from "yargs";
import { reachableArguments } from "../lib/argv-paths.js";
import { InputError } from "../lib/input-error.js";
import { toolVersion } from "../lib/input-files.js";
import { oneLine } from "../lib/one-line.js";
import { MATCH_SCHEMA_VERSION, MATCH_SCHEMA_VERSIONS_READ } from "../lib/report/match-report.js";
import {
  checkArguments,
  type DeclaredOptions,
  declaredOptions,
  NO_DECLARED_OPTIONS,
  UsageError,
  withStdinSpelled,
} from "./argument-checks.js";
import type { CommandOptions } from "./commands/completion.js";
import { EXIT_INPUT } from "./exit.js";
import { COMMAND_HELP, helpEpilogue } from "./help-text.js";
import { withSuggestions } from "./suggest.js";

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
  completion: {
    describe: "Print a shell completion script: source <(klpmatch completion bash)",
    load: async () =>
      (await import("./commands/completion.js")).completionCommand(allCommandOptions) as CommandModule<
        object,
        never
      >,
  },
};

/** `--version`: klpmatch's version, and the match report schema it writes and reads. */
export function versionText(): string {
  return `${toolVersion()}\nreport schemaVersion ${MATCH_SCHEMA_VERSION} (reads ${MATCH_SCHEMA_VERSIONS_READ.join(", ")})`;
}

type YargsOptions = Parameters<typeof declaredOptions>[0];

/** What a built command declares. */
function declaredOf(y: Argv): DeclaredOptions {
  return declaredOptions((y as unknown as { getOptions(): YargsOptions }).getOptions());
}

/** The command's module with its --help's examples, exit codes and environment added. */
function withHelp(name: string, module: CommandModule<object, never>): CommandModule<object, never> {
  const builder = module.builder;
  const help = COMMAND_HELP[name];
  return {
    ...module,
    builder: (y: Argv) => {
      let built = (typeof builder === "function" ? builder(y as never) : y) as Argv;
      for (const [command, text] of help?.examples ?? []) built = built.example(command, text);
      built = built.epilogue(helpEpilogue(name));
      return built as never;
    },
  };
}

/** What a command's builder declares, built on a yargs of its own. */
async function declaredBy(name: string): Promise<DeclaredOptions> {
  const { default: yargs } = await import("yargs");
  const module = await COMMANDS[name]!.load();
  const y = yargs([]);
  return declaredOf((typeof module.builder === "function" ? module.builder(y as never) : y) as Argv);
}

/** The long options of a command, as its builder declares them. */
async function optionsOf(name: string): Promise<readonly string[]> {
  return (await declaredBy(name)).long;
}

async function allCommandOptions(): Promise<CommandOptions> {
  const out: Record<string, readonly string[]> = {};
  for (const name of Object.keys(COMMANDS)) {
    out[name] =
      name === "completion"
        ? []
        : [...(await optionsOf(name)), "help"].filter((o, i, a) => a.indexOf(o) === i);
  }
  return out;
}

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

  // the command's own options say which take no value (before a `-`) and which take several
  const command = commandOf(args);
  const declared =
    command === null || command === "completion" ? NO_DECLARED_OPTIONS : await declaredBy(command);
  let cli = yargs(withStdinSpelled(reachableArguments(args), declared.flags))
    .scriptName("klpmatch")
    .usage(
      "$0 <command> [options]\n\nMatch a livepatch's changed functions to the running kernel's symbols.",
    );
  for (const [name, entry] of Object.entries(COMMANDS)) {
    // any argument naming a command loads it (options may come before the command)
    if (args.includes(name)) {
      cli = cli.command({ ...withHelp(name, await entry.load()), describe: entry.describe });
    } else {
      // listed in the help only: a command that is run was named in the arguments, so it was loaded
      cli = cli.command(name, entry.describe);
    }
  }

  await cli
    .demandCommand(1, "name a command")
    .strict()
    .check((argv) => {
      checkArguments(argv, declared);
      return true;
    }, true)
    .help()
    // Named, not guessed: yargs would look for a package.json above the bundle's own file.
    .version(versionText())
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
      process.stderr.write(
        `${usageLine(args, error ? error.message : withSuggestions(message, declared.long))}\n`,
      );
      process.exit(EXIT_INPUT);
    })
    .parseAsync();
}
