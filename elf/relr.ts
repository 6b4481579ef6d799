// SHT_RELR sections (.relr.dyn): packed relative relocations (gABI "Relative Relocation Table").
// Each entry is either an address (low bit 0) or a bitmap (low bit 1) of the following words.
import { SHT_RELR } from "./constants.js";
import { ElfFormatError } from "./errors.js";
import { layoutOf } from "./file.js";
import type { ElfFile, ElfSection } from "./types.js";

/** The addresses a SHT_RELR section relocates, in order. */
export function relrOffsets(file: ElfFile, section: ElfSection): bigint[] {
  const l = layoutOf(file);
  const word = l.is64 ? 8 : 4;
  const what = `relocation section [${section.index}] '${section.name}'`;
  if (section.type !== SHT_RELR) throw new ElfFormatError(l.path, `${what} is not a SHT_RELR section`);
  if (section.entsize !== BigInt(word)) {
    throw new ElfFormatError(l.path, `${what} has sh_entsize ${section.entsize}, expected ${word}`);
  }
  const data = section.data;
  if (data === null || data.length % word !== 0) {
    throw new ElfFormatError(
      l.path,
      `${what} has size ${section.size}, not a multiple of its entry size ${word}`,
    );
  }
  const start = data.byteOffset - l.bytes.byteOffset;
  const count = data.length / word;
  const wordSize = BigInt(word);
  const bits = BigInt(word * 8 - 1);
  const mask = l.is64 ? 0xffffffffffffffffn : 0xffffffffn;
  const offsets: bigint[] = [];
  let base = 0n;
  for (let i = 0; i < count; i++) {
    const entry = l.is64
      ? l.view.getBigUint64(start + i * 8, l.littleEndian)
      : BigInt(l.view.getUint32(start + i * 4, l.littleEndian));
    if ((entry & 1n) === 0n) {
      offsets.push(entry);
      base = (entry + wordSize) & mask;
    } else {
      let bitmap = entry >> 1n;
      for (let k = 0n; bitmap !== 0n; k++, bitmap >>= 1n) {
        if (bitmap & 1n) offsets.push((base + k * wordSize) & mask);
      }
      base = (base + bits * wordSize) & mask;
    }
  }
  return offsets;
}
