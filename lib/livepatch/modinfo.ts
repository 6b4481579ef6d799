// What a module must pass before its init runs (kernel/module/main.c load_module): its signature
// (kernel/module/signing.c), its version magic against the running kernel (check_modinfo), and for
// a livepatch `.modinfo` livepatch=Y; plus klp_patch.replace, which decides what loading it reverts.
import type { ElfFile } from "../../elf/types.js";
import { parseKernelVersion } from "../rules.js";
import { klpPatchPlaces } from "./klp-patch.js";
import { modinfo } from "./module-checks.js";
import { ObjectReader } from "./object-reader.js";

/** include/linux/module_signature.h MODULE_SIG_STRING: the trailer of a signed module file. */
const MODULE_SIG_STRING = "~Module signature appended~\n";

/** The words of a vermagic string (include/linux/vermagic.h VERMAGIC_STRING). */
export interface Vermagic {
  readonly text: string;
  readonly release: string;
  readonly smp: boolean;
  /** "preempt" (CONFIG_PREEMPT_BUILD), "preempt_rt", or null. */
  readonly preempt: string | null;
  readonly modUnload: boolean;
  readonly modversions: boolean;
  /** Other words (MODULE_ARCH_VERMAGIC, RANDSTRUCT_…), in order. */
  readonly other: readonly string[];
}

export function parseVermagic(text: string): Vermagic {
  const words = text.trim().split(/\s+/);
  const rest = words.slice(1);
  return {
    text,
    release: words[0] ?? "",
    smp: rest.includes("SMP"),
    preempt: rest.includes("preempt_rt") ? "preempt_rt" : rest.includes("preempt") ? "preempt" : null,
    modUnload: rest.includes("mod_unload"),
    modversions: rest.includes("modversions"),
    other: rest.filter((w) => !["SMP", "preempt", "preempt_rt", "mod_unload", "modversions"].includes(w)),
  };
}

/**
 * The running kernel's vermagic from its config (include/linux/vermagic.h): the release, then
 * "SMP ", "preempt "/"preempt_rt ", "mod_unload ", "modversions " as configured. The arch and
 * RANDSTRUCT words are not derived (x86_64 has no arch word).
 */
export function vermagicFromConfig(release: string, config: ReadonlyMap<string, string>): string {
  const on = (k: string) => config.get(k) === "y";
  const words = [release];
  if (on("SMP")) words.push("SMP");
  // PREEMPT_BUILD since 5.16; CONFIG_PREEMPT alone before it
  if (on("PREEMPT_BUILD") || (!config.has("PREEMPT_BUILD") && on("PREEMPT"))) words.push("preempt");
  else if (on("PREEMPT_RT")) words.push("preempt_rt");
  if (on("MODULE_UNLOAD")) words.push("mod_unload");
  if (on("MODVERSIONS")) words.push("modversions");
  return `${words.join(" ")} `;
}

/**
 * kernel/module/version.c same_magic(): with symbol CRCs (a `__versions` section, CONFIG_MODVERSIONS)
 * the release word is skipped — the CRCs check the interfaces instead; otherwise the whole string.
 */
export function sameMagic(moduleMagic: string, kernelMagic: string, hasCrcs: boolean): boolean {
  if (!hasCrcs) return moduleMagic === kernelMagic;
  const tail = (s: string) => s.slice(s.indexOf(" ") + 1);
  return tail(moduleMagic) === tail(kernelMagic);
}

/** The words that differ, as "SMP: module no, kernel yes" phrases. */
export function vermagicDifferences(module: Vermagic, kernel: Vermagic): string[] {
  const yn = (b: boolean) => (b ? "yes" : "no");
  const out: string[] = [];
  if (module.release !== kernel.release)
    out.push(`release: module ${module.release}, kernel ${kernel.release}`);
  if (module.smp !== kernel.smp) out.push(`SMP: module ${yn(module.smp)}, kernel ${yn(kernel.smp)}`);
  if (module.preempt !== kernel.preempt)
    out.push(`preempt: module ${module.preempt ?? "none"}, kernel ${kernel.preempt ?? "none"}`);
  if (module.modUnload !== kernel.modUnload)
    out.push(`mod_unload: module ${yn(module.modUnload)}, kernel ${yn(kernel.modUnload)}`);
  if (module.modversions !== kernel.modversions)
    out.push(`modversions: module ${yn(module.modversions)}, kernel ${yn(kernel.modversions)}`);
  if (module.other.join(" ") !== kernel.other.join(" "))
    out.push(`other words: module '${module.other.join(" ")}', kernel '${kernel.other.join(" ")}'`);
  return out;
}

/** What a module file says about itself before it loads. */
export interface ModuleIdentity {
  readonly name: string | null;
  readonly vermagic: string | null;
  readonly livepatch: boolean;
  readonly depends: readonly string[];
  /** The file ends with MODULE_SIG_STRING (whether the key is trusted is not known here). */
  readonly signed: boolean;
  /** A `__versions` section: symbol CRCs (CONFIG_MODVERSIONS). */
  readonly hasCrcs: boolean;
}

export function moduleIdentity(elf: ElfFile): ModuleIdentity {
  const info = modinfo(elf);
  const tail = Buffer.from(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.length).subarray(
    Math.max(0, elf.bytes.length - MODULE_SIG_STRING.length),
  );
  const depends = info.get("depends") ?? "";
  return {
    name: info.get("name") ?? null,
    vermagic: info.get("vermagic") ?? null,
    livepatch: info.get("livepatch") === "Y",
    depends: depends === "" ? [] : depends.split(","),
    signed: tail.toString("latin1") === MODULE_SIG_STRING,
    hasCrcs: elf.sectionByName("__versions") !== undefined,
  };
}

/**
 * `klp_patch.replace` of each static klp_patch (include/linux/livepatch.h: `mod`, `objs`, then
 * `bool replace` since 5.1; from 5.5 `struct klp_state *states` comes before it), of the structs
 * the target readers take for klp_patch (klpPatchPlaces). The module's vermagic tells the layout (unknown: 5.5's). Empty
 * when the module has no static klp_patch (kpatch and klp-build modules set it at run time).
 */
export function klpPatchReplace(elf: ElfFile): boolean[] {
  const r = new ObjectReader(elf);
  const P = BigInt(r.pointerSize);
  const version = parseKernelVersion(modinfo(elf).get("vermagic") ?? "");
  const beforeStates = version !== null && (version[0] < 5 || (version[0] === 5 && version[1] < 5));
  const replaceAt = beforeStates ? 2n * P : 3n * P;
  const out: boolean[] = [];
  for (const { section, at } of klpPatchPlaces(r)) {
    const replace = r.word(section, at + replaceAt, 1);
    if (replace !== null) out.push(replace !== 0n);
  }
  return out;
}
