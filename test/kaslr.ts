// A symbol table as a KASLR boot shows it: every address moved by the same offset.

/** Every 16-digit address at the start of a line of `text` moved by `offset`. */
export function shiftTable(text: string, offset: bigint): string {
  return text.replace(/^([0-9a-f]{16})(?= )/gm, (a) =>
    (BigInt(`0x${a}`) + offset).toString(16).padStart(16, "0"),
  );
}
