// elf/: reading ELF relocatable objects, modules and executables. No kernel knowledge here.
export * from "./constants.js";
export { ElfFormatError } from "./errors.js";
export { type ReadElfOptions, readElf } from "./file.js";
export { fileTypeName, machineName, sectionTypeName, symbolBindName, symbolTypeName } from "./names.js";
export { compressionOf, decompress, readElfFile } from "./read-file.js";
export { relocationTypeName } from "./relocation-types.js";
export type * from "./types.js";
