// Targets of klp-build modules (Linux 6.19+, objtool klp diff): the klp_object_ext /
// klp_func_ext tables of their `klp_objects` section, from which scripts/livepatch/init.c builds
// the klp_patch at run time.
import type { ElfSection } from "../../elf/types.js";
import { raise } from "../report/flag-codes.js";
import type { TargetCollector } from "./collector.js";
import type { KlpFuncEntry } from "./klp-patch.js";
import { type ObjectReader, place } from "./object-reader.js";

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

/** 1b. klp-build modules: klp_object_ext / klp_func_ext tables. */
export function collectKlpBuild(r: ObjectReader, c: TargetCollector): void {
  for (const section of r.elf.sections) {
    if (section.name !== "klp_objects" && section.name !== ".init.klp_objects") continue;
    const objs = readKlpObjectsExt(r, section, c.notes);
    if (objs === null) {
      c.flags.push(
        raise(
          "KLP_OBJECTS_UNREADABLE",
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
