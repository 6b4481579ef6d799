// Bad input that is not ELF (kallsyms, System.map, target lists, reports, options):
// which file (and line), and what is wrong. The CLI prints it as one line and exits 2.

export class InputError extends Error {
  /** The file at fault; null when no file is (an option, a missing argument: see `usage`). */
  readonly path: string | null;
  readonly reason: string;

  constructor(path: string, reason: string);
  constructor(path: string | null, reason: string, message?: string);
  constructor(path: string | null, reason: string, message = `${path}: ${reason}`) {
    super(message);
    this.name = "InputError";
    this.path = path;
    this.reason = reason;
  }

  /** Bad input that is no file's fault: `what` (an option, a command, a function name) heads the message. */
  static usage(what: string, reason: string): InputError {
    return new InputError(null, reason, `${what}: ${reason}`);
  }
}

const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory, expected a file",
  ENOTDIR: "not a directory",
};

/** What an fs error code means, in the words of the one-line errors (the code itself if unlisted). */
export function fileErrorText(code: string): string {
  return FILE_ERRORS[code] ?? code;
}
