// Kernel section roles: the output-section group a section's symbols land in after linking
// (include/asm-generic/vmlinux.lds.h).

/**
 * The group a section lands in after linking: -ffunction-sections/-fdata-sections names
 * (`.text.foo`, `.data.bar`) fold into their base; the kernel's own sections (`.init.text`,
 * `.noinstr.text`, `.data..percpu`) stay apart (include/asm-generic/vmlinux.lds.h).
 */
export function sectionGroup(name: string): string {
  if (name.startsWith(".text.")) {
    const second = name.slice(6).split(".")[0] ?? "";
    return ["unlikely", "hot", "startup", "exit", "split"].includes(second) ? `.text.${second}` : ".text";
  }
  for (const base of [".data.rel.ro", ".data.rel.local", ".data.rel", ".rodata", ".data", ".bss"]) {
    if (name === base) return base.startsWith(".data") ? ".data" : base;
    if (name.startsWith(`${base}.`) && !name.startsWith(`${base}..`))
      return base.startsWith(".data") ? ".data" : base;
  }
  return name;
}
