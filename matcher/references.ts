// The symbols a livepatch must reach through `.klp.sym.<objname>.<name>,<sympos>`: what the changed
// and new functions reference that ordinary module linking can't — statics of the target object
// and globals nobody exported (design note §1).
import type { KernelTable, NameIndex } from "../lib/kernel-table.js";
import { VMLINUX } from "../lib/kernel-table.js";
import { parseKlpSymName } from "../lib/livepatch/klp-names.js";
import type { FunctionChange, SymbolReference } from "../lib/report/diff-types.js";
import { raise } from "../lib/report/flag-codes.js";
import type { ReferenceReport } from "../lib/report/match-report.js";
import { isSpecialStatic, isStubSymbol } from "../lib/symbol-name.js";
import type { Symvers } from "../lib/symvers.js";
import { type IdentifyContext, identify } from "./evidence/index.js";
import { KLP_SYM_NAME_MAX } from "./sympos.js";

/** True when some object of the table exports the name (`__ksymtab_<name>`), or Module.symvers lists it. */
function isExported(table: KernelTable, symvers: Symvers | null, name: string): boolean {
  if (symvers?.isExported(name)) return true;
  for (const obj of table.objects.values()) if (obj.positionsOf(`__ksymtab_${name}`).length > 0) return true;
  return false;
}

/** Symbols every kernel exports (lib/string.c, mm/slab*.c): a cheap first probe for `__ksymtab_` lines. */
const ALWAYS_EXPORTED = ["kfree", "memcpy", "memset", "_printk", "printk", "__fentry__", "kmalloc"];

/** Every `__ksymtab_` entry, under one key. */
const KSYMTAB_INDEX: NameIndex = { key: (n) => (n.startsWith("__ksymtab_") ? "ksymtab" : null) };

/** Whether the table can tell exports at all: kallsyms without KALLSYMS_ALL has no `__ksymtab_` lines. */
export function tableKnowsExports(table: KernelTable): boolean {
  const vmlinux = table.objects.get(VMLINUX);
  if (vmlinux === undefined) return true;
  if (ALWAYS_EXPORTED.some((n) => vmlinux.positionsOf(`__ksymtab_${n}`).length > 0)) return true;
  const index = vmlinux.indexBy(KSYMTAB_INDEX);
  return (index.get("ksymtab")?.length ?? 0) > 0;
}

/** The object defining a global the orig object only references: vmlinux first, then modules (sorted). */
function definingObject(table: KernelTable, name: string): string | null {
  if ((table.objects.get(VMLINUX)?.positionsOf(name).length ?? 0) > 0) return VMLINUX;
  const modules = [...table.objects.keys()].filter((o) => o !== VMLINUX).sort();
  for (const m of modules) if (table.objects.get(m)!.positionsOf(name).length > 0) return m;
  return null;
}

function klpSymName(objname: string, name: string, sympos: number): string {
  return `.klp.sym.${objname}.${name},${sympos}`;
}

/**
 * The `.klp.sym` name, or null when the kernel's parser would not read back these very parts (a
 * name longer than the kernel parses or holding ',', an objname holding '.'): NAME_TOO_LONG says why.
 */
function expressibleKlpSym(
  objname: string,
  name: string,
  sympos: number,
  nameMax: number | null,
): string | null {
  const sym = klpSymName(objname, name, sympos);
  const back = parseKlpSymName(sym, nameMax ?? KLP_SYM_NAME_MAX);
  return back !== null && back.objname === objname && back.name === name && back.sympos === sympos
    ? sym
    : null;
}

interface PendingReference {
  readonly ref: SymbolReference;
  readonly origName: string;
  readonly usedBy: Set<string>;
}

/**
 * The references of one object's changed and new functions that need `.klp.sym`, decided the
 * same way as the functions themselves (candidates, evidence, pair, resolve).
 */
export function objectReferences(
  ctx: IdentifyContext,
  objname: string,
  functions: readonly FunctionChange[],
  symvers: Symvers | null,
): ReferenceReport[] {
  const out: ReferenceReport[] = [];
  for (const p of pendingReferences(objname, functions).values()) {
    const report = referenceReport(ctx, objname, symvers, p);
    if (report !== null) out.push(report);
  }
  return out.sort((a, b) => (a.objname + "\0" + a.name < b.objname + "\0" + b.name ? -1 : 1));
}

/** The references the patch must resolve (not carried, not copied), one per object and name, with their users. */
function pendingReferences(
  objname: string,
  functions: readonly FunctionChange[],
): Map<string, PendingReference> {
  // the patch carries its own copies of the functions it changes or adds
  const carried = new Set(functions.flatMap((f) => [f.name, f.patchedName ?? f.name]));
  const pending = new Map<string, PendingReference>();
  for (const fn of functions) {
    for (const ref of fn.references) {
      if (ref.defined && ref.origName === null) continue; // new in the patch: carried along
      const origName = ref.origName ?? ref.name;
      if (origName === "" || carried.has(origName) || isStubSymbol(origName)) continue;
      if (ref.defined && ref.type !== "FUNC" && ref.type !== "OBJECT") continue;
      // compiler and macro statics (strings, lock keys, once-flags) are copied into the patch
      if (ref.defined && ref.bind === "LOCAL" && isSpecialStatic(origName)) continue;
      const key = `${ref.defined ? objname : "?"}\0${origName}`;
      let p = pending.get(key);
      if (p === undefined) {
        p = { ref, origName, usedBy: new Set() };
        pending.set(key, p);
      }
      p.usedBy.add(fn.name);
    }
  }
  return pending;
}

/** One reference decided like a function (null: exported, so no `.klp.sym` is needed). */
function referenceReport(
  ctx: IdentifyContext,
  objname: string,
  symvers: Symvers | null,
  { ref, origName, usedBy }: PendingReference,
): ReferenceReport | null {
  const local = ref.defined && ref.bind === "LOCAL";
  if (!local && isExported(ctx.table, symvers, origName)) return null;
  const home = ref.defined ? objname : definingObject(ctx.table, origName);
  const users = [...usedBy].sort();
  if (home === null) {
    return {
      name: origName,
      objname: objname,
      oldName: origName,
      oldSympos: 0,
      address: null,
      klpSym: null,
      scope: "global",
      usedBy: users,
      decision: "not-found",
      candidates: [],
      evidence: [],
      flags: [
        raise(
          "NOT_FOUND",
          `${origName}: referenced by ${users.join(", ")}, defined in no object of the kernel's symbols`,
        ),
      ],
    };
  }
  const orig = ref.defined ? ctx.profile.byName.get(origName) : undefined;
  // an undefined reference is NOTYPE in the orig object: code or data may carry the name
  const kind = orig?.kind ?? (ref.type === "FUNC" ? "text" : ref.type === "OBJECT" ? "data" : "any");
  const id = identify(ctx, home, {
    name: origName,
    kind,
    size: orig?.size ?? 0n,
    section: orig?.section ?? (kind === "data" ? ".data" : ".text"),
    global: !local,
    foreign: !ref.defined,
    reference: true,
  });
  return {
    name: origName,
    objname: home,
    oldName: id.target?.oldName ?? origName,
    oldSympos: id.target?.oldSympos ?? 0,
    address: id.target?.address ?? null,
    klpSym:
      id.target === null
        ? null
        : expressibleKlpSym(home, id.target.oldName, id.target.oldSympos, ctx.klpSymNameMax ?? null),
    scope: local ? "local" : "global",
    usedBy: users,
    decision: id.decision,
    candidates: id.candidates,
    evidence: id.evidence,
    flags: id.flags,
  };
}
