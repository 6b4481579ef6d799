// Targets of kpatch-build modules: the struct kpatch_patch_func entries of `.kpatch.funcs`, which
// kpatch's livepatch hook turns into klp_funcs at run time.
import type { ElfSection } from "../../elf/types.js";
import { raise } from "../report/flag-codes.js";
import type { TargetCollector } from "./collector.js";
import { type ObjectReader, place } from "./object-reader.js";

// kpatch-build's .kpatch.funcs (kpatch kmod/patch/kpatch-patch.h):
//   struct kpatch_patch_func { unsigned long new_addr, new_size, old_addr, old_size, sympos;
//                              char *name; char *objname; };
// kpatch's livepatch hook turns each into a klp_func { .old_name = name, .old_sympos = sympos } in a
// klp_object per objname ("vmlinux" → NULL), objects in first-seen order.

interface KpatchFuncEntry {
  readonly name: string;
  readonly objname: string;
  readonly sympos: bigint;
  readonly at: bigint;
}

function readKpatchFuncs(r: ObjectReader, section: ElfSection, notes: string[]): KpatchFuncEntry[] | null {
  const P = r.pointerSize;
  const size = section.data?.length ?? 0;
  // Seven fields since kpatch 0.4 (sympos added); six before (no sympos: always 0).
  for (const fields of [7, 6]) {
    const stride = fields * P;
    if (size === 0 || size % stride !== 0) continue;
    const nameAt = (fields - 2) * P;
    const entries: KpatchFuncEntry[] = [];
    let ok = true;
    for (let at = 0; at < size && ok; at += stride) {
      const base = BigInt(at);
      const name = r.string(r.pointer(section, base + BigInt(nameAt)));
      const objname = r.string(r.pointer(section, base + BigInt(nameAt + P)));
      if (name === null || objname === null) ok = false;
      else {
        const sympos = fields === 7 ? (r.word(section, base + BigInt(4 * P)) ?? 0n) : 0n;
        entries.push({ name, objname, sympos, at: base });
      }
    }
    if (ok) {
      notes.push(
        `.kpatch.funcs: ${entries.length} × ${stride}-byte struct kpatch_patch_func (${fields} fields)`,
      );
      return entries;
    }
  }
  return null;
}

/** 2. kpatch-build modules: .kpatch.funcs. */
export function collectKpatchFuncs(r: ObjectReader, c: TargetCollector, section: ElfSection): void {
  const entries = readKpatchFuncs(r, section, c.notes);
  if (entries === null) {
    c.flags.push(
      raise(
        "KPATCH_FUNCS_UNREADABLE",
        ".kpatch.funcs does not hold struct kpatch_patch_func entries whose name and objname pointers lead to strings",
      ),
    );
    return;
  }
  c.foundKind("kpatch.funcs");
  entries.forEach((e, i) => {
    const source = `.kpatch.funcs[${i}] at ${place(section, e.at)}`;
    c.addFunction("kpatch.funcs", e.objname, e.name, e.sympos, source, c.objectIndex(e.objname));
  });
}
