// Verification of a livepatch's targets against a kernel's symbols before loading it: what the
// livepatch core (kernel/livepatch/core.c) and ftrace would do with each (objname, old_name,
// old_sympos), and the first message the kernel would print for the patch as a whole.
import type { ElfFile, ElfSection } from "../elf/types.js";
import { type Flag, flag } from "../lib/flags.js";
import type { KernelObject, KernelSymbol, KernelTable, SymbolEntry } from "../lib/kernel-table.js";
import { objectsFromEntries, VMLINUX } from "../lib/kernel-table.js";
import type { ExpectedTarget, LivepatchTarget, LivepatchTargets } from "../lib/livepatch/index.js";
import { moduleSymbolLists } from "../lib/module-symbols.js";
import type { RuleChoice } from "../lib/rules.js";
import { isStubSymbol, llvmHash, stripLlvmSuffix } from "../lib/symbol-name.js";
import { candidatesByRule, type ResolveResult, resolve } from "./sympos.js";

export type VerifyOutcome = "resolved" | "ambiguous" | "position-not-found" | "not-found" | "not-loaded";

/** A kernel symbol as the report shows it. */
export interface SymbolView {
  readonly name: string;
  readonly type: string;
  readonly address: bigint | null;
  /** 0-based index in its object's kallsyms order. */
  readonly position: number;
  /** 1-based line of the symbol table file, null for ELF-derived tables. */
  readonly line: number | null;
}

/** The lookup made when a module that is not loaded yet loads (against its .ko's init-time list). */
export interface OnLoadCheck {
  readonly moduleFile: string;
  readonly outcome: Exclude<VerifyOutcome, "not-loaded">;
  readonly symbol: SymbolView | null;
  readonly kernelMessage: string | null;
}

export interface ExpectationCheck {
  readonly source: string;
  readonly expectedAddress: bigint | null;
  readonly expectedSympos: number;
  readonly agrees: boolean;
  /** How the comparison was made: "address", "position and type", "position". */
  readonly by: string;
}

export interface TargetVerdict {
  readonly target: LivepatchTarget;
  readonly outcome: VerifyOutcome;
  readonly symbol: SymbolView | null;
  /** Every symbol whose name compares equal under the rule, in kallsyms order. */
  readonly matches: readonly SymbolView[];
  /** What the kernel prints about this target (lookup failure, size lookup, ftrace refusal), else null. */
  readonly kernelMessage: string | null;
  readonly onLoad: OnLoadCheck | null;
  readonly expected: ExpectationCheck | null;
  readonly flags: readonly Flag[];
}

/** What loading the patch would do, as far as symbols decide it. */
export interface PatchPrediction {
  /** `refused`: the kernel prints `kernelMessage` and the patch fails; `accepted`: every loaded object's targets pass. */
  readonly result: "accepted" | "refused";
  readonly kernelMessage: string | null;
  /** Where the refusal comes from (a target's source, or "module"). */
  readonly at: string | null;
  /** The stage: "load" (insmod, vmlinux .klp.rela), "resolve" (klp_enable_patch), "ftrace" (registration). */
  readonly stage: "load" | "resolve" | "ftrace" | null;
  /** Objects not loaded now: resolved when they load. */
  readonly deferred: readonly string[];
  /**
   * For a deferred object checked against its --module-file: the first message when it loads (the
   * kernel then refuses to load that module: klp_module_coming), or null when every target passes.
   */
  readonly whenLoaded: readonly {
    readonly objname: string;
    readonly kernelMessage: string | null;
    readonly at: string | null;
  }[];
}

export interface VerifyResult {
  readonly rule: RuleChoice;
  readonly verdicts: readonly TargetVerdict[];
  readonly patch: PatchPrediction;
  /** Flags about the inputs as a whole. */
  readonly flags: readonly Flag[];
  readonly notes: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Module files (--module-file): the init-time list and which functions ftrace can attach to

export interface ModuleFileFacts {
  readonly objname: string;
  readonly path: string;
  readonly core: readonly SymbolEntry[];
  readonly init: readonly SymbolEntry[];
  /** Index into `init` of each `core` entry. */
  readonly coreToInit: readonly number[];
  /**
   * Per `init` entry: true when it is a function with an ftrace call site (`__mcount_loc` /
   * `__patchable_function_entries`), false when it has none, null when the module records no call
   * sites at all (no verdict).
   */
  readonly traceable: readonly (boolean | null)[];
  /** The init-time list as a table, for lookups made when the module loads. */
  readonly initTable: KernelTable;
}

// Where compilers record ftrace call sites: -mrecord-mcount (x86, s390, ppc) and
// -fpatchable-function-entry (arm64, riscv, loongarch, ppc64 ELFv2 with CALL_OPS).
const CALL_SITE_SECTIONS = new Set(["__mcount_loc", "__patchable_function_entries"]);
const STT_FUNC = 2;
const STT_FILE = 4;
const SHF_EXECINSTR = 0x4n;

function callSites(elf: ElfFile): Map<number, bigint[]> | null {
  const sites = new Map<number, bigint[]>();
  let any = false;
  const little = elf.header.endianness === "little";
  const wordSize = elf.header.class === 64 ? 8 : 4;
  for (const rs of elf.relocationSections()) {
    const target = rs.target;
    if (target === null || !CALL_SITE_SECTIONS.has(target.name)) continue;
    any = true;
    const symbols = elf.symbolsOf(rs.symtab);
    for (const reloc of rs.entries()) {
      const sym = symbols[reloc.symbolIndex];
      if (sym === undefined || sym.sectionIndex === null) continue;
      const addend = reloc.addend ?? implicitAddend(target, reloc.offset, wordSize, little);
      const list = sites.get(sym.sectionIndex);
      const at = sym.value + addend;
      if (list === undefined) sites.set(sym.sectionIndex, [at]);
      else list.push(at);
    }
  }
  return any ? sites : null;
}

function implicitAddend(section: ElfSection, offset: bigint, size: number, little: boolean): bigint {
  const data = section.data;
  if (data === null || offset + BigInt(size) > BigInt(data.length)) return 0n;
  const view = new DataView(data.buffer, data.byteOffset + Number(offset), size);
  return size === 8 ? view.getBigUint64(0, little) : BigInt(view.getUint32(0, little));
}

/** The facts verify needs from a target module's .ko. */
export function moduleFileFacts(elf: ElfFile): ModuleFileFacts {
  const lists = moduleSymbolLists(elf);
  const initIndex = new Map<SymbolEntry, number>();
  lists.init.forEach((e, i) => {
    initIndex.set(e, i);
  });
  const coreToInit = lists.core.map((e) => initIndex.get(e) ?? -1);
  // the init list holds the defined, named symtab entries in symtab order (lib/module-symbols.ts)
  const elfSymbols = elf.symbols().filter((s) => s.index !== 0 && s.special !== "UNDEF" && s.name !== "");
  const sites = callSites(elf);
  const traceable = lists.init.map((_, i): boolean | null => {
    const sym = elfSymbols[i];
    if (sites === null || sym === undefined || sym.type === STT_FILE) return null;
    const section = sym.sectionIndex === null ? undefined : elf.sections[sym.sectionIndex];
    if (sym.type !== STT_FUNC || section === undefined || (section.flags & SHF_EXECINSTR) === 0n)
      return false;
    const end = sym.value + (sym.size > 0n ? sym.size : 1n);
    return (sites.get(section.index) ?? []).some((at) => at >= sym.value && at < end);
  });
  const initTable: KernelTable = {
    source: { kind: "module", path: elf.path },
    objects: objectsFromEntries(new Map([[lists.objname, lists.init]]), true),
    addressesHidden: true,
    hasLlvmNames: false,
    notes: [],
  };
  return {
    objname: lists.objname,
    path: elf.path,
    core: lists.core,
    init: lists.init,
    coreToInit,
    traceable,
    initTable,
  };
}

// ---------------------------------------------------------------------------------------------
// vmlinux (--vmlinux): the ftrace call sites it records

export interface VmlinuxCallSites {
  readonly path: string;
  /** Link-time addresses of every recorded call site, ascending. */
  readonly sites: BigUint64Array;
  /**
   * A text anchor (`_stext`; `_text` or `_start` where it lacks one) at link time: a kallsyms
   * table is shifted (KASLR) by its address of the same anchor minus this.
   */
  readonly anchor: { readonly name: string; readonly address: bigint } | null;
}

const TEXT_ANCHORS = ["_stext", "_text", "_start"] as const;

function readWords(elf: ElfFile, section: ElfSection, from: bigint, to: bigint): bigint[] {
  const data = section.data;
  const size = elf.header.class === 64 ? 8 : 4;
  const little = elf.header.endianness === "little";
  if (data === null || from < 0n || to > BigInt(data.length)) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const out: bigint[] = [];
  for (let at = Number(from); at + size <= Number(to); at += size) {
    out.push(size === 8 ? view.getBigUint64(at, little) : BigInt(view.getUint32(at, little)));
  }
  return out;
}

/**
 * The call sites a linked vmlinux records for ftrace: the words between `__start_mcount_loc` and
 * `__stop_mcount_loc` (include/asm-generic/vmlinux.lds.h MCOUNT_REC, inside .init.data), or a
 * `__mcount_loc` section of its own. Null when it records none (no CONFIG_DYNAMIC_FTRACE, or
 * -fpatchable-function-entry arches, whose sites are not read here).
 */
export function vmlinuxCallSites(elf: ElfFile): VmlinuxCallSites | null {
  const symbols = elf.symbols();
  const named = (name: string) => symbols.find((s) => s.name === name && s.sectionIndex !== null);
  let words: bigint[] | null = null;
  const start = named("__start_mcount_loc");
  const stop = named("__stop_mcount_loc");
  if (start !== undefined && stop !== undefined && start.sectionIndex === stop.sectionIndex) {
    const section = elf.sections[start.sectionIndex!]!;
    words = readWords(elf, section, start.value - section.addr, stop.value - section.addr);
  } else {
    const section = elf.sectionByName("__mcount_loc");
    if (section !== undefined) words = readWords(elf, section, 0n, BigInt(section.data?.length ?? 0));
  }
  if (words === null || words.length === 0) return null;
  const sites = BigUint64Array.from(words).sort();
  let anchor: VmlinuxCallSites["anchor"] = null;
  for (const name of TEXT_ANCHORS) {
    const sym = named(name);
    if (sym !== undefined) {
      anchor = { name, address: sym.value };
      break;
    }
  }
  return { path: elf.path, sites, anchor };
}

/** True when a site lies in [from, to). */
function hasSiteIn(sites: BigUint64Array, from: bigint, to: bigint): boolean {
  let lo = 0;
  let hi = sites.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sites[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sites.length && sites[lo]! < to;
}

/** Where the symbol's code ends: its size when known, else the next higher address in kallsyms order. */
function codeEnd(obj: KernelObject, symbol: KernelSymbol): bigint | null {
  if (symbol.address === null) return null;
  if (symbol.size !== null && symbol.size > 0n) return symbol.address + symbol.size;
  for (let p = symbol.position + 1; p < obj.count; p++) {
    const a = obj.at(p).address;
    if (a !== null && a > symbol.address) return a;
  }
  return null;
}

/** Why the vmlinux records no call site for this function, or null when it does (or can't tell). */
function noVmlinuxCallSite(obj: KernelObject, symbol: KernelSymbol, calls: VmlinuxCallSites): string | null {
  const end = codeEnd(obj, symbol);
  if (symbol.address === null || end === null) return null;
  // a kallsyms table is shifted by KASLR against the link addresses the vmlinux records
  if (calls.anchor === null) return null;
  const anchorHere = addressOf(obj, calls.anchor.name);
  if (anchorHere === null) return null;
  const shift = anchorHere - calls.anchor.address;
  if (hasSiteIn(calls.sites, symbol.address - shift, end - shift)) return null;
  return `${calls.path} records no ftrace call site in '${symbol.name}' (notrace, or assembly)`;
}

// ---------------------------------------------------------------------------------------------
// ftrace: can the livepatch attach to the symbol a function target resolved to?

/** vmlinux text ranges without ftrace call sites, by their kallsyms marker symbols. */
const UNTRACED_RANGES: readonly (readonly [string, string, string])[] = [
  // noinstr functions are compiled without instrumentation (include/linux/compiler_types.h);
  // .cpuidle.text lies inside it on x86 and is noinstr too
  ["__noinstr_text_start", "__noinstr_text_end", ".noinstr.text (noinstr: never instrumented)"],
  ["__cpuidle_text_start", "__cpuidle_text_end", ".cpuidle.text (noinstr)"],
  // entry code is assembly without fentry calls
  ["__entry_text_start", "__entry_text_end", ".entry.text (entry assembly)"],
];

function addressOf(obj: KernelObject, name: string): bigint | null {
  const p = obj.positionsOf(name)[0];
  return p === undefined ? null : obj.at(p).address;
}

/** Why ftrace has no location for this vmlinux symbol, or null when nothing known says so. */
function untracedVmlinuxReason(obj: KernelObject, symbol: KernelSymbol): string | null {
  if (isStubSymbol(symbol.name)) return `'${symbol.name}' is call padding / a CFI stub, not a function entry`;
  if (symbol.address === null) return null;
  for (const [start, end, what] of UNTRACED_RANGES) {
    const s = addressOf(obj, start);
    const e = addressOf(obj, end);
    if (s !== null && e !== null && s !== 0n && symbol.address >= s && symbol.address < e) {
      return `'${symbol.name}' lies in ${what} (${start}..${end})`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// One target

function view(s: KernelSymbol): SymbolView {
  return { name: s.name, type: s.type, address: s.address, position: s.position, line: s.line };
}

function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

function describe(s: KernelSymbol): string {
  const where =
    s.address !== null ? hex(s.address) : s.line !== null ? `line ${s.line}` : `#${s.position + 1}`;
  return `${where} ${s.type} ${s.name}`;
}

const SIZE_LOOKUP = "kallsyms size lookup failed";

function failureFlag(
  outcome: Exclude<VerifyOutcome, "resolved" | "not-loaded">,
  message: string,
  prefix = "",
): Flag {
  const code =
    outcome === "ambiguous"
      ? "AMBIGUOUS"
      : outcome === "position-not-found"
        ? "POSITION_NOT_FOUND"
        : "NOT_FOUND";
  return flag(code, "error", `${prefix}${message}`);
}

interface Context {
  readonly table: KernelTable;
  readonly choice: RuleChoice;
  readonly modules: ReadonlyMap<string, ModuleFileFacts>;
  /** Per loaded module object: does the --module-file describe the loaded module? */
  readonly moduleMatchesLoaded: ReadonlyMap<string, boolean>;
  readonly expected: readonly ExpectedTarget[] | null;
  readonly vmlinuxCalls: VmlinuxCallSites | null;
}

/** `.llvm.<hash>` names of the same base in the object when the target's own hash is missing. */
function rebuiltHint(obj: KernelObject | undefined, target: LivepatchTarget): Flag | null {
  if (obj === undefined || llvmHash(target.oldName) === null) return null;
  const base = stripLlvmSuffix(target.oldName);
  const others: string[] = [];
  const promoted = obj.indexBy("verify:llvm-base", (n) => (llvmHash(n) === null ? null : stripLlvmSuffix(n)));
  for (const p of promoted.get(base) ?? []) others.push(obj.nameAt(p));
  if (others.length === 0) return null;
  return flag(
    "KERNEL_REBUILT",
    "error",
    `'${target.oldName}' is not in the kernel, but ${others.map((n) => `'${n}'`).join(", ")} is: the ThinLTO hash differs, so the running kernel was built from different sources than the livepatch was made for (rebuild the livepatch against this kernel)`,
  );
}

// kernel/livepatch/core.c and patch.c print func->old_name — the name as the patch gives it, which
// under the 6.5.1–6.10.6 LTO rule differs from the kallsyms name it reached
const sizeLookupFailed = (oldName: string) => `kallsyms size lookup failed for '${oldName}'`;
const noFtraceLocation = (oldName: string) => `failed to find location for function '${oldName}'`;

/** The refusal after a successful lookup of a function target: its message and flag. */
function refusal(
  target: LivepatchTarget,
  obj: KernelObject,
  symbol: KernelSymbol,
  resolved: Extract<ResolveResult, { ok: true }>,
  facts: ModuleFileFacts | null,
  traceIndex: number | null,
  vmlinuxCalls: VmlinuxCallSites | null,
): { message: string; flag: Flag } | null {
  if (resolved.warning !== null) {
    if (resolved.warning.startsWith(SIZE_LOOKUP)) {
      // klp_init_object_loaded(): kallsyms_lookup_size_offset() fails → this message, -ENOENT
      const message = sizeLookupFailed(target.oldName);
      return {
        message,
        flag: flag(
          "SIZE_LOOKUP_FAILED",
          "error",
          `position reaches ${describe(symbol)}, an absolute (per-CPU) symbol outside the kernel image: klp_init_object_loaded() fails with "${message}"`,
        ),
      };
    }
    const why =
      symbol.type === "t" || symbol.type === "T" || symbol.type === "W"
        ? "it lies in init text, freed (with its ftrace records) after boot"
        : `it is not a function (type '${symbol.type}')`;
    const message = noFtraceLocation(target.oldName);
    return {
      message,
      flag: flag(
        "FTRACE_REFUSED",
        "error",
        `resolves to ${describe(symbol)}, but ${why}: ftrace refuses it with "${message}"`,
      ),
    };
  }
  let why: string | null = null;
  if (obj.objname === VMLINUX) {
    why = untracedVmlinuxReason(obj, symbol);
    if (why === null && vmlinuxCalls !== null) why = noVmlinuxCallSite(obj, symbol, vmlinuxCalls);
  } else if (facts !== null && traceIndex !== null && facts.traceable[traceIndex] === false) {
    why = `${facts.path} records no ftrace call site for '${symbol.name}' (notrace, or not a function)`;
  }
  if (why === null) return null;
  // kernel/livepatch/patch.c klp_patch_func(): no ftrace location → this message, -EINVAL
  const message = noFtraceLocation(target.oldName);
  return { message, flag: flag("FTRACE_REFUSED", "error", `${why}: ftrace refuses it with "${message}"`) };
}

function initHazard(facts: ModuleFileFacts, target: LivepatchTarget, rule: RuleChoice): Flag | null {
  const obj = facts.initTable.objects.get(facts.objname);
  if (obj === undefined) return null;
  const matches = candidatesByRule(facts.initTable, facts.objname, target.oldName, rule.rule);
  const init = matches.filter((s) => s.init);
  if (init.length === 0) return null;
  return flag(
    "INIT_SYMBOL_HAZARD",
    "warning",
    `'${target.oldName}' also names ${init.length} symbol(s) in init sections of ${facts.path}: while ${facts.objname}'s init runs (when it loads after the patch) they count too, ${matches.length} match(es) instead of ${matches.length - init.length}, so old_sympos may select a different symbol then`,
  );
}

function expectation(
  ctx: Context,
  target: LivepatchTarget,
  symbol: KernelSymbol | null,
): { check: ExpectationCheck | null; flags: Flag[] } {
  if (ctx.expected === null) return { check: null, flags: [] };
  const exp = ctx.expected.find(
    (e) => e.role === target.role && e.objname === target.objname && e.oldName === target.oldName,
  );
  if (exp === undefined) {
    return {
      check: null,
      flags: [
        flag(
          "EXPECT_MISSING",
          "warning",
          `the expected report has no ${target.role} target ${target.objname}:${target.oldName}`,
        ),
      ],
    };
  }
  let agrees: boolean;
  let by: string;
  if (symbol !== null && symbol.address !== null && exp.address !== null) {
    agrees = symbol.address === exp.address;
    by = "address";
  } else if (symbol !== null) {
    // no addresses to compare: the symbol the report's pair reaches here, by position (and type)
    const theirs = resolve(ctx.table, exp.objname, exp.oldName, exp.oldSympos, ctx.choice.rule);
    const pos = exp.position ?? (theirs.ok ? theirs.symbol.position : null);
    agrees = pos !== null && pos === symbol.position && (exp.type === null || exp.type === symbol.type);
    by = exp.type !== null ? "position and type" : "position";
  } else {
    agrees = false;
    by = "resolution";
  }
  const check: ExpectationCheck = {
    source: exp.source,
    expectedAddress: exp.address,
    expectedSympos: exp.oldSympos,
    agrees,
    by,
  };
  if (agrees) return { check, flags: [] };
  const expectedText = exp.address !== null ? hex(exp.address) : `${exp.oldName},${exp.oldSympos}`;
  const got = symbol === null ? "does not resolve" : `resolves to ${describe(symbol)}`;
  return {
    check,
    flags: [
      flag(
        "EXPECT_MISMATCH",
        "error",
        `${target.oldName},${target.oldSympos} ${got}, but ${exp.source} expects ${expectedText} (compared by ${by})`,
      ),
    ],
  };
}

function verifyTarget(ctx: Context, target: LivepatchTarget): TargetVerdict {
  const flags: Flag[] = [...target.flags];
  const rule = ctx.choice.rule;
  const facts = ctx.modules.get(target.objname) ?? null;
  if (target.kernelMessage !== null && flags.some((f) => f.code === "BAD_KLP_SYM_NAME")) {
    // the kernel rejects the name before any lookup
    return {
      target,
      outcome: "not-found",
      symbol: null,
      matches: [],
      kernelMessage: target.kernelMessage,
      onLoad: null,
      expected: null,
      flags,
    };
  }
  const r = resolve(ctx.table, target.objname, target.oldName, target.oldSympos, rule);
  for (const note of r.notes) flags.push(flag("UNRELIABLE_QUERY", "warning", note));
  const obj = ctx.table.objects.get(target.objname);
  const matches = r.matches.map(view);

  if (!r.ok && r.outcome === "not-loaded") {
    let onLoad: OnLoadCheck | null = null;
    if (facts === null) {
      flags.push(
        flag(
          "NOT_LOADED",
          "warning",
          `${target.objname} is not loaded in ${ctx.table.source.path}${ctx.table.source.kind === "kallsyms" ? "" : ` (a ${ctx.table.source.kind} holds no module symbols)`}: the kernel resolves this target only when ${target.objname} loads; give --module-file ${target.objname}.ko to check it against the module's symbols`,
        ),
      );
    } else {
      const lr = resolve(facts.initTable, target.objname, target.oldName, target.oldSympos, rule);
      const prefix = `when ${target.objname} loads (${facts.path}, init-time symbol list): `;
      if (lr.ok) {
        const idx = lr.symbol.position;
        let kernelMessage: string | null = null;
        if (target.role === "function") {
          const traceOk = facts.traceable[idx];
          if (!"tTW".includes(lr.symbol.type) || traceOk === false) {
            kernelMessage = noFtraceLocation(target.oldName);
            flags.push(
              flag(
                "FTRACE_REFUSED",
                "error",
                `${prefix}resolves to ${lr.symbol.type} ${lr.symbol.name}, which ftrace cannot attach to: "${kernelMessage}"`,
              ),
            );
          }
        }
        onLoad = { moduleFile: facts.path, outcome: "resolved", symbol: view(lr.symbol), kernelMessage };
        flags.push(
          flag(
            "NOT_LOADED",
            "info",
            `${target.objname} is not loaded: ${prefix}resolves to symbol #${idx + 1} ${lr.symbol.type} ${lr.symbol.name}`,
          ),
        );
      } else if (lr.outcome !== "not-loaded") {
        onLoad = { moduleFile: facts.path, outcome: lr.outcome, symbol: null, kernelMessage: lr.message };
        flags.push(failureFlag(lr.outcome, lr.message, prefix));
      }
      const hazard = initHazard(facts, target, ctx.choice);
      if (hazard !== null) flags.push(hazard);
    }
    // nothing to compare until the module loads: an expectation is neither met nor broken
    return {
      target,
      outcome: "not-loaded",
      symbol: null,
      matches,
      kernelMessage: null,
      onLoad,
      expected: null,
      flags,
    };
  }

  if (!r.ok) {
    flags.push(
      failureFlag(r.outcome as Exclude<VerifyOutcome, "resolved" | "not-loaded">, describeFailure(r, target)),
    );
    if (r.outcome === "not-found") {
      const hint = rebuiltHint(obj, target);
      if (hint !== null) flags.push(hint);
    }
    if (facts !== null) {
      const hazard = initHazard(facts, target, ctx.choice);
      if (hazard !== null) flags.push(hazard);
    }
    const exp = expectation(ctx, target, null);
    flags.push(...exp.flags);
    return {
      target,
      outcome: r.outcome as VerifyOutcome,
      symbol: null,
      matches,
      kernelMessage: target.kernelMessage ?? r.message,
      onLoad: null,
      expected: exp.check,
      flags,
    };
  }

  // resolved
  let kernelMessage = target.kernelMessage;
  if (target.role === "function" && obj !== undefined) {
    const loadedMatches = facts !== null && ctx.moduleMatchesLoaded.get(target.objname) === true;
    const traceIndex = loadedMatches ? (facts.coreToInit[r.symbol.position] ?? null) : null;
    const refused = refusal(
      target,
      obj,
      r.symbol,
      r,
      loadedMatches ? facts : null,
      traceIndex,
      ctx.vmlinuxCalls,
    );
    if (refused !== null) {
      kernelMessage ??= refused.message;
      flags.push(refused.flag);
    }
  }
  if (target.oldSympos === 1 && r.matches.length === 1) {
    flags.push(
      flag(
        "SYMPOS_ONE_UNIQUE",
        "info",
        `old_sympos 1 on a unique name works, but tools write 0 for unique names and cumulative patches compare old_sympos exactly (klp_find_func), so 0 and 1 are different functions there`,
      ),
    );
  }
  if (facts !== null) {
    const hazard = initHazard(facts, target, ctx.choice);
    if (hazard !== null) flags.push(hazard);
  }
  const exp = expectation(ctx, target, r.symbol);
  flags.push(...exp.flags);
  return {
    target,
    outcome: "resolved",
    symbol: view(r.symbol),
    matches,
    kernelMessage,
    onLoad: null,
    expected: exp.check,
    flags,
  };
}

function describeFailure(r: Extract<ResolveResult, { ok: false }>, target: LivepatchTarget): string {
  const listed = r.matches.slice(0, 8).map(describe).join("; ");
  const more = r.matches.length > 8 ? `; … ${r.matches.length - 8} more` : "";
  switch (r.outcome) {
    case "ambiguous":
      return `'${target.oldName}' matches ${r.matches.length} symbols in ${target.objname} and old_sympos is 0: the kernel refuses with "${r.message}" (${listed}${more})`;
    case "position-not-found":
      return `old_sympos ${target.oldSympos} but '${target.oldName}' matches only ${r.matches.length} symbol(s) in ${target.objname}: "${r.message}" (${listed}${more})`;
    default:
      return `'${target.oldName}' is not in ${target.objname}: "${r.message}"`;
  }
}

// ---------------------------------------------------------------------------------------------
// The patch as a whole

// include/linux/module.h: MODULE_NAME_LEN = 64 - sizeof(unsigned long) (56 on 64-bit kernels)
const MODULE_NAME_LEN = 56;

/**
 * What klp_init_object() refuses before its functions: a module name of MODULE_NAME_LEN or more
 * (-EINVAL, no message), or a second object of the same name (its sysfs directory exists).
 */
function objectProblem(targets: LivepatchTargets, o: number): { flag: Flag; message: string } | null {
  const objname = targets.objects[o];
  if (objname === undefined) return null;
  if (objname !== VMLINUX && objname.length >= MODULE_NAME_LEN) {
    return {
      message: "(no message: klp_enable_patch() returns -EINVAL)",
      flag: flag(
        "OBJNAME_TOO_LONG",
        "error",
        `objs[${o}].name '${objname}' has ${objname.length} characters: klp_init_object() refuses module names of ${MODULE_NAME_LEN} or more`,
      ),
    };
  }
  if (targets.objects.indexOf(objname) < o) {
    const message = `sysfs: cannot create duplicate filename '/kernel/livepatch/${targets.moduleName ?? "<patch>"}/${objname}'`;
    return {
      message,
      flag: flag(
        "DUPLICATE_OBJECT",
        "error",
        `objs[${o}] names '${objname}' again: klp_init_object() fails with -EEXIST ("${message}")`,
      ),
    };
  }
  return null;
}

/** sysfs names each function `<old_name>,<old_sympos or 1>` (klp_init_func), so 0 and 1 collide. */
function duplicateFlags(
  targets: readonly LivepatchTarget[],
  moduleName: string | null,
): Map<LivepatchTarget, { flag: Flag; message: string }> {
  const seen = new Map<string, LivepatchTarget>();
  const out = new Map<LivepatchTarget, { flag: Flag; message: string }>();
  for (const t of targets) {
    if (t.role !== "function") continue;
    const entry = `${t.oldName},${t.oldSympos === 0 ? 1 : t.oldSympos}`;
    const key = `${t.objname}\u0000${entry}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, t);
      continue;
    }
    const message = `sysfs: cannot create duplicate filename '/kernel/livepatch/${moduleName ?? "<patch>"}/${t.objname}/${entry}'`;
    out.set(t, {
      message,
      flag: flag(
        "DUPLICATE_TARGET",
        "error",
        `${t.source} names the same function as ${first.source} (sysfs entry ${entry}): klp_init_func() fails with -EEXIST ("${message}")`,
      ),
    });
  }
  return out;
}

function predict(
  verdicts: readonly TargetVerdict[],
  targets: LivepatchTargets,
  table: KernelTable,
  duplicates: ReadonlyMap<LivepatchTarget, { message: string }>,
): PatchPrediction {
  const deferred = targets.objects.filter((o) => !table.objects.has(o));
  const whenLoaded = deferred.flatMap((objname) => {
    const mine = verdicts.filter((v) => v.target.used && v.onLoad !== null && v.target.objname === objname);
    if (mine.length === 0) return [];
    // klp_module_coming → klp_init_object_loaded: .klp.rela references, then each function's lookup;
    // then klp_patch_object: ftrace registration
    const lookup = [
      ...mine.filter((v) => v.target.role === "reference"),
      ...mine.filter((v) => v.target.role === "function"),
    ].find((v) => v.onLoad!.outcome !== "resolved");
    const ftrace = mine.find(
      (v) =>
        v.target.role === "function" && v.onLoad!.outcome === "resolved" && v.onLoad!.kernelMessage !== null,
    );
    const first = lookup ?? ftrace;
    return [
      { objname, kernelMessage: first?.onLoad?.kernelMessage ?? null, at: first?.target.source ?? null },
    ];
  });
  const refused = (kernelMessage: string, at: string, stage: PatchPrediction["stage"]): PatchPrediction => ({
    result: "refused",
    kernelMessage,
    at,
    stage,
    deferred,
    whenLoaded,
  });
  const failureOf = (v: TargetVerdict): string | null =>
    v.outcome === "ambiguous" || v.outcome === "position-not-found" || v.outcome === "not-found"
      ? v.kernelMessage
      : null;
  const used = verdicts.filter((v) => v.target.used);
  // 1. insmod: vmlinux .klp.rela sections (kernel/module/main.c apply_relocations)
  for (const m of targets.kernelMessages) if (m.stage === "load") return refused(m.message, "module", "load");
  for (const v of used) {
    if (v.target.stage !== "load") continue;
    const message = v.target.kernelMessage ?? failureOf(v);
    if (message !== null) return refused(message, v.target.source, "load");
  }
  // 2. klp_enable_patch → klp_init_patch: per object, its functions' sysfs entries, then (when loaded)
  // its .klp.rela sections and each function's lookup and size
  for (const m of targets.kernelMessages)
    if (m.stage === "enable") return refused(m.message, "module", "resolve");
  const objectCount = Math.max(targets.objects.length, ...used.map((v) => v.target.objectIndex + 1));
  for (let o = 0; o < objectCount; o++) {
    const inObject = used.filter((v) => v.target.objectIndex === o);
    const problem = objectProblem(targets, o);
    if (problem !== null) return refused(problem.message, `objs[${o}]`, "resolve");
    for (const v of inObject) {
      if (v.target.role !== "function") continue;
      const dup = duplicates.get(v.target);
      if (dup !== undefined) return refused(dup.message, v.target.source, "resolve");
      if (
        v.target.flags.some(
          (f) => f.code === "NAME_TOO_LONG" || f.code === "NO_NEW_FUNC" || f.code === "BAD_OLD_NAME",
        )
      ) {
        return refused("(no message: klp_enable_patch() returns -EINVAL)", v.target.source, "resolve");
      }
    }
    const objname = targets.objects[o] ?? inObject[0]?.target.objname;
    if (objname === undefined || !table.objects.has(objname)) continue;
    for (const v of inObject) {
      if (v.target.role !== "reference" || v.target.stage !== "enable") continue;
      const message = v.target.kernelMessage ?? failureOf(v);
      if (message !== null) return refused(message, v.target.source, "resolve");
    }
    for (const v of inObject) {
      if (v.target.role !== "function") continue;
      const message = failureOf(v);
      if (message !== null) return refused(message, v.target.source, "resolve");
      if (v.kernelMessage?.startsWith(SIZE_LOOKUP))
        return refused(v.kernelMessage, v.target.source, "resolve");
    }
  }
  // 3. __klp_enable_patch → klp_patch_object: ftrace registration, object by object
  for (let o = 0; o < objectCount; o++) {
    for (const v of used) {
      if (v.target.objectIndex !== o || v.target.role !== "function" || v.outcome !== "resolved") continue;
      if (v.kernelMessage !== null) return refused(v.kernelMessage, v.target.source, "ftrace");
    }
  }
  return { result: "accepted", kernelMessage: null, at: null, stage: null, deferred, whenLoaded };
}

export interface VerifyOptions {
  readonly table: KernelTable;
  readonly choice: RuleChoice;
  /** Facts of target modules' .ko files (--module-file). */
  readonly modules?: readonly ModuleFileFacts[];
  /** Targets a match report expects (--expect). */
  readonly expected?: readonly ExpectedTarget[];
  /** ftrace call sites of the kernel's vmlinux (--vmlinux). */
  readonly vmlinuxCalls?: VmlinuxCallSites | null;
}

/** Checks every target as the kernel would, and predicts the patch's fate. */
export function verifyTargets(targets: LivepatchTargets, opts: VerifyOptions): VerifyResult {
  const modules = new Map<string, ModuleFileFacts>();
  for (const m of opts.modules ?? []) modules.set(m.objname, m);
  const flags: Flag[] = [...targets.flags];
  const notes: string[] = [...targets.notes, ...opts.table.notes];
  const moduleMatchesLoaded = new Map<string, boolean>();
  for (const m of modules.values()) {
    const loaded = opts.table.objects.get(m.objname);
    if (loaded === undefined) continue;
    const same = loaded.count === m.core.length && m.core.every((e, i) => loaded.nameAt(i) === e.name);
    moduleMatchesLoaded.set(m.objname, same);
    if (!same) {
      flags.push(
        flag(
          "MODULE_FILE_MISMATCH",
          "warning",
          `${m.path}: its symbols (${m.core.length} kept after init) differ from the loaded ${m.objname} in ${opts.table.source.path} (${loaded.count}): not the module that is loaded; its call sites are not used`,
        ),
      );
    }
  }
  targets.objects.forEach((_, o) => {
    const problem = objectProblem(targets, o);
    if (problem !== null) flags.push(problem.flag);
  });
  if (opts.choice.assumed) flags.push(flag("LTO_RULE_ASSUMED", "warning", opts.choice.why));
  if (opts.table.addressesHidden) {
    flags.push(
      flag(
        "HIDDEN_ADDRESSES",
        "info",
        `${opts.table.source.path} hides addresses (kptr_restrict): positions are checked, addresses and text ranges are not`,
      ),
    );
  }
  const ctx: Context = {
    table: opts.table,
    choice: opts.choice,
    modules,
    moduleMatchesLoaded,
    expected: opts.expected ?? null,
    vmlinuxCalls: opts.vmlinuxCalls ?? null,
  };
  const duplicates = duplicateFlags(targets.targets, targets.moduleName);
  const verdicts = targets.targets.map((t) => {
    const v = verifyTarget(ctx, t);
    const dup = duplicates.get(t);
    return dup === undefined
      ? v
      : { ...v, flags: [...v.flags, dup.flag], kernelMessage: v.kernelMessage ?? dup.message };
  });
  if (opts.expected !== undefined) {
    for (const e of opts.expected) {
      if (
        !targets.targets.some((t) => t.role === e.role && t.objname === e.objname && t.oldName === e.oldName)
      ) {
        flags.push(
          flag(
            "EXPECT_UNCOVERED",
            "warning",
            `${e.source}: ${e.role} ${e.objname}:${e.oldName},${e.oldSympos} is expected but no target names it`,
          ),
        );
      }
    }
  }
  const patch = predict(verdicts, targets, opts.table, duplicates);
  for (const o of patch.deferred) notes.push(`${o} is not loaded: its targets are resolved when it loads`);
  return { rule: opts.choice, verdicts, patch, flags, notes };
}
