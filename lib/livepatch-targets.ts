// The targets a built livepatch module asks the kernel to resolve: the functions it replaces
// (`struct klp_func` arrays, kpatch-build's `.kpatch.funcs`) and the symbols it references through
// `.klp.sym` symbols and `.klp.rela` sections; also plain target lists (`--targets`).
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "../elf/types.js";
import { type Flag, flag } from "./flags.js";
import { InputError } from "./input-error.js";

export type TargetOrigin = "klp_func" | "klp.sym" | "kpatch.funcs" | "list";

/**
 * `function`: replaced through ftrace (klp_func, .kpatch.funcs): the kernel resolves it, looks up its
 * size and registers an ftrace handler on it. `reference`: a `.klp.sym` symbol, only resolved.
 */
export type TargetRole = "function" | "reference";

/**
 * When the kernel resolves the target (kernel/livepatch/core.c, kernel/module/main.c):
 * `load` — vmlinux `.klp.rela` sections, applied while the livepatch module loads;
 * `enable` — klp_enable_patch(): per klp_object in order, its `.klp.rela` sections then its functions.
 */
export type TargetStage = "load" | "enable";

export interface LivepatchTarget {
  /** "vmlinux" or the module name the livepatch gives. */
  readonly objname: string;
  readonly oldName: string;
  /** old_sympos / the `,N` of a `.klp.sym` name (unsigned long in the kernel). */
  readonly oldSympos: number;
  readonly origin: TargetOrigin;
  readonly role: TargetRole;
  /** Where it was read: `objs[0].funcs[1] at .data+0x2b8`, `.klp.sym.vmlinux.foo,0 (symbol 12)`, `list.tsv:3`. */
  readonly source: string;
  readonly stage: TargetStage;
  /** Index of its klp_object in the order the kernel initializes objects (-1 when unknown). */
  readonly objectIndex: number;
  /** False for a `.klp.sym` symbol no `.klp.rela` relocation uses: the kernel never looks it up. */
  readonly used: boolean;
  /** What is wrong with the entry itself, before any lookup. */
  readonly flags: readonly Flag[];
  /** What the kernel prints when it rejects the entry itself (bad name format, …), else null. */
  readonly kernelMessage: string | null;
}

/** A kernel message and the stage that prints it. */
export interface StagedMessage {
  readonly stage: TargetStage;
  readonly message: string;
}

export interface LivepatchTargets {
  readonly path: string;
  /** The module's name from `.modinfo` (`name=`), else null. */
  readonly moduleName: string | null;
  /** The kinds of target data found, in reading order. */
  readonly found: readonly TargetOrigin[];
  /** The klp_object names in initialization order ("vmlinux" for a NULL name). */
  readonly objects: readonly string[];
  readonly targets: readonly LivepatchTarget[];
  /** Problems of the module as a whole (not a livepatch module, malformed `.klp.rela` …). */
  readonly flags: readonly Flag[];
  /** Messages the kernel prints for module-level problems, in the order it would meet them. */
  readonly kernelMessages: readonly StagedMessage[];
  /** How the data was decoded (struct strides, layouts): evidence for the report. */
  readonly notes: readonly string[];
}

// include/uapi/linux/elf.h: SHN_LIVEPATCH 0xff20, SHF_RELA_LIVEPATCH 0x00100000.
const SHF_RELA_LIVEPATCH = 0x00100000n;
// include/linux/module.h: MODULE_NAME_LEN is 64 - sizeof(unsigned long) = 56 on 64-bit; the
// kernel's sscanf formats use 55 characters for the object name.
const OBJNAME_MAX = 55;
// KSYM_NAME_LEN: 512 since 6.1 (commit "kallsyms: increase maximum kernel symbol length to 512"), 128 before.
export const KSYM_NAME_LEN = 512;
export const KSYM_NAME_LEN_BEFORE_6_1 = 128;

// ---------------------------------------------------------------------------------------------
// .klp.sym and .klp.rela names

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

// ---------------------------------------------------------------------------------------------
// Reading words, pointers and strings out of a relocatable object

/** What a pointer-sized field holds in a relocatable object. */
type Pointer =
  | { readonly kind: "null" }
  /** A constant the object does not relocate (not followable). */
  | { readonly kind: "value"; readonly value: bigint }
  /** Relocated against a defined symbol: a place in one of the object's sections. */
  | {
      readonly kind: "local";
      readonly section: ElfSection;
      readonly offset: bigint;
      readonly symbol: ElfSymbol;
    }
  /** Relocated against an undefined symbol (e.g. `__this_module` before linking, exported functions). */
  | { readonly kind: "external"; readonly name: string; readonly addend: bigint };

class ObjectReader {
  readonly elf: ElfFile;
  readonly pointerSize: 4 | 8;
  readonly little: boolean;
  private readonly relocs = new Map<
    number,
    Map<bigint, { reloc: ElfRelocation; symbols: readonly ElfSymbol[] }>
  >();

  constructor(elf: ElfFile) {
    this.elf = elf;
    this.pointerSize = elf.header.class === 64 ? 8 : 4;
    this.little = elf.header.endianness === "little";
  }

  /** An unsigned word of `size` bytes at `offset` of the section's data, or null when outside it. */
  word(section: ElfSection, offset: bigint, size: number = this.pointerSize): bigint | null {
    const data = section.data;
    if (data === null || offset < 0n || offset + BigInt(size) > BigInt(data.length)) return null;
    const at = Number(offset);
    const view = new DataView(data.buffer, data.byteOffset + at, size);
    if (size === 8) return view.getBigUint64(0, this.little);
    if (size === 4) return BigInt(view.getUint32(0, this.little));
    if (size === 2) return BigInt(view.getUint16(0, this.little));
    return BigInt(view.getUint8(0));
  }

  /** Relocations applying to a section, by offset (first one wins: one pointer per place). */
  relocationsAt(section: ElfSection): Map<bigint, { reloc: ElfRelocation; symbols: readonly ElfSymbol[] }> {
    let map = this.relocs.get(section.index);
    if (map === undefined) {
      map = new Map();
      for (const rs of this.elf.relocationSections()) {
        if (rs.target?.index !== section.index) continue;
        const symbols = this.elf.symbolsOf(rs.symtab);
        for (const reloc of rs.entries())
          if (!map.has(reloc.offset)) map.set(reloc.offset, { reloc, symbols });
      }
      this.relocs.set(section.index, map);
    }
    return map;
  }

  hasRelocationIn(section: ElfSection, from: bigint, to: bigint): boolean {
    for (const offset of this.relocationsAt(section).keys()) if (offset >= from && offset < to) return true;
    return false;
  }

  /** The pointer-sized field at `offset`: followed through its relocation when it has one. */
  pointer(section: ElfSection, offset: bigint): Pointer | null {
    const raw = this.word(section, offset);
    if (raw === null) return null;
    const hit = this.relocationsAt(section).get(offset);
    if (hit === undefined) return raw === 0n ? { kind: "null" } : { kind: "value", value: raw };
    const symbol = hit.symbols[hit.reloc.symbolIndex];
    if (symbol === undefined) return null;
    // SHT_REL keeps the addend in the place itself (System V gABI, "Relocation").
    const addend = hit.reloc.addend ?? raw;
    if (symbol.sectionIndex !== null) {
      const target = this.elf.sections[symbol.sectionIndex];
      if (target === undefined) return null;
      return { kind: "local", section: target, offset: symbol.value + addend, symbol };
    }
    return { kind: "external", name: symbol.name, addend };
  }

  /** The NUL-terminated string a pointer leads to (latin1, as the kernel compares bytes), or null. */
  string(p: Pointer | null): string | null {
    if (p === null || p.kind !== "local") return null;
    const data = p.section.data;
    if (data === null || p.offset < 0n || p.offset >= BigInt(data.length)) return null;
    const start = Number(p.offset);
    const end = data.indexOf(0, start);
    if (end < 0) return null;
    return Buffer.from(data.buffer, data.byteOffset + start, end - start).toString("latin1");
  }

  /** The size of a sized data symbol starting exactly at `offset` of `section`, else null. */
  extentAt(section: ElfSection, offset: bigint): bigint | null {
    let best: bigint | null = null;
    // a size reaching past the section's data is corrupt: not an extent (and never a loop bound)
    const room = BigInt(section.data?.length ?? 0) - offset;
    for (const s of this.elf.symbols()) {
      if (
        s.sectionIndex === section.index &&
        s.value === offset &&
        s.size > 0n &&
        s.size <= room &&
        (s.type === 1 || s.type === 0)
      ) {
        if (best === null || s.size > best) best = s.size;
      }
    }
    return best;
  }
}

function place(section: ElfSection, offset: bigint): string {
  return `${section.name}+0x${offset.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------
// Arrays ended by an all-zero entry (klp_object[], klp_func[]), their stride found from the data

interface ArraySpec {
  readonly what: string;
  /** Bytes of the fields the kernel's loop tests for the terminating entry. */
  readonly testedBytes: number;
  /** sizeof() in Linux 6.12 for a 64-bit kernel, tried when the array has no sized symbol. */
  readonly defaultStride64: number | null;
  /**
   * The pointer-sized fields an author may initialize (in pointers from the entry's start); the
   * rest are the kernel's internal fields, never relocated in a real entry.
   */
  readonly authorFields: number;
  /** True when entry `at` looks like a real entry (its pointers relocated as expected). */
  readonly plausible: (at: bigint) => boolean;
}

interface ArrayLayout {
  readonly stride: bigint;
  readonly count: number;
  readonly how: string;
}

function isTerminator(r: ObjectReader, section: ElfSection, at: bigint, bytes: number): boolean {
  if (r.hasRelocationIn(section, at, at + BigInt(bytes))) return false;
  for (let o = 0; o < bytes; o += r.pointerSize) if (r.word(section, at + BigInt(o)) !== 0n) return false;
  return true;
}

/**
 * The stride and entry count of a zero-terminated array of structs at `start`. sizeof(struct
 * klp_func) depends on the kernel's version and config (struct kobject grows with
 * CONFIG_DEBUG_KOBJECT_RELEASE), so it is read from the object: the array's own symbol size must
 * hold whole entries, real entries first and one terminator last. Without a sized symbol, the 6.12
 * size for the ELF class is tried.
 */
function arrayLayout(
  r: ObjectReader,
  section: ElfSection,
  start: bigint,
  spec: ArraySpec,
): ArrayLayout | null {
  const P = BigInt(r.pointerSize);
  const minStride = BigInt(spec.testedBytes);
  const relocOffsets = [...r.relocationsAt(section).keys()];
  const fits = (stride: bigint, count: number): boolean => {
    const end = start + BigInt(count) * stride;
    const authored = BigInt(spec.authorFields) * P;
    // a relocation beyond the author's fields of its entry means the stride is wrong
    for (const o of relocOffsets) if (o >= start && o < end && (o - start) % stride >= authored) return false;
    for (let k = 0; k < count - 1; k++) {
      const at = start + BigInt(k) * stride;
      if (isTerminator(r, section, at, spec.testedBytes) || !spec.plausible(at)) return false;
    }
    return isTerminator(r, section, start + BigInt(count - 1) * stride, spec.testedBytes);
  };
  const extent = r.extentAt(section, start);
  if (extent !== null) {
    const valid: bigint[] = [];
    for (let stride = minStride; stride * 2n <= extent; stride += P) {
      if (extent % stride === 0n && fits(stride, Number(extent / stride))) valid.push(stride);
    }
    const preferred =
      spec.defaultStride64 !== null && r.pointerSize === 8 ? BigInt(spec.defaultStride64) : null;
    const pick = valid.length === 1 ? valid[0] : valid.find((s) => s === preferred);
    if (pick !== undefined) {
      return {
        stride: pick,
        count: Number(extent / pick) - 1,
        how: `${spec.what} at ${place(section, start)}: ${extent} bytes = ${Number(extent / pick)} × ${pick}-byte entries (last one the terminator)`,
      };
    }
  }
  if (spec.defaultStride64 === null || r.pointerSize !== 8) return null;
  const stride = BigInt(spec.defaultStride64);
  const size = BigInt(section.data?.length ?? 0);
  let count = 0;
  for (let at = start; at + minStride <= size; at += stride, count++) {
    if (isTerminator(r, section, at, spec.testedBytes)) {
      return {
        stride,
        count,
        how: `${spec.what} at ${place(section, start)}: no sized symbol, Linux 6.12's ${stride}-byte entries assumed, ${count} before the terminator`,
      };
    }
    if (!spec.plausible(at)) return null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// struct klp_patch / klp_object / klp_func (include/linux/livepatch.h)
//
// The fields a livepatch author fills come first and have kept their order since Linux 4.x:
//   struct klp_func   { const char *old_name; void *new_func; unsigned long old_sympos; ...internal };
//   struct klp_object { const char *name; struct klp_func *funcs; struct klp_callbacks callbacks; ... };
//   struct klp_patch  { struct module *mod; struct klp_object *objs; struct klp_state *states; ... };
// so old_name, new_func and old_sympos are pointer-sized fields 0, 1 and 2. sizeof() of the whole
// structs differs by config and version (6.12, 64-bit, no CONFIG_DEBUG_KOBJECT_RELEASE: klp_func 152,
// klp_object 168 bytes) and is read from the object (arrayLayout).

const KLP_FUNC_SIZE_6_12 = 152;
const KLP_OBJECT_SIZE_6_12 = 168;

interface KlpFuncEntry {
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

// ---------------------------------------------------------------------------------------------
// klp-build (Linux 6.19+, objtool klp diff): include/linux/livepatch_external.h
//   struct klp_func_ext   { const char *old_name; void *new_func; unsigned long sympos; };
//   struct klp_object_ext { const char *name; struct klp_func_ext *funcs;
//                           struct klp_callbacks callbacks; unsigned int nr_funcs; };
// in a `klp_objects` section (scripts/livepatch/init.c walks __start_klp_objects..__stop_klp_objects
// and builds the klp_patch at run time). Later trees drop `callbacks`; both layouts are tried.

interface KlpObjectExt {
  readonly objname: string;
  readonly funcs: readonly (KlpFuncEntry & { readonly section: ElfSection })[];
  readonly at: bigint;
}

function readKlpObjectsExt(r: ObjectReader, section: ElfSection, notes: string[]): KlpObjectExt[] | null {
  const P = r.pointerSize;
  const size = section.data?.length ?? 0;
  // struct klp_callbacks: four function pointers and a bool, padded to a pointer
  const callbacks = 5 * P;
  const layouts = [
    { what: "with callbacks", nrAt: 2 * P + callbacks, stride: 2 * P + callbacks + P },
    { what: "without callbacks", nrAt: 2 * P, stride: 3 * P },
  ];
  for (const layout of layouts) {
    if (size === 0 || size % layout.stride !== 0) continue;
    const objects: KlpObjectExt[] = [];
    let ok = true;
    for (let at = 0n; at < BigInt(size) && ok; at += BigInt(layout.stride)) {
      const namePtr = r.pointer(section, at);
      const funcsPtr = r.pointer(section, at + BigInt(P));
      const nr = r.word(section, at + BigInt(layout.nrAt), 4) ?? 0n;
      if (funcsPtr?.kind !== "local" || nr === 0n || nr > 100_000n) {
        ok = false;
        break;
      }
      const funcs: (KlpFuncEntry & { section: ElfSection })[] = [];
      for (let k = 0n; k < nr; k++) {
        const fat = funcsPtr.offset + k * BigInt(3 * P);
        const oldName = r.string(r.pointer(funcsPtr.section, fat));
        if (oldName === null) {
          ok = false;
          break;
        }
        funcs.push({
          oldName,
          newFunc: r.pointer(funcsPtr.section, fat + BigInt(P)),
          oldSympos: r.word(funcsPtr.section, fat + BigInt(2 * P)) ?? 0n,
          at: fat,
          section: funcsPtr.section,
        });
      }
      const name = namePtr?.kind === "null" ? "vmlinux" : r.string(namePtr);
      if (name === null) ok = false;
      else objects.push({ objname: name, funcs, at });
    }
    if (ok) {
      notes.push(
        `${section.name}: ${objects.length} × ${layout.stride}-byte struct klp_object_ext (${layout.what}), klp-build`,
      );
      return objects;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// The module as a whole

function modinfo(elf: ElfFile): Map<string, string> {
  const info = new Map<string, string>();
  const data = elf.sectionByName(".modinfo")?.data;
  if (!data) return info;
  for (const entry of Buffer.from(data.buffer, data.byteOffset, data.length).toString("latin1").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0 && !info.has(entry.slice(0, eq))) info.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return info;
}

function safeSympos(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

interface KlpSymUse {
  readonly symbol: ElfSymbol;
  readonly sections: string[];
  /** objname of the first .klp.rela section using it. */
  readonly sectionObjname: string;
  firstUse: number;
}

export interface ReadTargetsOptions {
  /** The kernel's name limit for `.klp.sym` names: 511 (6.1+, default) or 127 (before 6.1). */
  readonly nameMax?: number;
}

/** What the readers below gather, in the order the module holds it. */
class TargetCollector {
  readonly targets: LivepatchTarget[] = [];
  readonly found: TargetOrigin[] = [];
  readonly objects: string[] = [];
  readonly flags: Flag[] = [];
  readonly kernelMessages: StagedMessage[] = [];
  readonly notes: string[] = [];

  /** The index of the klp_object named `objname`, added when new (run-time built patches). */
  objectIndex(objname: string): number {
    const i = this.objects.indexOf(objname);
    if (i >= 0) return i;
    this.objects.push(objname);
    return this.objects.length - 1;
  }

  foundKind(origin: TargetOrigin): void {
    if (!this.found.includes(origin)) this.found.push(origin);
  }

  addFunction(
    origin: TargetOrigin,
    objname: string,
    oldName: string,
    oldSympos: bigint,
    source: string,
    objectIndex: number,
    flags: readonly Flag[] = [],
  ): void {
    this.targets.push({
      objname,
      oldName,
      oldSympos: safeSympos(oldSympos),
      origin,
      role: "function",
      source,
      stage: "enable",
      objectIndex,
      used: true,
      flags,
      kernelMessage: null,
    });
  }
}

/** Problems klp_init_object()/klp_init_func() find in a kernel-API klp_object and its functions. */
function objectNameFlags(obj: KlpObjectEntry, o: number): Flag[] {
  if (obj.nameWasNull) return [];
  if (obj.objname === "vmlinux") {
    return [
      flag(
        "OBJNAME_VMLINUX_STRING",
        "error",
        `objs[${o}].name is the string "vmlinux": the kernel treats any non-NULL name as a module and waits for a module named vmlinux; leave .name NULL for vmlinux`,
      ),
    ];
  }
  if (obj.objname.includes("-")) {
    return [
      flag(
        "OBJNAME_NOT_NORMALIZED",
        "error",
        `objs[${o}].name '${obj.objname}' contains '-': module names are kept with '_' (kernel/module/main.c), so the object never counts as loaded; use '${obj.objname.replace(/-/g, "_")}'`,
      ),
    ];
  }
  return [];
}

function funcFlags(fn: KlpFuncEntry, source: string): Flag[] {
  const flags: Flag[] = [];
  if (fn.oldName === null) {
    flags.push(flag("BAD_OLD_NAME", "error", `${source}: old_name does not lead to a string in the object`));
  } else if (fn.oldName.length >= KSYM_NAME_LEN) {
    // kernel/livepatch/core.c klp_init_func(): strlen(old_name) >= KSYM_NAME_LEN → -EINVAL, no message
    flags.push(
      flag(
        "NAME_TOO_LONG",
        "error",
        `old_name is ${fn.oldName.length} characters: klp_init_func() refuses names of KSYM_NAME_LEN (${KSYM_NAME_LEN}) or more with -EINVAL`,
      ),
    );
  }
  if (fn.newFunc === null || fn.newFunc.kind === "null") {
    // klp_init_func(): a klp_func without new_func (and not a nop) is -EINVAL
    flags.push(
      flag("NO_NEW_FUNC", "error", `${source}: new_func is NULL: klp_init_func() refuses it with -EINVAL`),
    );
  }
  return flags;
}

/** 1. Kernel-API modules: klp_patch → klp_object[] → klp_func[]. Returns how many patches were found. */
function collectKlpPatches(r: ObjectReader, c: TargetCollector): number {
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

/** 1b. klp-build modules: klp_object_ext / klp_func_ext tables. */
function collectKlpBuild(r: ObjectReader, c: TargetCollector): void {
  for (const section of r.elf.sections) {
    if (section.name !== "klp_objects" && section.name !== ".init.klp_objects") continue;
    const objs = readKlpObjectsExt(r, section, c.notes);
    if (objs === null) {
      c.flags.push(
        flag(
          "KLP_OBJECTS_UNREADABLE",
          "error",
          `${section.name} does not hold readable struct klp_object_ext entries`,
        ),
      );
      continue;
    }
    c.foundKind("klp_func");
    objs.forEach((obj, o) => {
      const index = c.objectIndex(obj.objname);
      obj.funcs.forEach((fn, f) => {
        const source = `${section.name}[${o}].funcs[${f}] at ${place(fn.section, fn.at)}`;
        c.addFunction("klp_func", obj.objname, fn.oldName ?? "", fn.oldSympos, source, index);
      });
    });
  }
}

/** 2. kpatch-build modules: .kpatch.funcs. */
function collectKpatchFuncs(r: ObjectReader, c: TargetCollector, section: ElfSection): void {
  const entries = readKpatchFuncs(r, section, c.notes);
  if (entries === null) {
    c.flags.push(
      flag(
        "KPATCH_FUNCS_UNREADABLE",
        "error",
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
      c.flags.push(flag("BAD_KLP_RELA_NAME", "error", `${msg}: expected .klp.rela.<objname>.<section>`));
      c.kernelMessages.push({ stage: "load", message: msg });
      continue;
    }
    if ((rs.section.flags & SHF_RELA_LIVEPATCH) === 0n) {
      c.flags.push(
        flag(
          "KLP_RELA_NOT_MARKED",
          "error",
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
            flag(
              "KLP_SYM_NOT_LIVEPATCH",
              "error",
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
      flag(
        "KLP_SYM_NOT_LIVEPATCH",
        "error",
        `${sym.name} is not in section SHN_LIVEPATCH (0xff20): the module loader sees an undefined or ordinary symbol, not a livepatch reference`,
      ),
    );
  }
  if (parsed === null) {
    kernelMessage = `symbol ${sym.name} has an incorrectly formatted name`;
    flags.push(
      flag(
        "BAD_KLP_SYM_NAME",
        "error",
        `${sym.name}: not .klp.sym.<objname>.<name>,<sympos> as the kernel reads it (objname ≤ ${OBJNAME_MAX} characters without '.', name ≤ ${nameMax} without ',', decimal sympos)`,
      ),
    );
  } else if (parsed.trailing !== "") {
    flags.push(
      flag(
        "KLP_SYM_TRAILING",
        "warning",
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
      flag(
        "KLP_SYM_VMLINUX_FROM_MODULE",
        "error",
        `${sym.name} is used by ${use.sections[0]}: ${kernelMessage}`,
      ),
    );
  }
  if (use === undefined) {
    flags.push(
      flag(
        "KLP_SYM_UNUSED",
        "info",
        `${sym.name}: no .klp.rela relocation uses it, so the kernel never looks it up`,
      ),
    );
  }
  return { flags, kernelMessage };
}

/** 3. .klp.sym symbols, in the order the .klp.rela sections first use them. Returns how many. */
function collectKlpSyms(elf: ElfFile, c: TargetCollector, nameMax: number, objectsKnown: boolean): number {
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
        flag(
          "KLP_RELA_NO_OBJECT",
          "error",
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

/** Reads every target a livepatch module (.ko or .o) carries. */
export function readLivepatchTargets(elf: ElfFile, opts: ReadTargetsOptions = {}): LivepatchTargets {
  const r = new ObjectReader(elf);
  const c = new TargetCollector();
  const info = modinfo(elf);
  const moduleName = info.get("name") ?? null;

  const patches = collectKlpPatches(r, c);
  collectKlpBuild(r, c);
  const kpatchFuncs = elf.sectionByName(".kpatch.funcs");
  if (kpatchFuncs !== undefined) collectKpatchFuncs(r, c, kpatchFuncs);
  // kpatch's hook builds its klp_objects at run time: which exist is not known statically
  const objectsKnown = kpatchFuncs === undefined && c.objects.length > 0;
  const klpSyms = collectKlpSyms(elf, c, opts.nameMax ?? KSYM_NAME_LEN - 1, objectsKnown);

  // The module as a whole
  const isModule = elf.sectionByName(".gnu.linkonce.this_module") !== undefined || info.size > 0;
  if (isModule && (patches > 0 || klpSyms > 0) && info.get("livepatch") !== "Y") {
    // kernel/livepatch/core.c klp_enable_patch(): "module %s is not marked as a livepatch module"
    const msg = `module ${moduleName ?? "?"} is not marked as a livepatch module`;
    c.flags.push(
      flag(
        "NOT_LIVEPATCH_MODULE",
        "error",
        `.modinfo has no livepatch=Y (MODULE_INFO(livepatch, "Y")): ${msg}`,
      ),
    );
    c.kernelMessages.push({ stage: "enable", message: msg });
  }
  // kpatch and klp-build modules build their klp_patch at run time from their own tables
  const tablesFound = kpatchFuncs !== undefined || c.found.includes("klp_func");
  const callsEnable = elf.symbols().some((s) => s.name === "klp_enable_patch" && s.special === "UNDEF");
  if (!tablesFound && callsEnable) {
    c.flags.push(
      flag(
        "KLP_PATCH_NOT_FOUND",
        "warning",
        "the module calls klp_enable_patch() but no static klp_patch (.mod = THIS_MODULE, .objs → klp_object[] → klp_func[]) was found: its functions are built at run time and cannot be checked",
      ),
    );
  }
  if (c.targets.length === 0) {
    c.flags.push(
      flag("NO_TARGETS", "warning", "no klp_func, .kpatch.funcs or .klp.sym targets found in the object"),
    );
  }
  return {
    path: elf.path,
    moduleName,
    found: c.found,
    objects: c.objects,
    targets: c.targets,
    flags: c.flags,
    kernelMessages: c.kernelMessages,
    notes: c.notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Plain target lists: --targets FILE

function listTarget(
  path: string,
  where: string,
  objname: unknown,
  oldName: unknown,
  oldSympos: unknown,
  role: TargetRole,
  objects: string[],
): LivepatchTarget {
  const at = `${path}: ${where}`;
  if (typeof oldName !== "string" || oldName === "")
    throw new InputError(path, `${where}: missing name (oldName or name)`);
  const obj = objname === undefined || objname === null ? "vmlinux" : objname;
  if (typeof obj !== "string" || obj === "")
    throw new InputError(path, `${where}: objname must be a non-empty string`);
  let sympos: number;
  if (oldSympos === undefined || oldSympos === null) sympos = 0;
  else if (typeof oldSympos === "number" && Number.isSafeInteger(oldSympos) && oldSympos >= 0)
    sympos = oldSympos;
  else if (typeof oldSympos === "string" && /^\d+$/.test(oldSympos)) sympos = safeSympos(BigInt(oldSympos));
  else
    throw new InputError(
      path,
      `${where}: sympos must be a non-negative integer, got ${JSON.stringify(oldSympos)}`,
    );
  if (!objects.includes(obj)) objects.push(obj);
  return {
    objname: obj,
    oldName,
    oldSympos: sympos,
    origin: "list",
    role,
    source: at,
    stage: "enable",
    objectIndex: objects.indexOf(obj),
    used: true,
    flags: [],
    kernelMessage: null,
  };
}

function targetsFromJson(
  path: string,
  value: unknown,
  objects: string[],
  undecided: string[],
): LivepatchTarget[] {
  const targets: LivepatchTarget[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item === null || typeof item !== "object")
        throw new InputError(path, `entry ${i}: expected an object`);
      const o = item as Record<string, unknown>;
      let role: TargetRole =
        o.role === "reference" || typeof o.klpSym === "string" ? "reference" : "function";
      if (o.role !== undefined && o.role !== "reference" && o.role !== "function") {
        throw new InputError(path, `entry ${i}: role must be "function" or "reference"`);
      }
      if (o.role === "function") role = "function";
      targets.push(
        listTarget(
          path,
          `entry ${i}`,
          o.objname,
          o.oldName ?? o.name,
          o.oldSympos ?? o.sympos,
          role,
          objects,
        ),
      );
    });
    return targets;
  }
  if (value !== null && typeof value === "object") {
    const report = value as Record<string, unknown>;
    if (Array.isArray(report.targets)) return targetsFromJson(path, report.targets, objects, undecided);
    if (!Array.isArray(report.objects)) {
      throw new InputError(
        path,
        "expected an array of {objname, oldName, oldSympos}, or a klpmatch match report (objects[], references[])",
      );
    }
    report.objects.forEach((obj, i) => {
      const functions = (obj as Record<string, unknown> | null)?.functions;
      if (!Array.isArray(functions)) return;
      functions.forEach((fn, j) => {
        const target = (fn as Record<string, unknown> | null)?.target as
          | Record<string, unknown>
          | null
          | undefined;
        if (target === null || target === undefined) {
          const name = (fn as Record<string, unknown> | null)?.name;
          undecided.push(`objects[${i}].functions[${j}]${typeof name === "string" ? ` (${name})` : ""}`);
          return;
        }
        targets.push(
          listTarget(
            path,
            `objects[${i}].functions[${j}].target`,
            target.objname,
            target.oldName,
            target.oldSympos,
            "function",
            objects,
          ),
        );
      });
    });
    if (Array.isArray(report.references)) {
      report.references.forEach((ref, i) => {
        const r = ref as Record<string, unknown> | null;
        if (r === null || typeof r !== "object") return;
        const t = (r.target as Record<string, unknown> | null | undefined) ?? r;
        // a reference the report could not decide has no oldName (and no klpSym)
        if (t === null || typeof t.oldName !== "string") {
          undecided.push(`references[${i}]${typeof r.name === "string" ? ` (${r.name})` : ""}`);
          return;
        }
        targets.push(
          listTarget(
            path,
            `references[${i}]`,
            t.objname,
            t.oldName,
            t.oldSympos ?? t.sympos,
            "reference",
            objects,
          ),
        );
      });
    }
    return targets;
  }
  throw new InputError(path, "expected a JSON array or object");
}

function targetsFromTsv(path: string, text: string, objects: string[]): LivepatchTarget[] {
  const targets: LivepatchTarget[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const cols = trimmed.split(/\s+/);
    if (i === 0 && cols[0] === "objname") return; // header row
    if (cols.length < 3 || cols.length > 4) {
      throw new InputError(
        path,
        `line ${i + 1}: expected 'objname name sympos' (tab or space separated), got ${cols.length} field(s)`,
      );
    }
    const [objname, name, sympos, role] = cols as [string, string, string, string | undefined];
    if (!/^\d+$/.test(sympos))
      throw new InputError(path, `line ${i + 1}: sympos '${sympos}' is not a non-negative decimal number`);
    if (role !== undefined && role !== "function" && role !== "reference") {
      throw new InputError(
        path,
        `line ${i + 1}: fourth field must be 'function' or 'reference', got '${role}'`,
      );
    }
    targets.push(listTarget(path, `line ${i + 1}`, objname, name, sympos, role ?? "function", objects));
  });
  return targets;
}

/** A `--targets` file: a JSON array of {objname, oldName|name, oldSympos|sympos}, a match report, or TSV. */
export function parseTargetList(path: string, text: string): LivepatchTargets {
  const objects: string[] = [];
  /** Entries of a match report without a decided target. */
  const undecided: string[] = [];
  const trimmed = text.trimStart();
  let targets: LivepatchTarget[];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(path, `not valid JSON: ${(error as Error).message}`);
    }
    targets = targetsFromJson(path, value, objects, undecided);
  } else {
    if (/[\u0000-\u0008\u000e-\u001f]/.test(text))
      throw new InputError(path, "binary data, expected JSON or 'objname name sympos' lines");
    targets = targetsFromTsv(path, text, objects);
  }
  const flags: Flag[] = undecided.map((where) =>
    flag(
      "LIST_UNDECIDED",
      "warning",
      `${path}: ${where} has no decided target (ambiguous or not found in the report): not verified`,
    ),
  );
  if (targets.length === 0) flags.push(flag("NO_TARGETS", "warning", "the list holds no targets"));
  return { path, moduleName: null, found: ["list"], objects, targets, flags, kernelMessages: [], notes: [] };
}

// ---------------------------------------------------------------------------------------------
// --expect REPORT.json: the symbols a klpmatch match report says each target must reach

export interface ExpectedTarget {
  readonly role: TargetRole;
  readonly objname: string;
  readonly oldName: string;
  readonly oldSympos: number;
  /** The kernel symbol's address the report recorded, null when unknown or hidden. */
  readonly address: bigint | null;
  /** Its kallsyms type letter and 0-based position in its object, when the report recorded them. */
  readonly type: string | null;
  readonly position: number | null;
  readonly source: string;
}

function optionalAddress(path: string, where: string, value: unknown): bigint | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value)) return BigInt(value);
  throw new InputError(
    path,
    `${where}: address must be a "0x…" string or null, got ${JSON.stringify(value)}`,
  );
}

/** The candidate a report marked `chosen`: its kallsyms type and position complete the target. */
function chosenCandidate(holder: Record<string, unknown>): Record<string, unknown> {
  const candidates = holder.candidates;
  if (!Array.isArray(candidates)) return {};
  const chosen = candidates.find(
    (c) => c !== null && typeof c === "object" && (c as Record<string, unknown>).chosen === true,
  );
  return (chosen as Record<string, unknown> | undefined) ?? {};
}

function expectedFrom(
  path: string,
  where: string,
  role: TargetRole,
  t: Record<string, unknown>,
  chosen: Record<string, unknown> = {},
): ExpectedTarget {
  const oldName = t.oldName ?? t.name;
  if (typeof oldName !== "string" || oldName === "") throw new InputError(path, `${where}: missing oldName`);
  const objname = typeof t.objname === "string" && t.objname !== "" ? t.objname : "vmlinux";
  const sympos = t.oldSympos ?? t.sympos ?? 0;
  if (typeof sympos !== "number" || !Number.isSafeInteger(sympos) || sympos < 0) {
    throw new InputError(path, `${where}: oldSympos must be a non-negative integer`);
  }
  const typeValue = t.type ?? chosen.type;
  const positionValue = t.position ?? chosen.position;
  const type = typeof typeValue === "string" && typeValue.length === 1 ? typeValue : null;
  const position =
    typeof positionValue === "number" && Number.isSafeInteger(positionValue) ? positionValue : null;
  return {
    role,
    objname,
    oldName,
    oldSympos: sympos,
    address: optionalAddress(path, where, t.address),
    type,
    position,
    source: `${path}: ${where}`,
  };
}

/** The targets a `klpmatch match` JSON report decided: functions[].target and references[]. */
export function parseExpectReport(path: string, text: string): ExpectedTarget[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `not valid JSON: ${(error as Error).message}`);
  }
  const report = value as Record<string, unknown> | null;
  if (report === null || typeof report !== "object" || !Array.isArray(report.objects)) {
    throw new InputError(path, "not a klpmatch match report (no objects[] array)");
  }
  const expected: ExpectedTarget[] = [];
  report.objects.forEach((obj, i) => {
    const functions = (obj as Record<string, unknown> | null)?.functions;
    if (!Array.isArray(functions)) return;
    functions.forEach((fn, j) => {
      if (fn === null || typeof fn !== "object") return;
      const holder = fn as Record<string, unknown>;
      const target = holder.target;
      if (target === null || target === undefined || typeof target !== "object") return;
      expected.push(
        expectedFrom(
          path,
          `objects[${i}].functions[${j}].target`,
          "function",
          target as Record<string, unknown>,
          chosenCandidate(holder),
        ),
      );
    });
  });
  if (Array.isArray(report.references)) {
    report.references.forEach((ref, i) => {
      if (ref === null || typeof ref !== "object") return;
      const r = ref as Record<string, unknown>;
      const t = (r.target as Record<string, unknown> | null | undefined) ?? r;
      // an undecided reference (oldName null) expects nothing
      if (t === null || typeof t !== "object" || typeof t.oldName !== "string") return;
      expected.push(expectedFrom(path, `references[${i}]`, "reference", t, chosenCandidate(r)));
    });
  }
  return expected;
}
