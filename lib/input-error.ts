// Bad input that is not ELF (kallsyms, System.map, target lists, reports, options):
// which file (and line), and what is wrong. The CLI prints it as one line and exits 2.

export class InputError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = "InputError";
    this.path = path;
    this.reason = reason;
  }
}
