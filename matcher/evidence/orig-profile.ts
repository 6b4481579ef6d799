// The orig object as the neighbourhood sees it: its functions and objects by name, with their
// section group, size and binding, and the ThinLTO hashes its names carry.
import { STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT } from "../../elf/constants.js";
import type { ElfFile } from "../../elf/types.js";
import { sectionGroup } from "../../lib/section-roles.js";
import { isSpecialStatic, isStubSymbol, llvmHash, stripLlvmSuffix } from "../../lib/symbol-name.js";
import type { SymbolKind } from "../candidates.js";

export interface OrigSymbol {
  readonly name: string;
  readonly kind: Exclude<SymbolKind, "unknown">;
  /** The output-section group the linker puts it in (`.text`, `.text.unlikely`, `.init.text`, `.data`…). */
  readonly section: string;
  readonly size: bigint;
  readonly global: boolean;
}

export interface OrigProfile {
  readonly path: string;
  /** The STT_FILE name (`inode.c`), null when the object has none. */
  readonly file: string | null;
  readonly byName: ReadonlyMap<string, OrigSymbol>;
  /** Promoted (`.llvm.`) names by their stripped key: a rebuilt kernel may carry another hash. */
  readonly byPromotedKey: ReadonlyMap<string, OrigSymbol>;
  /** The `.llvm.<hash>` values the object's names carry (one per source file in practice). */
  readonly llvmHashes: ReadonlySet<string>;
  /** Names of its local functions and objects (for STT_FILE block comparison). */
  readonly localNames: ReadonlySet<string>;
}

/** The symbols of an orig object that can place it among the kernel's symbols. */
export function profileObject(elf: ElfFile): OrigProfile {
  const byName = new Map<string, OrigSymbol>();
  const byPromotedKey = new Map<string, OrigSymbol>();
  const llvmHashes = new Set<string>();
  const localNames = new Set<string>();
  let file: string | null = null;
  for (const sym of elf.symbols()) {
    if (sym.type === STT_FILE && file === null && sym.name !== "") file = sym.name;
    if (sym.name === "" || sym.sectionIndex === null) continue;
    if (sym.type !== STT_FUNC && sym.type !== STT_OBJECT) continue;
    if (isStubSymbol(sym.name) || isSpecialStatic(sym.name)) continue;
    const section = elf.sections[sym.sectionIndex];
    if (section === undefined) continue;
    const entry: OrigSymbol = {
      name: sym.name,
      kind: sym.type === STT_FUNC ? "text" : "data",
      section: sectionGroup(section.name),
      size: sym.size,
      global: sym.bind !== STB_LOCAL,
    };
    byName.set(sym.name, entry);
    const hash = llvmHash(sym.name);
    if (hash !== null) {
      llvmHashes.add(hash);
      byPromotedKey.set(stripLlvmSuffix(sym.name), entry);
    }
    if (sym.bind === STB_LOCAL) localNames.add(sym.name);
  }
  return { path: elf.path, file, byName, byPromotedKey, llvmHashes, localNames };
}

/** The orig symbol a kernel name stands for: the same name, or both promoted with another hash. */
export function origSymbolFor(profile: OrigProfile, kernelName: string): OrigSymbol | undefined {
  const exact = profile.byName.get(kernelName);
  if (exact !== undefined) return exact;
  if (llvmHash(kernelName) === null) return undefined;
  return profile.byPromotedKey.get(stripLlvmSuffix(kernelName));
}
