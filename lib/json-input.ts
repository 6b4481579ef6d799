// JSON a user gives (reports, target lists): parsed with one-line errors that name the file and
// the line:column of the first bad character, a UTF-8 byte-order mark accepted.
import { InputError } from "./input-error.js";
import { oneLine } from "./one-line.js";

/** The offset of the first character that breaks the JSON grammar (RFC 8259), or -1. */
function firstBadOffset(s: string): number {
  let i = 0;
  const skip = (): void => {
    while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++;
  };
  const bad = (): never => {
    throw i;
  };
  const string = (): void => {
    i++; // the opening quote
    while (i < s.length && s[i] !== '"') {
      const c = s.charCodeAt(i);
      if (c < 0x20) bad();
      if (s[i] === "\\") {
        i++;
        if (s[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) bad();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(s[i] ?? "x")) bad();
      }
      i++;
    }
    if (i >= s.length) bad();
    i++;
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (m === null) bad();
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 5000) bad();
    skip();
    const c = s[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      skip();
      if (s[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === "}") {
          skip();
          if (s[i] !== '"') bad();
          string();
          skip();
          if (s[i] !== ":") bad();
          i++;
        }
        value(depth + 1);
        skip();
        if (s[i] === ",") i++;
        else if (s[i] === close) {
          i++;
          return;
        } else bad();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      number();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (s.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    bad();
  };
  try {
    value(0);
    skip();
    return i < s.length ? i : -1;
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
