// What a livepatch module built from the pair would carry: the changed functions, then everything
// new or changed they reach through relocations (kpatch's include rules), so new functions are
// reported only when the patch actually contains them.
import { STB_GLOBAL } from "../elf/constants.js";
import type { ElfSection } from "../elf/types.js";
import type { Sides } from "./compare.js";
import type { RelocTarget, Unit } from "./object-model.js";
import { isAlwaysCarried } from "./sections.js";

export interface Carried {
  /** Patched-side units the module carries. */
  readonly units: ReadonlySet<Unit>;
  /** Patched-side sections without units that carried code or data reference. */
  readonly sections: ReadonlySet<ElfSection>;
  /** New global functions or objects (kpatch includes every new global). */
  readonly newGlobals: number;
  /** kpatch callback sections (KPATCH_PRE_PATCH_CALLBACK, …) are present. */
  readonly callbacks: boolean;
}

const CALLBACK_SECTION = /^\.kpatch\.callbacks\.(pre|post)_(patch|unpatch)$/;

/**
 * @param roots patched-side functions that changed (each carried with its children)
 * @param changedObjects patched-side objects whose contents changed (carried when reached)
 */
export function carriedUnits(
  sides: Sides,
  roots: readonly Unit[],
  changedObjects: ReadonlySet<Unit>,
): Carried {
  const { patched: p, correlation } = sides;
  const units = new Set<Unit>();
  const sections = new Set<ElfSection>();
  const queue: Unit[] = [];
  const carry = (u: Unit): void => {
    const unit = u.aliasOf ?? u;
    if (units.has(unit)) return;
    units.add(unit);
    queue.push(unit);
  };
  const reach = (t: RelocTarget): void => {
    let target = t;
    while (target.kind === "indirect") {
      sections.add(target.section);
      target = target.via.target;
    }
    if (target.kind === "section") {
      sections.add(target.section);
      return;
    }
    if (target.kind !== "symbol") return;
    const u = p.unitOfSymbol(target.symbol.index);
    if (!u) return;
    const unit = u.aliasOf ?? u;
    const twin = correlation.twinOfPatched.get(unit);
    // An unchanged unit with a twin is referenced in the running kernel, not carried.
    if (!twin || changedObjects.has(unit)) carry(unit);
  };

  for (const u of roots) carry(u);
  let newGlobals = 0;
  for (const u of p.units) {
    // kpatch_include_new_globals: every new STB_GLOBAL function or object is carried — except the
    // markers kpatch-macros.h leaves (__kpatch_ignore_func_*, __kpatch_force_func_*,
    // __UNIQUE_ID_kpatch_ignore_section_*), which kpatch strips.
    if (
      u.symbol.bind === STB_GLOBAL &&
      !u.aliasOf &&
      !correlation.twinOfPatched.has(u) &&
      !isKpatchMarker(u.name)
    ) {
      newGlobals++;
      carry(u);
    }
  }
  let callbacks = false;
  for (const section of p.file.sections) {
    const isCallback = CALLBACK_SECTION.test(section.name);
    if (isCallback) callbacks = true;
    if (isCallback || (isAlwaysCarried(section) && p.unitsIn(section).length === 0)) {
      for (const r of p.relocations(section)) reach(r.target);
    }
  }
  while (queue.length > 0) {
    const u = queue.pop()!;
    for (const part of [u, ...u.children]) {
      if (part !== u) units.add(part);
      for (const r of p.relocationsOf(part)) reach(r.target);
    }
  }
  return { units, sections, newGlobals, callbacks };
}

function isKpatchMarker(name: string): boolean {
  return name.startsWith("__kpatch_") || name.startsWith("__UNIQUE_ID_kpatch_");
}
