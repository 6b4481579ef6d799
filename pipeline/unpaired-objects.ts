// Objects only one tree has. Only in patched: a new object, every function of it new and carried
// by the livepatch, its references to kernel symbols listed like a changed object's. Only in orig: a
// deleted object, whose code the running kernel keeps. Both are flagged, so they count.
import { join } from "node:path";
import { readElfFile } from "../elf/index.js";
import type { ElfFile } from "../elf/types.js";
import type { Flag } from "../lib/flags.js";
import { bytesSha256 } from "../lib/input-files.js";
import { VMLINUX } from "../lib/kernel-table.js";
import type { ResolvedHome } from "../lib/object-homes.js";
import type { FunctionChange, SymbolReference } from "../lib/report/diff-types.js";
import { raise } from "../lib/report/flag-codes.js";
import type { InputFile } from "../lib/report/header.js";
import type { ReferenceReport } from "../lib/report/match-report.js";
import type { Symvers } from "../lib/symvers.js";
import type { IdentifyContext } from "../matcher/evidence/index.js";
import { modelObject, type ObjectModel } from "../matcher/object-model.js";
import { objectReferences } from "../matcher/references.js";
import type { RelocTarget } from "../matcher/reloc-targets.js";
import type { Unit } from "../matcher/units.js";

function finalTarget(t: RelocTarget): RelocTarget {
  let target = t;
  while (target.kind === "indirect") target = target.via.target;
  return target;
}

/** Markers kpatch-macros.h leaves are not functions of the patch. */
function isMarker(name: string): boolean {
  return (
    name.startsWith("__kpatch_ignore_") ||
    name.startsWith("__kpatch_force_") ||
    name.startsWith("__UNIQUE_ID_kpatch_")
  );
}

/** What one new function references: its own object's symbols are carried (origName null), others resolved. */
function referencesOf(m: ObjectModel, unit: Unit): SymbolReference[] {
  const seen = new Map<string, SymbolReference>();
  for (const part of [unit, ...unit.children]) {
    for (const r of m.relocationsOf(part)) {
      const t = finalTarget(r.target);
      if (t.kind !== "symbol" || t.symbol.name === "" || seen.has(t.symbol.name)) continue;
      const defined = t.symbol.sectionIndex !== null;
      seen.set(t.symbol.name, {
        name: t.symbol.name,
        origName: defined ? null : t.symbol.name,
        type: t.symbol.typeName,
        bind: t.symbol.bindName,
        defined,
      });
    }
  }
  return [...seen.values()];
}

/** Every function of an object only the patched tree has, as new functions. */
export function newObjectFunctions(file: ElfFile): FunctionChange[] {
  const m = modelObject(file);
  return m.units
    .filter((u) => u.kind === "function" && u.aliasOf === null && u.parent === null && !isMarker(u.name))
    .map((u) => {
      const b = u.symbol.bindName;
      return {
        name: u.name,
        patchedName: u.name,
        size: u.end - u.start,
        bind: b === "LOCAL" || b === "WEAK" ? b : "GLOBAL",
        reasons: ["new object"],
        references: referencesOf(m, u),
      };
    });
}

export function newObjectFlag(
  relative: string,
  functions: readonly FunctionChange[],
  objname: string,
  from: string,
): Flag {
  const names = functions.map((f) => f.name);
  const list = names.length > 8 ? `${names.slice(0, 8).join(", ")}, …` : names.join(", ");
  return raise(
    "NEW_OBJECT",
    `${relative}: only in the patched tree: a new object of '${objname}' (${from}); its ${names.length} function(s) are new and carried whole${names.length > 0 ? `: ${list}` : ""}`,
  );
}

export function deletedObjectFlag(relative: string): Flag {
  return raise(
    "DELETED_OBJECT",
    `${relative}: only in the orig tree: the patch deletes this object; a livepatch cannot remove its code, the running kernel keeps it`,
  );
}

export interface UnpairedInput {
  readonly origRoot: string;
  readonly patchedRoot: string;
  readonly onlyOrig: readonly string[];
  readonly onlyPatched: readonly string[];
  homeOf(pair: { readonly orig: string; readonly relative: string }): Promise<ResolvedHome>;
  contextFor(elf: ElfFile): IdentifyContext;
  readonly symvers: Symvers | null;
  /** Refuses an object the run cannot take (another architecture). */
  check(path: string, elf: ElfFile): void;
}

/** The flags, references and inputs of the objects only one tree has. */
export async function matchUnpaired(
  u: UnpairedInput,
): Promise<{ flags: Flag[]; references: ReferenceReport[]; inputs: InputFile[] }> {
  const flags: Flag[] = [];
  const references: ReferenceReport[] = [];
  const inputs: InputFile[] = [];
  for (const rel of u.onlyPatched) {
    const path = join(u.patchedRoot, rel);
    const elf = await readElfFile(path);
    u.check(path, elf);
    // the orig build never built it: its build records may not know it either
    const home = await u
      .homeOf({ orig: join(u.origRoot, rel), relative: rel })
      .catch((e: unknown) => ({ objname: VMLINUX, from: `${(e as Error).message}: vmlinux assumed` }));
    const functions = newObjectFunctions(elf);
    flags.push(newObjectFlag(rel, functions, home.objname, home.from));
    references.push(...objectReferences(u.contextFor(elf), home.objname, functions, u.symvers));
    inputs.push({ role: "patched", path, sha256: bytesSha256(elf.bytes) });
  }
  for (const rel of u.onlyOrig) flags.push(deletedObjectFlag(rel));
  return { flags, references, inputs };
}
