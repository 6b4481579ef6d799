// Targets of kernel-API livepatch modules: the static `struct klp_patch` → klp_object[] →
// klp_func[] arrays (include/linux/livepatch.h), found through relocations, and what
// klp_init_object()/klp_init_func() refuse in them.
import type { ElfSection } from "../../elf/types.js";
import type { Flag } from "../flags.js";
import { raise } from "../report/flag-codes.js";
import { arrayLayout } from "./array-layout.js";
import type { TargetCollector } from "./collector.js";
import { KSYM_NAME_LEN } from "./klp-names.js";
import { type ObjectReader, type Pointer, place } from "./object-reader.js";

// The fields a livepatch author fills come first and have kept their order since Linux 4.x:
//   struct klp_func   { const char *old_name; void *new_func; unsigned long old_sympos; ...internal };
//   struct klp_object { const char *name; struct klp_func *funcs; struct klp_callbacks callbacks; ... };
//   struct klp_patch  { struct module *mod; struct klp_object *objs; ... } (5.5 added `states` third);
// so old_name, new_func and old_sympos are pointer-sized fields 0, 1 and 2. sizeof() of the whole
// structs differs by config and version (6.12, 64-bit, no CONFIG_DEBUG_KOBJECT_RELEASE: klp_func 152,
// klp_object 168 bytes) and is read from the object (arrayLayout).

const KLP_FUNC_SIZE_6_12 = 152;
const KLP_OBJECT_SIZE_6_12 = 168;

export interface KlpFuncEntry {
  readonly oldName: string | null;
  readonly oldSympos: bigint;
  readonly newFunc: Pointer | null;
  readonly at: bigint;
}

interface KlpObjectEntry {
  readonly objname: string;
  readonly nameWasNull: boolean;
  readonly funcsSection: ElfSection;
  readonly funcs: readonly KlpFuncEntry[];
  readonly at: bigint;
  readonly funcsAt: bigint;
}

interface KlpPatchFound {
  readonly section: ElfSection;
  readonly at: bigint;
  readonly objsSection: ElfSection;
  readonly objsAt: bigint;
  readonly objects: readonly KlpObjectEntry[];
  readonly notes: readonly string[];
}

function readKlpFuncs(
  r: ObjectReader,
  section: ElfSection,
  start: bigint,
  notes: string[],
): KlpFuncEntry[] | null {
  const P = BigInt(r.pointerSize);
  const layout = arrayLayout(r, section, start, {
    what: "klp_func array",
    // klp_for_each_func_static() stops at the entry whose old_name, new_func and old_sympos are all 0.
    testedBytes: 3 * r.pointerSize,
    // old_name, new_func, old_sympos
    authorFields: 3,
    defaultStride64: KLP_FUNC_SIZE_6_12,
    plausible: (at) => {
      const name = r.pointer(section, at);
      const fn = r.pointer(section, at + P);
      return (
        (name?.kind === "local" && r.string(name) !== null) || fn?.kind === "local" || fn?.kind === "external"
      );
    },
  });
  if (layout === null) return null;
  notes.push(layout.how);
  const funcs: KlpFuncEntry[] = [];
  for (let k = 0; k < layout.count; k++) {
    const at = start + BigInt(k) * layout.stride;
    const namePtr = r.pointer(section, at);
    funcs.push({
      oldName: r.string(namePtr),
      newFunc: r.pointer(section, at + P),
      oldSympos: r.word(section, at + 2n * P) ?? 0n,
      at,
    });
  }
  return funcs;
}

function readKlpObjects(
  r: ObjectReader,
  section: ElfSection,
  start: bigint,
  notes: string[],
): KlpObjectEntry[] | null {
  const P = BigInt(r.pointerSize);
  const local: string[] = [];
  const layout = arrayLayout(r, section, start, {
    what: "klp_object array",
    // klp_for_each_object_static() stops at the entry whose name and funcs are both NULL.
    testedBytes: 2 * r.pointerSize,
    // name, funcs, and struct klp_callbacks' four function pointers (+ its bool)
    authorFields: 7,
    defaultStride64: KLP_OBJECT_SIZE_6_12,
    plausible: (at) => r.pointer(section, at + P)?.kind === "local",
  });
  if (layout === null) return null;
  local.push(layout.how);
  const objects: KlpObjectEntry[] = [];
  for (let k = 0; k < layout.count; k++) {
    const at = start + BigInt(k) * layout.stride;
    const namePtr = r.pointer(section, at);
    const funcsPtr = r.pointer(section, at + P);
    if (funcsPtr?.kind !== "local") return null;
    const funcs = readKlpFuncs(r, funcsPtr.section, funcsPtr.offset, local);
    if (funcs === null) return null;
    const nameWasNull = namePtr?.kind === "null";
    const objname = nameWasNull ? "vmlinux" : (r.string(namePtr) ?? "?");
    objects.push({
      objname,
      nameWasNull,
      funcsSection: funcsPtr.section,
      funcs,
      at,
      funcsAt: funcsPtr.offset,
    });
  }
  notes.push(...local);
  return objects;
}

/**
 * Every `struct klp_patch` of the object: found as data whose first field is relocated against
 * `__this_module` (klp_enable_patch() requires `.mod = THIS_MODULE`) and whose second field leads to
 * a well-formed klp_object array whose `funcs` lead to well-formed klp_func arrays. Other structs
 * starting with an owner pointer (file_operations …) fail those checks and are skipped.
 */
function findKlpPatches(r: ObjectReader): KlpPatchFound[] {
  const P = BigInt(r.pointerSize);
  const found: KlpPatchFound[] = [];
  for (const rs of r.elf.relocationSections()) {
    const section = rs.target;
    if (section === null || section.data === null || section.name === ".gnu.linkonce.this_module") continue;
    if (section.name.startsWith(".klp.rela.")) continue;
    const symbols = r.elf.symbolsOf(rs.symtab);
    for (const reloc of rs.entries()) {
      if (symbols[reloc.symbolIndex]?.name !== "__this_module") continue;
      const objs = r.pointer(section, reloc.offset + P);
      if (objs?.kind !== "local") continue;
      const notes: string[] = [];
      const objects = readKlpObjects(r, objs.section, objs.offset, notes);
      if (objects === null || objects.length === 0) continue;
      notes.unshift(
        `klp_patch at ${place(section, reloc.offset)} (its .mod is THIS_MODULE), objs at ${place(objs.section, objs.offset)}`,
      );
      found.push({
        section,
        at: reloc.offset,
        objsSection: objs.section,
        objsAt: objs.offset,
        objects,
        notes,
      });
    }
  }
  return found;
}

/** Where each `struct klp_patch` of the object lies (the checks of findKlpPatches), for readers of its other fields. */
export function klpPatchPlaces(r: ObjectReader): { readonly section: ElfSection; readonly at: bigint }[] {
  return findKlpPatches(r).map((p) => ({ section: p.section, at: p.at }));
}

/** Problems klp_init_object()/klp_init_func() find in a kernel-API klp_object and its functions. */
function objectNameFlags(obj: KlpObjectEntry, o: number): Flag[] {
  if (obj.nameWasNull) return [];
  if (obj.objname === "vmlinux") {
    return [
      raise(
        "OBJNAME_VMLINUX_STRING",
        `objs[${o}].name is the string "vmlinux": the kernel treats any non-NULL name as a module and waits for a module named vmlinux; leave .name NULL for vmlinux`,
      ),
    ];
  }
  if (obj.objname.includes("-")) {
    return [
      raise(
        "OBJNAME_NOT_NORMALIZED",
        `objs[${o}].name '${obj.objname}' contains '-': module names are kept with '_' (kernel/module/main.c), so the object never counts as loaded; use '${obj.objname.replace(/-/g, "_")}'`,
      ),
    ];
  }
  return [];
}

function funcFlags(fn: KlpFuncEntry, source: string): Flag[] {
  const flags: Flag[] = [];
  if (fn.oldName === null) {
    flags.push(raise("BAD_OLD_NAME", `${source}: old_name does not lead to a string in the object`));
  } else if (fn.oldName.length >= KSYM_NAME_LEN) {
    // kernel/livepatch/core.c klp_init_func(): strlen(old_name) >= KSYM_NAME_LEN → -EINVAL, no message
    flags.push(
      raise(
        "NAME_TOO_LONG",
        `old_name is ${fn.oldName.length} characters: klp_init_func() refuses names of KSYM_NAME_LEN (${KSYM_NAME_LEN}) or more with -EINVAL`,
      ),
    );
  }
  if (fn.newFunc === null || fn.newFunc.kind === "null") {
    // klp_init_func(): a klp_func without new_func (and not a nop) is -EINVAL
    flags.push(raise("NO_NEW_FUNC", `${source}: new_func is NULL: klp_init_func() refuses it with -EINVAL`));
  }
  return flags;
}

/** 1. Kernel-API modules: klp_patch → klp_object[] → klp_func[]. Returns how many patches were found. */
export function collectKlpPatches(r: ObjectReader, c: TargetCollector): number {
  const patches = findKlpPatches(r);
  for (const patch of patches) {
    c.notes.push(...patch.notes);
    patch.objects.forEach((obj, o) => {
      // each klp_object counts, even two of the same name
      c.objects.push(obj.objname);
      const index = c.objects.length - 1;
      const objFlags = objectNameFlags(obj, o);
      obj.funcs.forEach((fn, f) => {
        const source = `objs[${o}].funcs[${f}] at ${place(obj.funcsSection, fn.at)}`;
        c.addFunction("klp_func", obj.objname, fn.oldName ?? "", fn.oldSympos, source, index, [
          ...objFlags,
          ...funcFlags(fn, source),
        ]);
      });
    });
  }
  if (patches.length > 0) c.foundKind("klp_func");
  if (patches.length > 1) c.notes.push(`${patches.length} klp_patch structures found`);
  return patches.length;
}
