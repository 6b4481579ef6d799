// The FILE runs of a linked relocatable's symbol table: both linkers write each input file's
// locals after its STT_FILE symbol, all globals after every local. Each run is a translation unit;
// its per-file object comes from the link order (vmlinux.a's members, a .mod's list).

import type { SymbolColumns } from "../elf/columns.js";
import { STB_LOCAL, STT_FILE, STT_SECTION } from "../elf/constants.js";

export interface Run {
  readonly file: string;
  readonly fileSymbol: number;
  /** Its symbols are [fileSymbol + 1, end). */
  readonly end: number;
  path: string;
  member: string | null;
}

/** The FILE runs, each local's run, and the run holding each output section's STT_SECTION symbol. */
export function fileRuns(
  cols: SymbolColumns,
  shnum: number,
): { runs: Run[]; run: Int32Array; sectionRun: Int32Array } {
  const runs: Run[] = [];
  const run = new Int32Array(cols.count).fill(-1);
  // ld.lld writes an output section's STT_SECTION symbol in the run of the file that first adds to it
  const sectionRun = new Int32Array(shnum).fill(-1);
  let current = -1;
  for (let i = 1; i < cols.count; i++) {
    const info = cols.info[i]!;
    if (info >> 4 !== STB_LOCAL) break;
    const type = info & 0xf;
    if (type === STT_FILE) {
      if (current >= 0) (runs[current] as { end: number }).end = i;
      current = runs.length;
      runs.push({ file: cols.name(i), fileSymbol: i, end: i + 1, path: cols.name(i), member: null });
      continue;
    }
    if (current < 0) continue;
    run[i] = current;
    const s = cols.section[i]!;
    if (type === STT_SECTION && s >= 0 && sectionRun[s]! < 0) sectionRun[s] = current;
  }
  if (current >= 0) {
    let end = runs[current]!.fileSymbol + 1;
    while (end < cols.count && cols.info[end]! >> 4 === STB_LOCAL) end++;
    (runs[current] as { end: number }).end = end;
  }
  return { runs, run, sectionRun };
}

const stem = (p: string): string => {
  const base = p.slice(p.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
};

/**
 * Gives each unit its per-file object, among the members whose stem its FILE name has: the k-th such
 * unit the k-th such member when both count the same (the link order holds among them, though kbuild
 * moves some objects ahead: scripts/Makefile.vmlinux_a), else the untaken member nearest its place.
 */
export function resolvePaths(runs: readonly Run[], members: readonly string[]): void {
  const membersOf = new Map<string, number[]>();
  members.forEach((m, i) => {
    const list = membersOf.get(stem(m));
    if (list) list.push(i);
    else membersOf.set(stem(m), [i]);
  });
  const runsOf = new Map<string, number[]>();
  runs.forEach((u, i) => {
    const list = runsOf.get(stem(u.file));
    if (list) list.push(i);
    else runsOf.set(stem(u.file), [i]);
  });
  const scale = members.length / Math.max(1, runs.length);
  for (const [key, list] of runsOf) {
    const candidates = [...(membersOf.get(key) ?? [])];
    for (let k = 0; k < list.length && candidates.length > 0; k++) {
      const index = list[k]!;
      let pick = 0;
      if (candidates.length !== list.length - k) {
        const want = index * scale;
        for (let c = 1; c < candidates.length; c++) {
          if (Math.abs(candidates[c]! - want) < Math.abs(candidates[pick]! - want)) pick = c;
        }
      }
      const m = members[candidates.splice(pick, 1)[0]!]!;
      const u = runs[index]!;
      u.member = m;
      const suffix = u.file.lastIndexOf(".") > 0 ? u.file.slice(u.file.lastIndexOf(".")) : ".c";
      u.path = `${m.replace(/\.o$/, "")}${suffix}`;
    }
  }
}
