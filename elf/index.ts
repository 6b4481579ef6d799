// elf/: reading ELF relocatable objects, modules and executables. No kernel knowledge here.
export * from "./constants.js";
export { ElfFormatError } from "./errors.js";
export { type ReadElfOptions, readElf } from "./file.js";
export { type FileKind, fileKind, notElfReason } from "./file-kind.js";
export {
  fileTypeName,
  machineName,
  sectionTypeName,
  symbolBindName,
  symbolTypeName,
  symbolVisibilityName,
} from "./names.js";
export {
  type CachedElfReader,
  cachedElfReader,
  compressionOf,
  decompress,
  readElfFile,
} from "./read-file.js";
export {
  formatRelocations,
  formatSymbolTable,
  type SymbolsListingOptions,
  sectionIndexLabel,
  symbolsListingBytes,
} from "./readelf-format.js";
export { relocationTypeName } from "./relocation-types.js";
export { relrOffsets } from "./relr.js";
export { formatSymbolsJson, symbolsJson } from "./symbols-json.js";
export type * from "./types.js";
export { type SymbolVersion, symbolVersions } from "./versions.js";
