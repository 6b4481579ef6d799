// Names for the numeric fields of an ELF file. Symbol type, bind and visibility names are the ones
// binutils readelf prints (FUNC, GLOBAL, DEFAULT, …) so `klpmatch symbols` can match its layout.

import {
  EM_386,
  EM_AARCH64,
  EM_ARM,
  EM_LOONGARCH,
  EM_PPC,
  EM_PPC64,
  EM_RISCV,
  EM_S390,
  EM_X86_64,
  SHF_ALLOC,
  SHF_COMPRESSED,
  SHF_EXECINSTR,
  SHF_GROUP,
  SHF_INFO_LINK,
  SHF_LINK_ORDER,
  SHF_MERGE,
  SHF_OS_NONCONFORMING,
  SHF_STRINGS,
  SHF_TLS,
  SHF_WRITE,
} from "./constants.js";
import { hex } from "./layout.js";

const OSABI_NAMES: Record<number, string> = {
  0: "SYSV",
  1: "HPUX",
  2: "NETBSD",
  3: "GNU",
  6: "SOLARIS",
  7: "AIX",
  8: "IRIX",
  9: "FREEBSD",
  10: "TRU64",
  11: "MODESTO",
  12: "OPENBSD",
  13: "OPENVMS",
  14: "NSK",
  15: "AROS",
  16: "FENIXOS",
  17: "CLOUDABI",
  18: "OPENVOS",
  97: "ARM",
  255: "STANDALONE",
};

/** Short OS/ABI name (SYSV, GNU, …), or "OSABI <n>" when unknown. */
export function osabiName(osabi: number): string {
  return OSABI_NAMES[osabi] ?? `OSABI ${osabi}`;
}

const FILE_TYPE_NAMES = ["NONE", "REL", "EXEC", "DYN", "CORE"];

/** e_type as readelf abbreviates it: REL, EXEC, DYN, CORE, NONE. */
export function fileTypeName(type: number): string {
  return FILE_TYPE_NAMES[type] ?? hex(type);
}

const MACHINE_NAMES: Record<number, string> = {
  0: "none",
  2: "sparc",
  [EM_386]: "i386",
  8: "mips",
  [EM_PPC]: "ppc",
  [EM_PPC64]: "ppc64",
  [EM_S390]: "s390",
  [EM_ARM]: "arm",
  42: "sh",
  43: "sparcv9",
  50: "ia64",
  [EM_X86_64]: "x86_64",
  [EM_AARCH64]: "aarch64",
  247: "bpf",
  [EM_RISCV]: "riscv",
  [EM_LOONGARCH]: "loongarch",
};

/**
 * Short machine name: x86_64, i386, aarch64, arm, ppc64, ppc, s390 (also s390x: same e_machine),
 * loongarch, riscv, …; "EM_<n>" when unknown.
 */
export function machineName(machine: number): string {
  return MACHINE_NAMES[machine] ?? `EM_${machine}`;
}

const SECTION_TYPE_NAMES: Record<number, string> = {
  0: "NULL",
  1: "PROGBITS",
  2: "SYMTAB",
  3: "STRTAB",
  4: "RELA",
  5: "HASH",
  6: "DYNAMIC",
  7: "NOTE",
  8: "NOBITS",
  9: "REL",
  10: "SHLIB",
  11: "DYNSYM",
  14: "INIT_ARRAY",
  15: "FINI_ARRAY",
  16: "PREINIT_ARRAY",
  17: "GROUP",
  18: "SYMTAB SECTION INDICES",
  19: "RELR",
  1879048181: "GNU_ATTRIBUTES",
  1879048182: "GNU_HASH",
  1879048183: "GNU_LIBLIST",
  1879048189: "VERDEF",
  1879048190: "VERNEED",
  1879048191: "VERSYM",
  1879002112: "LLVM_ODRTAB",
  1879002113: "LLVM_LINKER_OPTIONS",
  1879002114: "LLVM_CALL_GRAPH_PROFILE",
  1879002115: "LLVM_ADDRSIG",
  1879002116: "LLVM_DEPENDENT_LIBRARIES",
  1879002117: "LLVM_SYMPART",
  1879002118: "LLVM_PART_EHDR",
  1879002119: "LLVM_PART_PHDR",
  1879002120: "LLVM_BB_ADDR_MAP_V0",
  1879002121: "LLVM_CALL_GRAPH_PROFILE",
  1879002122: "LLVM_BB_ADDR_MAP",
  1879002123: "LLVM_OFFLOADING",
  1879002124: "LLVM_LTO",
};

const MACHINE_SECTION_TYPE_NAMES: Record<number, Record<number, string>> = {
  [EM_X86_64]: { 1879048193: "X86_64_UNWIND" },
  [EM_ARM]: { 1879048193: "ARM_EXIDX", 1879048194: "ARM_PREEMPTMAP", 1879048195: "ARM_ATTRIBUTES" },
  [EM_AARCH64]: { 1879048195: "AARCH64_ATTRIBUTES" },
  [EM_RISCV]: { 1879048195: "RISCV_ATTRIBUTES" },
  [EM_PPC]: { 1879048192: "ORDERED" },
};

/** Section type as readelf -S names it (PROGBITS, NOBITS, RELA, …); LOPROC+n / LOOS+n / 0x… otherwise. */
export function sectionTypeName(machine: number, type: number): string {
  const name = SECTION_TYPE_NAMES[type] ?? MACHINE_SECTION_TYPE_NAMES[machine]?.[type];
  if (name !== undefined) return name;
  if (type >= 0x70000000 && type <= 0x7fffffff) return `LOPROC+${hex(type - 0x70000000)}`;
  if (type >= 0x60000000 && type <= 0x6fffffff) return `LOOS+${hex(type - 0x60000000)}`;
  if (type >= 0x80000000 && type <= 0xffffffff) return `LOUSER+${hex(type - 0x80000000)}`;
  return hex(type);
}

const SECTION_FLAG_NAMES: ReadonlyArray<readonly [bigint, string]> = [
  [SHF_WRITE, "WRITE"],
  [SHF_ALLOC, "ALLOC"],
  [SHF_EXECINSTR, "EXEC"],
  [SHF_MERGE, "MERGE"],
  [SHF_STRINGS, "STRINGS"],
  [SHF_INFO_LINK, "INFO LINK"],
  [SHF_LINK_ORDER, "LINK ORDER"],
  [SHF_OS_NONCONFORMING, "OS NONCONF"],
  [SHF_GROUP, "GROUP"],
  [SHF_TLS, "TLS"],
  [SHF_COMPRESSED, "COMPRESSED"],
  [0x200000n, "GNU_RETAIN"],
  [0x80000000n, "EXCLUDE"],
];

/** Flag names as readelf -t spells them (WRITE, ALLOC, EXEC, INFO LINK, …); unknown bits as hex. */
export function sectionFlagNames(flags: bigint): string[] {
  const names: string[] = [];
  let rest = flags;
  for (const [bit, name] of SECTION_FLAG_NAMES) {
    if ((flags & bit) !== 0n) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0n) names.push(hex(rest));
  return names;
}

// 7 is unassigned; 8 and 9 are binutils' STT_RELC / STT_SRELC.
const SYMBOL_TYPE_NAMES: Record<number, string> = {
  0: "NOTYPE",
  1: "OBJECT",
  2: "FUNC",
  3: "SECTION",
  4: "FILE",
  5: "COMMON",
  6: "TLS",
  8: "RELC",
  9: "SRELC",
};

/** Symbol type as readelf -s prints it. */
export function symbolTypeName(machine: number, osabi: number, type: number): string {
  const name = SYMBOL_TYPE_NAMES[type];
  if (name !== undefined) return name;
  if (type >= 13 && type <= 15) {
    if (machine === EM_ARM && type === 13) return "THUMB_FUNC";
    if ((machine === 2 || machine === 43) && type === 13) return "REGISTER";
    return `<processor specific>: ${type}`;
  }
  if (type >= 10 && type <= 12) {
    // STT_GNU_IFUNC (10) belongs to the GNU/Linux and FreeBSD OS/ABIs.
    if (type === 10 && (osabi === 3 || osabi === 9)) return "IFUNC";
    return `<OS specific>: ${type}`;
  }
  return `<unknown>: ${type}`;
}

/** Symbol binding as readelf -s prints it. */
export function symbolBindName(osabi: number, bind: number): string {
  if (bind === 0) return "LOCAL";
  if (bind === 1) return "GLOBAL";
  if (bind === 2) return "WEAK";
  if (bind >= 13 && bind <= 15) return `<processor specific>: ${bind}`;
  if (bind >= 10 && bind <= 12) {
    // STB_GNU_UNIQUE (10) belongs to the GNU/Linux OS/ABI.
    if (bind === 10 && osabi === 3) return "UNIQUE";
    return `<OS specific>: ${bind}`;
  }
  return `<unknown>: ${bind}`;
}

const VISIBILITY_NAMES = ["DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"];

/** Symbol visibility (st_other & 3) as readelf -s prints it. */
export function symbolVisibilityName(visibility: number): string {
  return VISIBILITY_NAMES[visibility & 3] ?? "DEFAULT";
}
