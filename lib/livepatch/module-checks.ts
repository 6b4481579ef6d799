// Checks of a livepatch module as a whole, once its tables are read: its `.modinfo` marks it a
// livepatch, and the targets it carries can be read statically.
import type { ElfFile } from "../../elf/types.js";
import { raise } from "../report/flag-codes.js";
import type { TargetCollector } from "./collector.js";

/** The module's `.modinfo` entries (`key=value`), first one of each key. */
export function modinfo(elf: ElfFile): Map<string, string> {
  const info = new Map<string, string>();
  const data = elf.sectionByName(".modinfo")?.data;
  if (!data) return info;
  for (const entry of Buffer.from(data.buffer, data.byteOffset, data.length).toString("latin1").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0 && !info.has(entry.slice(0, eq))) info.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return info;
}

/** What the readers found: klp_patch structures, `.klp.sym` symbols, a `.kpatch.funcs` section. */
export interface TablesRead {
  readonly patches: number;
  readonly klpSyms: number;
  readonly kpatchFuncs: boolean;
}

/** Problems of the module as a whole: not marked a livepatch, no static klp_patch, no targets. */
export function checkModule(
  elf: ElfFile,
  c: TargetCollector,
  info: ReadonlyMap<string, string>,
  read: TablesRead,
): void {
  const { patches, klpSyms } = read;
  const moduleName = info.get("name") ?? null;
  const isModule = elf.sectionByName(".gnu.linkonce.this_module") !== undefined || info.size > 0;
  if (isModule && (patches > 0 || klpSyms > 0) && info.get("livepatch") !== "Y") {
    // kernel/livepatch/core.c klp_enable_patch(): "module %s is not marked as a livepatch module"
    const msg = `module ${moduleName ?? "?"} is not marked as a livepatch module`;
    c.flags.push(
      raise("NOT_LIVEPATCH_MODULE", `.modinfo has no livepatch=Y (MODULE_INFO(livepatch, "Y")): ${msg}`),
    );
    c.kernelMessages.push({ stage: "enable", message: msg });
  }
  // kpatch and klp-build modules build their klp_patch at run time from their own tables
  const tablesFound = read.kpatchFuncs || c.found.includes("klp_func");
  const callsEnable = elf.symbols().some((s) => s.name === "klp_enable_patch" && s.special === "UNDEF");
  if (!tablesFound && callsEnable) {
    c.flags.push(
      raise(
        "KLP_PATCH_NOT_FOUND",
        "the module calls klp_enable_patch() but no static klp_patch (.mod = THIS_MODULE, .objs → klp_object[] → klp_func[]) was found: its functions are built at run time and cannot be checked",
      ),
    );
  }
  if (c.targets.length === 0) {
    c.flags.push(raise("NO_TARGETS", "no klp_func, .kpatch.funcs or .klp.sym targets found in the object"));
  }
}
