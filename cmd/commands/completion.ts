// klpmatch completion bash: a bash completion script for every command and its options, written
// from the commands' own option definitions.
import type { Argv, CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { runAction } from "../exit.js";

/** Each command's long options, as its builder declares them. */
export type CommandOptions = Readonly<Record<string, readonly string[]>>;

/** The bash script: commands after `klpmatch`, each command's options after it. */
export function bashCompletion(options: CommandOptions): string {
  const cases = Object.entries(options)
    .map(([name, opts]) => `    ${name}) words="${opts.map((o) => `--${o}`).join(" ")}" ;;`)
    .join("\n");
  return `# bash completion for klpmatch: source <(klpmatch completion bash)
_klpmatch() {
  local cur cmd words i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${Object.keys(options).join("|")}) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$cmd" in
    "") words="${Object.keys(options).join(" ")} --help --version" ;;
${cases}
  esac
  if [[ "$cur" == -* || -z "$cmd" ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _klpmatch klpmatch
`;
}

export function completionCommand(
  optionsOf: () => Promise<CommandOptions>,
): CommandModule<object, { shell: string }> {
  return {
    command: "completion <shell>",
    describe: "Print a shell completion script (bash): source <(klpmatch completion bash)",
    builder: (y: Argv) =>
      y.positional("shell", { type: "string", demandOption: true, describe: "the shell: bash" }) as Argv<{
        shell: string;
      }>,
    handler: (argv) =>
      runAction(async () => {
        if (argv.shell !== "bash")
          throw InputError.usage("completion", `no completion for '${argv.shell}': bash only`);
        process.stdout.write(bashCompletion(await optionsOf()));
        return 0;
      }),
  };
}
