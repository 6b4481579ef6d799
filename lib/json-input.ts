// JSON a user gives (reports, target lists): parsed with one-line errors that name the file and
// the line:column of the first bad character, a UTF-8 byte-order mark accepted.
import { InputError } from "./input-error.js";
import { oneLine } from "./one-line.js";

/** A scan of JSON text (RFC 8259) that stops, by throwing its offset, at the first bad character. */
class JsonScanner {
  i = 0;

  constructor(private readonly s: string) {}

  bad(): never {
    throw this.i;
  }

  skip(): void {
    const s = this.s;
    while (
      this.i < s.length &&
      (s[this.i] === " " || s[this.i] === "\t" || s[this.i] === "\n" || s[this.i] === "\r")
    ) {
      this.i++;
    }
  }

  string(): void {
    const s = this.s;
    this.i++; // the opening quote
    while (this.i < s.length && s[this.i] !== '"') {
      if (s.charCodeAt(this.i) < 0x20) this.bad();
      if (s[this.i] === "\\") {
        this.i++;
        if (s[this.i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(this.i + 1, this.i + 5))) this.bad();
          this.i += 4;
        } else if (!'"\\/bfnrt'.includes(s[this.i] ?? "x")) this.bad();
      }
      this.i++;
    }
    if (this.i >= this.s.length) this.bad();
    this.i++;
  }

  number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (m === null) this.bad();
    this.i += m[0].length;
  }

  /** An object's or array's members, from its opening bracket to its closing one. */
  container(close: "}" | "]", depth: number): void {
    this.i++;
    this.skip();
    if (this.s[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      if (close === "}") {
        this.skip();
        if (this.s[this.i] !== '"') this.bad();
        this.string();
        this.skip();
        if (this.s[this.i] !== ":") this.bad();
        this.i++;
      }
      this.value(depth + 1);
      this.skip();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] === close) {
        this.i++;
        return;
      } else this.bad();
    }
  }

  value(depth: number): void {
    if (depth > 5000) this.bad();
    this.skip();
    const c = this.s[this.i];
    if (c === "{" || c === "[") this.container(c === "{" ? "}" : "]", depth);
    else if (c === '"') this.string();
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) this.number();
    else {
      const word = ["true", "false", "null"].find((w) => this.s.startsWith(w, this.i));
      if (word === undefined) this.bad();
      this.i += word.length;
    }
  }
}

/** The offset of the first character that breaks the JSON grammar, or -1. */
function firstBadOffset(s: string): number {
  const scan = new JsonScanner(s);
  try {
    scan.value(0);
    scan.skip();
    return scan.i < s.length ? scan.i : -1;
  } catch (offset) {
    return typeof offset === "number" ? offset : -1;
  }
}

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let p = text.indexOf("\n"); p >= 0 && p < offset; p = text.indexOf("\n", p + 1)) {
    line++;
    start = p + 1;
  }
  return `${line}:${offset - start + 1}`;
}

/** What is wrong at `offset`, in a few words. */
function faultAt(text: string, offset: number): string {
  if (offset >= text.length) return "unexpected end of the JSON text";
  const c = text[offset]!;
  return `unexpected ${c.trim() === "" || c.charCodeAt(0) < 0x20 ? "control character" : `'${oneLine(c)}'`}`;
}

/**
 * Parses `text` (the contents of `path`) as JSON. An empty text, or one that is not JSON, is an
 * InputError naming the file, the line:column of the fault and `what` the file should be.
 */
export function parseJsonInput(path: string, text: string, what: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === "") throw new InputError(path, `is empty, expected ${what}`);
  try {
    return JSON.parse(body);
  } catch {
    const offset = firstBadOffset(body);
    const at = offset < 0 ? "" : ` at ${lineColumn(body, offset)}`;
    throw new InputError(path, `not valid JSON${at}: ${faultAt(body, offset < 0 ? body.length : offset)}`);
  }
}
