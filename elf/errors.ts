// The one error elf/ throws for bad input: which file, and what is wrong with it.

export class ElfFormatError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = "ElfFormatError";
    this.path = path;
    this.reason = reason;
  }
}
