// What a file that is not ELF is, from its first bytes: LLVM bitcode (an LTO build's per-file
// objects), an ar archive or a GNU thin archive (kbuild's vmlinux.a, built-in.a). Lets the
// not-ELF error say what was given and what to give instead.

export type FileKind =
  | "elf"
  | "llvm-bitcode"
  | "llvm-bitcode-wrapper"
  | "ar-archive"
  | "thin-archive"
  | "other";

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
// llvm/docs/BitCodeFormat.rst: raw bitcode starts 'B' 'C' 0x0 0xC 0xE 0xD (bytes 42 43 C0 DE);
// the wrapper header's magic is the 32-bit little-endian 0x0B17C0DE.
const BITCODE_MAGIC = [0x42, 0x43, 0xc0, 0xde];
const BITCODE_WRAPPER_MAGIC = [0xde, 0xc0, 0x17, 0x0b];
// ar(5): "!<arch>\n"; GNU ar's thin archives (ar T, as kbuild makes them): "!<thin>\n".
const AR_MAGIC = [...Buffer.from("!<arch>\n", "latin1")];
const THIN_MAGIC = [...Buffer.from("!<thin>\n", "latin1")];

export function fileKind(bytes: Uint8Array): FileKind {
  if (startsWith(bytes, ELF_MAGIC)) return "elf";
  if (startsWith(bytes, BITCODE_MAGIC)) return "llvm-bitcode";
  if (startsWith(bytes, BITCODE_WRAPPER_MAGIC)) return "llvm-bitcode-wrapper";
  if (startsWith(bytes, AR_MAGIC)) return "ar-archive";
  if (startsWith(bytes, THIN_MAGIC)) return "thin-archive";
  return "other";
}

const LINKED_INSTEAD =
  "give the linked object instead (vmlinux.o, or a module's <mod>.o), or both build directories with --orig DIR --patched DIR";

/** Why a file is not ELF, naming what it is and what to give instead. */
export function notElfReason(bytes: Uint8Array): string {
  switch (fileKind(bytes)) {
    case "llvm-bitcode":
    case "llvm-bitcode-wrapper":
      return `LLVM bitcode, not ELF: a per-file object of a clang LTO build holds no machine code; ${LINKED_INSTEAD}`;
    case "thin-archive":
      return `a thin archive (ar T, like kbuild's vmlinux.a or built-in.a), not ELF: it only names its members; ${LINKED_INSTEAD}`;
    case "ar-archive":
      return `an ar archive, not ELF: give one of its member objects, or ${LINKED_INSTEAD.replace("give ", "")}`;
    default:
      return "not an ELF file (no \\x7fELF magic at its start)";
  }
}
