// How the kernel reads livepatch names: `.klp.sym.<objname>.<name>,<sympos>` symbols and
// `.klp.rela.<objname>.<section>` sections, with the length limits its sscanf formats impose.

// include/linux/module.h: MODULE_NAME_LEN is 64 - sizeof(unsigned long) = 56 on 64-bit; the
// kernel's sscanf formats use 55 characters for the object name.
export const OBJNAME_MAX = 55;
// KSYM_NAME_LEN: 512 since 6.1 (commit "kallsyms: increase maximum kernel symbol length to 512"), 128 before.
export const KSYM_NAME_LEN = 512;
export const KSYM_NAME_LEN_BEFORE_6_1 = 128;

export interface KlpSymName {
  readonly objname: string;
  readonly name: string;
  readonly sympos: number;
  /** Characters after the number that the kernel's sscanf ignores ("" normally). */
  readonly trailing: string;
}

/**
 * Parses a `.klp.sym.<objname>.<name>,<sympos>` name as kernel/livepatch/core.c's
 * klp_resolve_symbols() does: sscanf(".klp.sym.%55[^.].%511[^,],%lu") (`%127[^,]` before 6.1).
 * Returns null when the kernel's sscanf would not fill all three fields.
 */
export function parseKlpSymName(symbolName: string, nameMax = KSYM_NAME_LEN - 1): KlpSymName | null {
  const prefix = ".klp.sym.";
  if (!symbolName.startsWith(prefix)) return null;
  let i = prefix.length;
  const objStart = i;
  while (i < symbolName.length && symbolName[i] !== "." && i - objStart < OBJNAME_MAX) i++;
  if (i === objStart || symbolName[i] !== ".") return null;
  const objname = symbolName.slice(objStart, i);
  i++;
  const nameStart = i;
  while (i < symbolName.length && symbolName[i] !== "," && i - nameStart < nameMax) i++;
  if (i === nameStart || symbolName[i] !== ",") return null;
  const name = symbolName.slice(nameStart, i);
  i++;
  // lib/vsprintf.c vsscanf: white space is skipped before a number; %lu takes decimal digits only.
  while (i < symbolName.length && /\s/.test(symbolName[i]!)) i++;
  const digitsStart = i;
  while (i < symbolName.length && symbolName[i]! >= "0" && symbolName[i]! <= "9") i++;
  if (i === digitsStart) return null;
  const sympos = Number(BigInt.asUintN(64, BigInt(symbolName.slice(digitsStart, i))));
  return { objname, name, sympos, trailing: symbolName.slice(i) };
}

/** The object name of a `.klp.rela.<objname>.<section>` section, as sscanf(".klp.rela.%55[^.]") reads it. */
export function parseKlpRelaSectionName(sectionName: string): string | null {
  const prefix = ".klp.rela.";
  if (!sectionName.startsWith(prefix)) return null;
  let i = prefix.length;
  while (i < sectionName.length && sectionName[i] !== "." && i - prefix.length < OBJNAME_MAX) i++;
  return i === prefix.length ? null : sectionName.slice(prefix.length, i);
}
