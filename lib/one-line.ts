// Error text as one short line: control characters escaped the way readelf shows them in names
// (`^J` for a newline), C1 controls as `\x85`, and long text shortened in the middle.

/** The longest error line printed, in UTF-16 units (the path at its start and the reason at its end stay). */
export const MAX_LINE = 300;

/** `^@`..`^_` for C0 controls, `^?` for DEL, `\xNN` for C1 controls; everything else unchanged. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
    if (code === 0x7f) return "^?";
    if (code <= 0x9f) return `\\x${code.toString(16)}`;
    return `\\u${code.toString(16)}`;
  });
}

/** Text cut to `max` units with `…` in the middle, so both its start and its end show. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) * 0.6);
  const tail = max - 1 - head;
  return `${text.slice(0, head)}…${tail > 0 ? text.slice(text.length - tail) : ""}`;
}

/** Any text as one line of at most `max` units: controls escaped, then shortened. */
export function oneLine(text: string, max = MAX_LINE): string {
  return shorten(escapeControls(text), max);
}

/** A field of bad input quoted for an error: escaped, at most `max` units, in single quotes. */
export function quoted(field: string, max = 40): string {
  return `'${oneLine(field, max)}'`;
}
