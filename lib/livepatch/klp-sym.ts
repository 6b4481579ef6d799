// References a livepatch module resolves through `.klp.sym` symbols (SHN_LIVEPATCH) and the
// `.klp.rela` sections that use them: the order the kernel meets them in, and what it refuses.
import type { ElfFile, ElfSymbol } from "../../elf/types.js";
import type { Flag } from "../flags.js";
import { raise } from "../report/flag-codes.js";
import type { TargetCollector } from "./collector.js";
import { type KlpSymName, OBJNAME_MAX, parseKlpRelaSectionName, parseKlpSymName } from "./klp-names.js";

// include/uapi/linux/elf.h: SHN_LIVEPATCH 0xff20, SHF_RELA_LIVEPATCH 0x00100000.
const SHF_RELA_LIVEPATCH = 0x00100000n;

interface KlpSymUse {
  readonly symbol: ElfSymbol;
  readonly sections: string[];
  /** objname of the first .klp.rela section using it. */
  readonly sectionObjname: string;
  firstUse: number;
}

/** Which .klp.rela sections use each SHN_LIVEPATCH symbol; module-level problems of those sections. */
function klpRelaUses(elf: ElfFile, c: TargetCollector): Map<number, KlpSymUse> {
  const uses = new Map<number, KlpSymUse>();
  let useCounter = 0;
  for (const rs of elf.relocationSections()) {
    const secname = rs.section.name;
    if (!secname.startsWith(".klp.rela.")) continue;
    const secObjname = parseKlpRelaSectionName(secname);
    if (secObjname === null) {
      // kernel/livepatch/core.c klp_apply_section_relocs(), run for every such section at load
      const msg = `section ${secname} has an incorrectly formatted name`;
      c.flags.push(raise("BAD_KLP_RELA_NAME", `${msg}: expected .klp.rela.<objname>.<section>`));
      c.kernelMessages.push({ stage: "load", message: msg });
      continue;
    }
    if ((rs.section.flags & SHF_RELA_LIVEPATCH) === 0n) {
      c.flags.push(
        raise(
          "KLP_RELA_NOT_MARKED",
          `${secname} lacks SHF_RELA_LIVEPATCH (0x00100000): the module loader applies it as an ordinary relocation section, with every .klp.sym symbol still unresolved`,
        ),
      );
    }
    const relocSymbols = elf.symbolsOf(rs.symtab);
    for (const reloc of rs.entries()) {
      const sym = relocSymbols[reloc.symbolIndex];
      if (sym === undefined) continue;
      if (sym.special !== "LIVEPATCH") {
        // kernel/livepatch/core.c klp_resolve_symbols()
        const msg = `symbol ${sym.name} is not marked as a livepatch symbol`;
        if (!c.kernelMessages.some((m) => m.message === msg)) {
          c.flags.push(
            raise(
              "KLP_SYM_NOT_LIVEPATCH",
              `${secname} relocates against '${sym.name}', whose st_shndx is not SHN_LIVEPATCH: ${msg}`,
            ),
          );
          c.kernelMessages.push({ stage: secObjname === "vmlinux" ? "load" : "enable", message: msg });
        }
        continue;
      }
      const use = uses.get(sym.index);
      if (use === undefined) {
        uses.set(sym.index, {
          symbol: sym,
          sections: [secname],
          sectionObjname: secObjname,
          firstUse: useCounter++,
        });
      } else if (!use.sections.includes(secname)) {
        use.sections.push(secname);
      }
    }
  }
  return uses;
}

function klpSymFlags(
  sym: ElfSymbol,
  parsed: KlpSymName | null,
  use: KlpSymUse | undefined,
  nameMax: number,
): { flags: Flag[]; kernelMessage: string | null } {
  const flags: Flag[] = [];
  let kernelMessage: string | null = null;
  if (sym.special !== "LIVEPATCH") {
    flags.push(
      raise(
        "KLP_SYM_NOT_LIVEPATCH",
        `${sym.name} is not in section SHN_LIVEPATCH (0xff20): the module loader sees an undefined or ordinary symbol, not a livepatch reference`,
      ),
    );
  }
  if (parsed === null) {
    kernelMessage = `symbol ${sym.name} has an incorrectly formatted name`;
    flags.push(
      raise(
        "BAD_KLP_SYM_NAME",
        `${sym.name}: not .klp.sym.<objname>.<name>,<sympos> as the kernel reads it (objname ≤ ${OBJNAME_MAX} characters without '.', name ≤ ${nameMax} without ',', decimal sympos)`,
      ),
    );
  } else if (parsed.trailing !== "") {
    flags.push(
      raise(
        "KLP_SYM_TRAILING",
        `${sym.name}: the kernel ignores '${parsed.trailing}' after the position ${parsed.sympos}`,
      ),
    );
  }
  if (
    parsed !== null &&
    use !== undefined &&
    use.sectionObjname !== "vmlinux" &&
    parsed.objname === "vmlinux"
  ) {
    // klp_resolve_symbols(): module-specific sections must not reach into vmlinux
    kernelMessage = `invalid access to vmlinux symbol '${parsed.name}' from module-specific livepatch relocation section`;
    flags.push(
      raise("KLP_SYM_VMLINUX_FROM_MODULE", `${sym.name} is used by ${use.sections[0]}: ${kernelMessage}`),
    );
  }
  if (use === undefined) {
    flags.push(
      raise(
        "KLP_SYM_UNUSED",
        `${sym.name}: no .klp.rela relocation uses it, so the kernel never looks it up`,
      ),
    );
  }
  return { flags, kernelMessage };
}

/** 3. .klp.sym symbols, in the order the .klp.rela sections first use them. Returns how many. */
export function collectKlpSyms(
  elf: ElfFile,
  c: TargetCollector,
  nameMax: number,
  objectsKnown: boolean,
): number {
  const uses = klpRelaUses(elf, c);
  const klpSyms = elf.symbols().filter((s) => s.special === "LIVEPATCH" || s.name.startsWith(".klp.sym."));
  const order = (s: ElfSymbol) => uses.get(s.index)?.firstUse ?? Number.MAX_SAFE_INTEGER / 2 + s.index;
  for (const sym of [...klpSyms].sort((a, b) => order(a) - order(b))) {
    const use = uses.get(sym.index);
    const parsed = parseKlpSymName(sym.name, nameMax);
    const { flags, kernelMessage } = klpSymFlags(sym, parsed, use, nameMax);
    const objname = parsed?.objname ?? "?";
    // vmlinux .klp.rela sections are applied while the module loads (kernel/module/main.c
    // apply_relocations → klp_apply_section_relocs); module ones when their klp_object is initialized
    const relaObjname = use?.sectionObjname ?? objname;
    // kernel/livepatch/core.c klp_apply_object_relocs(): a module's .klp.rela sections are applied
    // for the klp_object of that name only
    if (use !== undefined && relaObjname !== "vmlinux" && objectsKnown && !c.objects.includes(relaObjname)) {
      flags.push(
        raise(
          "KLP_RELA_NO_OBJECT",
          `${use.sections[0]} belongs to '${relaObjname}', but the patch has no klp_object of that name: the kernel never applies it, so the new code runs with unresolved references`,
        ),
      );
    }
    c.targets.push({
      objname,
      oldName: parsed?.name ?? sym.name,
      oldSympos: parsed?.sympos ?? 0,
      origin: "klp.sym",
      role: "reference",
      source: `${sym.name} (symbol ${sym.index})${use ? `, used by ${use.sections.join(", ")}` : ""}`,
      stage: relaObjname === "vmlinux" ? "load" : "enable",
      objectIndex: relaObjname === "vmlinux" ? -1 : c.objects.indexOf(relaObjname),
      used: use !== undefined,
      flags,
      kernelMessage,
    });
  }
  if (klpSyms.length > 0) c.foundKind("klp.sym");
  return klpSyms.length;
}
