// Names as readelf prints them in symbol and relocation listings: copied as bytes straight from
// their string tables, control characters as ^X (DEL as ^?), symbol versions as @VER / @@VER.
import { type Layout, type StringTable, stringError } from "./layout.js";
import type { OutputBuffer } from "./output-buffer.js";
import { SectionHeader, type SectionLookup, SectionTable } from "./section-header.js";
import type { SymbolTableShape } from "./symbols.js";
import type { ElfSection } from "./types.js";
import type { SymbolVersion } from "./versions.js";

/** Writes a NUL-terminated name from a string table, control characters as ^X like readelf. */
export function writeTableName(
  out: OutputBuffer,
  l: Layout,
  shape: SymbolTableShape,
  nameOffset: number,
  symbolIndex: number,
  printable = false,
): void {
  const table = shape.names;
  if (nameOffset >= table.size) {
    if (nameOffset === 0) return;
    throw stringError(l, table, nameOffset, `symbol ${symbolIndex} of '${shape.table.name}'`);
  }
  const begin = table.start + nameOffset;
  const nul = l.bytes.indexOf(0, begin);
  if (nul < 0 || nul >= table.start + table.size) {
    throw stringError(l, table, nameOffset, `symbol ${symbolIndex} of '${shape.table.name}'`);
  }
  if (printable) out.copy(l.bytes, begin, nul);
  else writeNameBytes(out, l.bytes, begin, nul);
}

/**
 * Whether a string table's names can be copied as they are: no byte but NUL is a control character.
 * Checked once per table, natively, rather than byte by byte for every name.
 */
export function withoutControlCharacters(l: Layout, table: StringTable | null): boolean {
  if (table === null) return true;
  return !/[\x01-\x1f\x7f]/.test(l.buffer.toString("latin1", table.start, table.start + table.size));
}

/** Bytes of a name with control characters as ^X (DEL as ^?), as readelf prints names. */
export function writeEscaped(out: OutputBuffer, bytes: Uint8Array, begin: number, end: number): void {
  for (let q = begin; q < end; q++) {
    const c = bytes[q]!;
    if (c < 0x20) {
      out.byte(0x5e);
      out.byte(c + 0x40);
    } else if (c === 0x7f) out.text("^?");
    else out.byte(c);
  }
}

/** Name bytes [begin, end) of the file as readelf prints them: control characters as ^X. */
function writeNameBytes(out: OutputBuffer, bytes: Uint8Array, begin: number, end: number): void {
  if (!out.copyPrintable(bytes, begin, end)) writeEscaped(out, bytes, begin, end);
}

/** A section's name, copied from the section-name table when the section is the reader's own. */
export function writeSectionName(out: OutputBuffer, l: Layout, section: ElfSection | undefined): void {
  if (section instanceof SectionHeader) {
    const begin = section.nameStart;
    if (begin >= 0) writeNameBytes(out, l.bytes, begin, section.nameEnd);
  } else writePrintable(out, section?.name ?? "");
}

/**
 * Section i's name; for the reader's own files, read from its header without making its object
 * (`printable`: the section-name table has no control characters to escape).
 */
export function writeSectionNameAt(
  out: OutputBuffer,
  l: Layout,
  sections: SectionLookup,
  i: number,
  printable: boolean,
): void {
  if (sections instanceof SectionTable) {
    const begin = sections.nameStart(i);
    if (begin < 0) return;
    if (printable) out.copy(l.bytes, begin, sections.nameEnd(i));
    else writeNameBytes(out, l.bytes, begin, sections.nameEnd(i));
  } else writeSectionName(out, l, sections.section(i));
}

/** A name given as a string (a section name), control characters as ^X. */
export function writePrintable(out: OutputBuffer, name: string): void {
  if (!/[\x00-\x1f\x7f]/.test(name)) {
    out.text(name);
    return;
  }
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (c < 0x20) out.text(`^${String.fromCharCode(c + 0x40)}`);
    else if (c === 0x7f) out.text("^?");
    else out.text(ch);
  }
}

export function versionSuffix(v: SymbolVersion, inSymbolTable: boolean): string {
  if (v.needed) return inSymbolTable ? `@${v.name} (${v.index})` : `@${v.name}`;
  return v.hidden ? `@${v.name}` : `@@${v.name}`;
}
