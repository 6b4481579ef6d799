// Reads every target a built livepatch module (.ko or .o) carries: each kind of table in turn, then
// the checks of the module as a whole.
import type { ElfFile } from "../../elf/types.js";
import { TargetCollector } from "./collector.js";
import { collectKlpBuild } from "./klp-build.js";
import { KSYM_NAME_LEN } from "./klp-names.js";
import { collectKlpPatches } from "./klp-patch.js";
import { collectKlpSyms } from "./klp-sym.js";
import { collectKpatchFuncs } from "./kpatch-funcs.js";
import { checkModule, modinfo } from "./module-checks.js";
import { ObjectReader } from "./object-reader.js";
import type { LivepatchTargets, ReadTargetsOptions } from "./types.js";

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

  checkModule(elf, c, info, { patches, klpSyms, kpatchFuncs: kpatchFuncs !== undefined });
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
