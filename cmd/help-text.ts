// What every command's --help ends with: an example, its exit codes and the environment variables
// klpmatch reads. The exit codes are the README's table, command by command.

export interface CommandHelp {
  readonly examples: readonly (readonly [string, string])[];
  /** Exit 1 of this command: what it means here, null when the command never exits 1. */
  readonly exit1: string | null;
}

const F = "fixtures";

export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  match: {
    examples: [
      [
        `$0 match --orig ${F}/match/gcc/orig --patched ${F}/match/gcc/patched --kallsyms ${F}/match/gcc/kallsyms.txt`,
        "match two build trees against a kernel's kallsyms",
      ],
      [
        "$0 match --orig orig --patched patched --system-map System.map --baseline last.json --fail-on-change --report json=r.json --report junit=r.xml",
        "gate CI on a changed decision, writing JSON and JUnit in one run",
      ],
    ],
    exit1:
      "something was flagged at or above --fail-on; with --fail-on-change, a decision changed against --baseline",
  },
  verify: {
    examples: [
      [
        `$0 verify ${F}/verify/lp_api.ko --kallsyms ${F}/verify/kallsyms.txt`,
        "check a built livepatch module",
      ],
      [
        "$0 verify new.ko --kallsyms kallsyms.txt --expect r1.json --expect r2.json --previous old.ko",
        "a cumulative module of a series: every report's decisions, nothing of old.ko dropped",
      ],
    ],
    exit1: "something was flagged at or above --fail-on",
  },
  diff: {
    examples: [
      [
        `$0 diff ${F}/diff/gcc/replace.orig.o ${F}/diff/gcc/replace.patched.o`,
        "the changed, new and deleted functions",
      ],
      ["$0 diff --orig orig --patched patched --json", "two build trees, as JSON"],
    ],
    exit1: "a pair is unsupported: a change the diff step (like kpatch's create-diff-object) refuses",
  },
  sympos: {
    examples: [
      [
        `$0 sympos init_once --kallsyms ${F}/kernel/kallsyms-6.18-init_once.txt --address ffffffff817f8cd0`,
        "the old_sympos of the copy at an address",
      ],
    ],
    exit1: "the name has no symbol in the table, or --address/--line names none of its copies",
  },
  snapshot: {
    examples: [
      ["$0 snapshot --out snap/", "copy what verify --live reads; verify --root snap/ reads it back"],
    ],
    exit1: null,
  },
  symbols: {
    examples: [[`$0 symbols ${F}/elf/sample-x86_64.o`, "the symbol table, like readelf -sW"]],
    exit1: null,
  },
  completion: {
    examples: [["source <($0 completion bash)", "complete klpmatch's commands and options in bash"]],
    exit1: null,
  },
};

const ENVIRONMENT = [
  "NO_COLOR      set (non-empty): no colour even on a terminal (https://no-color.org)",
  "KLPMATCH_DEBUG  set: an internal error (exit 70) prints its stack trace",
];

/** The text after a command's options in its --help. */
export function helpEpilogue(command: string): string {
  const help = COMMAND_HELP[command];
  const exits = [
    "  0   done; nothing flagged at or above --fail-on",
    ...(help?.exit1 ? [`  1   ${help.exit1}`] : []),
    "  2   usage or input error: one line on stderr naming the file or option",
    "  70  internal error (a bug in klpmatch)",
  ];
  return ["Exit codes:", ...exits, "", "Environment:", ...ENVIRONMENT.map((e) => `  ${e}`)].join("\n");
}
