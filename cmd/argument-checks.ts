// Checks yargs does not make: an option that takes one value given twice, two arguments that both
// read standard input, a --kernel version whose numbers are out of any kernel's range.
import { InputError } from "../lib/input-error.js";
import { checkReadableInput, isStdinName } from "../lib/input-files.js";
import { quoted } from "../lib/one-line.js";

/** What the command being run declares (its builder's yargs options): the source of the checks below. */
export interface DeclaredOptions {
  /** Its long options, for "did you mean". */
  readonly long: readonly string[];
  /** Options that take no value (`type: "boolean"`), as `--name`: a `-` after one is a positional. */
  readonly flags: ReadonlySet<string>;
  /** Options that take several values (`array: true`), in both spellings yargs gives them. */
  readonly manyValued: ReadonlySet<string>;
}

/** Positionals that take several values, whatever the command. */
const MANY_VALUED_POSITIONALS = ["_", "$0", "files"];

export function declaredOptions(options: {
  readonly key: Readonly<Record<string, unknown>>;
  readonly boolean: readonly string[];
  readonly array: readonly string[];
}): DeclaredOptions {
  return {
    long: Object.keys(options.key).filter((k) => k.length > 1 && !/[A-Z]/.test(k) && k !== "version"),
    flags: new Set(options.boolean.map((o) => (o.length === 1 ? `-${o}` : `--${o}`))),
    manyValued: new Set([...MANY_VALUED_POSITIONALS, ...options.array.flatMap((o) => [o, camel(o)])]),
  };
}

/** Before a command is known (or for one that declares nothing): the global flags only. */
export const NO_DECLARED_OPTIONS: DeclaredOptions = {
  long: [],
  flags: new Set(["--help", "--version"]),
  manyValued: new Set(MANY_VALUED_POSITIONALS),
};

function camel(option: string): string {
  return option.replace(/-(.)/g, (_, c: string) => c.toUpperCase());
}

/** Options and positionals that name a file (or tree) to read. */
const READ_PATHS = [
  "orig",
  "patched",
  "kallsyms",
  "system-map",
  "vmlinux",
  "module-file",
  "symvers",
  "targets",
  "expect",
  "previous",
  "baseline",
  "patch",
  "loaded-patch",
  "origObject",
  "patchedObject",
  "files",
];

/**
 * The arguments as yargs can read them: yargs takes `-` for no value, so `--kallsyms -` becomes
 * `--kallsyms=-`, and a positional `-` (an ELF file to read) /dev/stdin.
 */
export function withStdinSpelled(args: readonly string[], flags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const previous = out[out.length - 1];
    if (arg !== "-") out.push(arg);
    else if (previous !== undefined && /^--[^=]+$/.test(previous) && !flags.has(previous)) {
      out[out.length - 1] = `${previous}=-`;
    } else out.push("/dev/stdin");
  }
  return out;
}

/** The paths the parsed arguments read. */
function readPaths(argv: Readonly<Record<string, unknown>>): string[] {
  return READ_PATHS.flatMap((key) => {
    const value = argv[key];
    if (typeof value === "string") return [value];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  });
}

/** A usage error: printed as one line with the command's --help hint, exit 2. */
export class UsageError extends InputError {}

/** The option given more than once that takes one value, as `--name`, or null. */
export function repeatedSingleOption(
  argv: Readonly<Record<string, unknown>>,
  manyValued: ReadonlySet<string>,
): string | null {
  for (const [key, value] of Object.entries(argv)) {
    if (manyValued.has(key) || !Array.isArray(value)) continue;
    return key.length === 1 ? `-${key}` : `--${key}`;
  }
  return null;
}

/** Each number of a kernel version (major, minor, patch) stays below this: LINUX_VERSION_CODE packs them small. */
const VERSION_PART_MAX = 65535;

/** The --kernel value's fault, or null when its numbers are in range (its form is checked where it is used). */
export function kernelVersionFault(version: string): string | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (m === null) return null;
  const parts = [m[1], m[2], m[3]].filter((p): p is string => p !== undefined);
  if (parts.some((p) => p.length > 6 || Number(p) > VERSION_PART_MAX)) {
    return `${quoted(version)} is not a kernel version: its numbers are out of range`;
  }
  return null;
}

/**
 * Throws a UsageError for the first check the parsed arguments fail, and an InputError for an
 * input that is a FIFO or device (see checkReadableInput).
 */
export function checkArguments(argv: Readonly<Record<string, unknown>>, declared: DeclaredOptions): void {
  const repeated = repeatedSingleOption(argv, declared.manyValued);
  if (repeated !== null) throw new UsageError(repeated, "given more than once; it takes one value");
  const paths = readPaths(argv);
  if (paths.filter(isStdinName).length > 1) {
    throw new UsageError("-", "standard input named twice: only one argument can read it");
  }
  const kernel = argv.kernel;
  if (typeof kernel === "string") {
    const fault = kernelVersionFault(kernel);
    if (fault !== null) throw new UsageError("--kernel", fault);
  }
  for (const path of paths) checkReadableInput(path);
}
