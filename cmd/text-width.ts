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

// Combining marks and zero-width joiners/selectors (Unicode general categories Mn, Me, Cf).
const ZERO_WIDTH: readonly (readonly [number, number])[] = [
  [0x300, 0x36f],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
  [0xfe20, 0xfe2f],
];

// East Asian Wide and Fullwidth (Unicode UAX #11) blocks, and emoji.
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

const inRanges = (c: number, ranges: typeof WIDE) => ranges.some(([from, to]) => c >= from && c <= to);

function columnsOf(c: number): number {
  if (c >= 0x20 && c < 0x7f) return 1;
  if (c < 0x20 || (c >= 0x7f && c < 0xa0) || inRanges(c, ZERO_WIDTH)) return 0;
  return inRanges(c, WIDE) ? 2 : 1;
}
