// How many terminal columns a text takes, for yargs' help layout: bundle.mjs puts this in place of the
// string-width package, whose module creates an Intl.Segmenter and Unicode-property regexes when it
// loads (~40 ms, with two copies in yargs' dependencies, on every command run). klpmatch's help texts
// are ASCII; beyond ASCII, East Asian wide characters take two columns and combining marks none.

// ECMA-48 control sequences (CSI … final byte) and OSC hyperlinks, which take no columns.
const ANSI_ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export default function textWidth(text: string): number {
  if (typeof text !== "string" || text.length === 0) return 0;
  const plain = /^[\x20-\x7e]*$/.test(text) ? text : text.replace(ANSI_ESCAPES, "");
  let width = 0;
  for (const character of plain) width += columnsOf(character.codePointAt(0)!);
  return width;
}

function columnsOf(c: number): number {
  if (c >= 0x20 && c < 0x7f) return 1;
  if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return 0;
  // Combining marks and zero-width joiners/selectors (Unicode general categories Mn, Me, Cf).
  if (
    (c >= 0x300 && c <= 0x36f) ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x20d0 && c <= 0x20ff) ||
    (c >= 0xfe00 && c <= 0xfe0f) ||
    (c >= 0xfe20 && c <= 0xfe2f)
  )
    return 0;
  // East Asian Wide and Fullwidth (Unicode UAX #11) blocks, and emoji.
  if (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  )
    return 2;
  return 1;
}
