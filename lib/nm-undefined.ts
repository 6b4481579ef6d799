// `nm` output (what `nm -n vmlinux` gives when no System.map is at hand) lists undefined symbols
// with blanks where the address goes: `                 U __fentry__`, `                 w weak_ref`.
// They are nobody's symbols in the kernel's table: a symbol table reader skips them and says so.

const SPACE = 0x20;
/** nm's letters for undefined symbols: U (undefined), w / v (weak undefined). */
const UNDEFINED_TYPES = new Set([0x55, 0x77, 0x76]);

/** Whether the line [start, eol) is an nm undefined-symbol line: blanks, one of U/w/v, a blank, a name. */
export function isNmUndefinedLine(bytes: Uint8Array, start: number, eol: number): boolean {
  let j = start;
  while (j < eol && bytes[j] === SPACE) j++;
  if (j === start || j + 2 >= eol) return false;
  return UNDEFINED_TYPES.has(bytes[j]!) && bytes[j + 1] === SPACE && bytes[j + 2] !== SPACE;
}

export function nmUndefinedNote(count: number): string {
  return `skipped ${count} undefined symbol(s) without an address (nm 'U'/'w' lines: no symbol of the kernel)`;
}
