// elf/: reading ELF relocatable objects, modules and executables. No kernel knowledge here.
export { ElfFormatError } from "./errors.js";
export type * from "./types.js";
