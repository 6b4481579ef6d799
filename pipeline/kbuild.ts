import { basename, dirname, join } from "node:path";
import { symbolColumns } from "../elf/columns.js";
import { STB_LOCAL, STT_FILE, STT_SECTION } from "../elf/constants.js";
import { readElf } from "../elf/file.js";
import { fileKind } from "../elf/file-kind.js";
import { type CachedElfReader, cachedElfReader } from "../elf/read-file.js";
import type { ElfFile } from "../elf/types.js";
import { InputError } from "../lib/input-error.js";
import { bytesSha256, isDirectory, isFile, readInputFile, readInputText } from "../lib/input-files.js";
import {
  configDifferences,
  isKbuildDir,
  type KbuildDir,
  type LinkedObject,
  readKbuildDir,
} from "../lib/kbuild-dir.js";
import { normalizeModuleName, VMLINUX } from "../lib/kernel-table.js";
import type { FunctionExplanation, ObjectDiff, TreeDiff } from "../lib/report/diff-types.js";
import { explainFunction } from "../matcher/explain.js";
import { checkFunctionSections, diffLinkedObjects, type UnitDiff } from "../matcher/linked-diff.js";

/** One translation unit's diff, with the linked object it came from. */
export interface KbuildUnit extends UnitDiff {
  readonly objname: string;
  /** The linked object's path from the build's top: `vmlinux.o`, `drivers/foo/foo.o`. */
  readonly linked: string;
  /** Changed while its source is not among the patch's files (LTO imported or inlined a change); null without --patch. */
  readonly byLto: boolean | null;
}

export interface KbuildDiff {
  /** The linked objects read, orig and patched (a report's inputs), hashed with hashInputs. */
  readonly inputs: readonly {
    readonly role: "orig" | "patched";
    readonly path: string;
    readonly sha256?: string;
  }[];
  /** Every unit that was diffed (not equal by bytes and relocations). */
  readonly units: readonly KbuildUnit[];
  /** Per linked object: its path, how many units it has, how many were skipped as equal. */
  readonly objects: readonly { readonly path: string; readonly units: number; readonly skipped: number }[];
  readonly onlyOrig: readonly string[];
  readonly onlyPatched: readonly string[];
  /** The orig linked objects as read, by objname (the booted build's: their FILE blocks serve match). */
  readonly origObjects: ReadonlyMap<string, ElfFile>;
}

export interface KbuildOptions {
  /** Hash each linked object as it is read (a report's inputs), instead of reading it again later. */
  readonly hashInputs?: boolean;
  /** The patch (unified diff): units changed outside its files are marked as changed by LTO. */
  /** The patch(es) the build applied: units changed outside their files are marked as changed by LTO. */
  readonly patch?: readonly string[];
}

/** Whether --orig and --patched are two kernel build directories; one without the other is an error. */
export async function isKbuildPair(orig: string, patched: string): Promise<boolean> {
  if (!(await isDirectory(orig)) || !(await isDirectory(patched))) return false;
  const [a, b] = [await isKbuildDir(orig), await isKbuildDir(patched)];
  if (a !== b) {
    const [is, isNot] = a ? [orig, patched] : [patched, orig];
    throw new InputError(
      isNot,
      `not a kernel build directory (no .config and modules.order at its top) while ${is} is one: give two build directories, or two trees of objects`,
    );
  }
  return a;
}

/** The source paths a unified diff changes (`--- a/path`, `+++ b/path` headers), /dev/null left out. */
export function patchedFiles(text: string): Set<string> {
  const files = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(lines[i]!);
    if (hunk) {
      // the hunk's lines: removed and context count against the old length, added and context the new
      let old = Number(hunk[1] ?? 1);
      let added = Number(hunk[2] ?? 1);
      while ((old > 0 || added > 0) && i + 1 < lines.length) {
        const l = lines[++i]!;
        if (l.startsWith("-")) old--;
        else if (l.startsWith("+")) added--;
        else if (!l.startsWith("\\")) {
          old--;
          added--;
        }
      }
      continue;
    }
    const m = /^(?:\+\+\+|---) (?:[ab]\/)?([^\t]+)/.exec(lines[i]!);
    if (m && m[1]!.trim() !== "/dev/null") files.add(m[1]!.trim());
  }
  return files;
}

/** Whether ld.lld wrote this object: its STT_SECTION symbols sit in the FILE runs (GNU ld writes them first). */
function sectionSymbolsInRuns(file: ElfFile): boolean {
  const cols = symbolColumns(file);
  let seenFile = false;
  for (let i = 1; cols !== null && i < cols.count; i++) {
    const info = cols.info[i]!;
    if (info >> 4 !== STB_LOCAL) break;
    if ((info & 0xf) === STT_FILE) seenFile = true;
    else if (seenFile && (info & 0xf) === STT_SECTION) return true;
  }
  return false;
}

/** Global name → per-file object, from the members that are ELF (gcc builds; LTO members are bitcode). */
async function globalHomes(root: string, members: readonly string[]): Promise<Map<string, string>> {
  const homes = new Map<string, string>();
  for (const m of members) {
    let bytes: Uint8Array;
    try {
      bytes = await readInputFile(join(root, m));
    } catch {
      continue;
    }
    if (fileKind(bytes) !== "elf") continue;
    for (const s of readElf(bytes, { path: m }).symbols()) {
      if (s.bind !== STB_LOCAL && s.sectionIndex !== null && !homes.has(s.name)) homes.set(s.name, m);
    }
  }
  return homes;
}

async function sideOf(root: string, object: LinkedObject, file: ElfFile, withHomes: boolean) {
  const members = object.members;
  const homes = withHomes && members ? await globalHomes(root, members) : undefined;
  return { file, members, ...(homes ? { globalHomes: homes } : {}) };
}

/** One linked object of each build, and the build's top its paths are relative to. */
interface LinkedPair {
  readonly o: LinkedObject;
  readonly p: LinkedObject;
  readonly origRoot: string;
  readonly patchedRoot: string;
}

/**
 * The units of two linked objects diffed. Globals that no FILE run, section symbol, hash or
 * reference places are placed by the per-file objects that define them (ELF in gcc builds), read
 * only when such a global's piece changed: reading every per-file object costs more than the diff.
 */
async function diffPair(pair: LinkedPair, oFile: ElfFile, pFile: ElfFile) {
  const { o, p, origRoot, patchedRoot } = pair;
  const first = diffLinkedObjects(
    await sideOf(origRoot, o, oFile, false),
    await sideOf(patchedRoot, p, pFile, false),
  );
  const unplacedChanged = first.units.some((u) => u.path === oFile.path);
  if (!unplacedChanged || o.members === null || sectionSymbolsInRuns(oFile)) return first;
  return diffLinkedObjects(await sideOf(origRoot, o, oFile, true), await sideOf(patchedRoot, p, pFile, true));
}

/** Reads both build directories and refuses two different configurations. */
export async function readKbuildPair(origDir: string, patchedDir: string): Promise<[KbuildDir, KbuildDir]> {
  const orig = await readKbuildDir(origDir);
  const patched = await readKbuildDir(patchedDir);
  const differ = configDifferences(orig.config, patched.config);
  if (differ.length > 0) {
    const shown = differ.slice(0, 3).join(", ") + (differ.length > 3 ? `, … (${differ.length})` : "");
    throw new InputError(
      join(patchedDir, ".config"),
      `differs from ${join(origDir, ".config")} in ${shown}: build both trees from the same configuration`,
    );
  }
  return [orig, patched];
}

/** The diff of two build directories: every linked object, unit by unit. */
export async function diffKbuild(
  origDir: string,
  patchedDir: string,
  opts: KbuildOptions = {},
): Promise<KbuildDiff> {
  const [orig, patched] = await readKbuildPair(origDir, patchedDir);
  const patchFiles = await patchesFiles(opts.patch);
  const patchedModules = new Map(patched.modules.map((m) => [m.path, m]));
  const pairs: [LinkedObject, LinkedObject][] = [[orig.vmlinux, patched.vmlinux]];
  const onlyOrig: string[] = [];
  for (const m of orig.modules) {
    const twin = patchedModules.get(m.path);
    if (twin) pairs.push([m, twin]);
    else onlyOrig.push(m.path);
  }
  const known = new Set(orig.modules.map((m) => m.path));
  const onlyPatched = patched.modules.filter((m) => !known.has(m.path)).map((m) => m.path);
  const linked = pairs.map(([o, p]) => ({ o, p, origRoot: orig.root, patchedRoot: patched.root }));
  const read = cachedElfReader();
  return {
    ...(await diffLinkedPairs(linked, patchFiles, read, opts.hashInputs === true)),
    onlyOrig,
    onlyPatched,
  };
}

/** A linked object's input entry: its sha256 (of the bytes on disk) when asked for. */
async function linkedInput(
  read: CachedElfReader,
  role: "orig" | "patched",
  path: string,
  hash: boolean,
): Promise<KbuildDiff["inputs"][number]> {
  const bytes = hash ? await read.fileBytes(path) : undefined;
  return bytes === undefined ? { role, path } : { role, path, sha256: bytesSha256(bytes) };
}

/** Each pair of linked objects diffed unit by unit; the reading and the LTO marking of diffKbuild. */
async function diffLinkedPairs(
  pairs: readonly LinkedPair[],
  patchFiles: ReadonlySet<string> | null,
  read: CachedElfReader,
  hash: boolean,
): Promise<Omit<KbuildDiff, "onlyOrig" | "onlyPatched">> {
  const units: KbuildUnit[] = [];
  const origObjects = new Map<string, ElfFile>();
  const objects: KbuildDiff["objects"][number][] = [];
  const inputs: KbuildDiff["inputs"][number][] = [];
  for (const pair of pairs) {
    const { o, p } = pair;
    const [oPath, pPath] = [join(pair.origRoot, o.path), join(pair.patchedRoot, p.path)];
    const [oFile, pFile] = await Promise.all([read(oPath), read(pPath)]);
    inputs.push(
      await linkedInput(read, "orig", oPath, hash),
      await linkedInput(read, "patched", pPath, hash),
    );
    for (const f of [oFile, pFile]) checkFunctionSections(f);
    origObjects.set(o.objname, oFile);
    if (Buffer.compare(oFile.bytes, pFile.bytes) === 0) {
      objects.push({ path: o.path, units: 0, skipped: 0 });
      continue;
    }
    const d = await diffPair(pair, oFile, pFile);
    objects.push({ path: o.path, units: d.total, skipped: d.skipped });
    for (const u of d.units) {
      const changed = u.diff.changed.length + u.diff.new.length + u.diff.deleted.length > 0;
      const byLto = patchFiles === null || !changed ? null : !patchFiles.has(u.path);
      const diff = byLto ? withLtoReason(u.diff, u.path) : u.diff;
      units.push({ ...u, diff, objname: o.objname, linked: o.path, byLto });
    }
  }
  return { units, objects, origObjects, inputs };
}

/** How many STT_FILE symbols an object has: more than one, and it is a linked object of several files. */
export function fileSymbolCount(file: ElfFile): number {
  const cols = symbolColumns(file);
  let n = 0;
  for (let i = 1; cols !== null && i < cols.count; i++) {
    const info = cols.info[i]!;
    if (info >> 4 !== STB_LOCAL) break;
    if ((info & 0xf) === STT_FILE) n++;
  }
  return n;
}

/**
 * Two linked objects given as a pair (`diff vmlinux.o vmlinux.o`), or null when the orig is a
 * per-file object (one STT_FILE at most): vmlinux.o in a build directory takes the link order of
 * its vmlinux.a, a <mod>.o that of the <mod>.mod beside it.
 */
export async function diffLinkedFiles(
  origPath: string,
  patchedPath: string,
  opts: KbuildOptions = {},
  /** The run's reader: objects it has read already are not read again (standard input can be read once). */
  read: CachedElfReader = cachedElfReader(),
): Promise<KbuildDiff | null> {
  if (fileSymbolCount(await read(origPath)) < 2) return null;
  const patchFiles = await patchesFiles(opts.patch);
  const object = async (path: string): Promise<{ root: string; object: LinkedObject }> => {
    const root = dirname(path);
    const name = basename(path);
    if (name === "vmlinux.o" && (await isKbuildDir(root))) {
      return { root, object: (await readKbuildDir(root)).vmlinux };
    }
    const mod = join(root, name.replace(/\.o$/, ".mod"));
    const members = (await isFile(mod))
      ? (await readInputText(mod)).split(/\s+/).filter((m) => m.endsWith(".o"))
      : null;
    const objname =
      name === "vmlinux.o" || members === null ? VMLINUX : normalizeModuleName(name.replace(/\.o$/, ""));
    return { root, object: { objname, path: name, members } };
  };
  const [o, p] = await Promise.all([object(origPath), object(patchedPath)]);
  const pair = { o: o.object, p: p.object, origRoot: o.root, patchedRoot: p.root };
  return {
    ...(await diffLinkedPairs([pair], patchFiles, read, opts.hashInputs === true)),
    onlyOrig: [],
    onlyPatched: [],
  };
}

/** The files a series of patches touches; null without patches. */
async function patchesFiles(patches: readonly string[] | undefined): Promise<Set<string> | null> {
  if (patches === undefined || patches.length === 0) return null;
  const files = new Set<string>();
  for (const p of patches) for (const f of patchedFiles(await readInputText(p))) files.add(f);
  return files;
}

/** The reason every change of a unit the patch does not touch gets: LTO brought it there. */
export function ltoReason(path: string): string {
  return `changed by LTO: ${path} is not among the patch's files (a patched function was imported or inlined here)`;
}

function withLtoReason(diff: ObjectDiff, path: string): ObjectDiff {
  const reason = ltoReason(path);
  const add = <T extends { readonly reasons: readonly string[] }>(f: T): T => ({
    ...f,
    reasons: [...f.reasons, reason],
  });
  return { ...diff, changed: diff.changed.map(add), new: diff.new.map(add) };
}

/** The units as a tree diff (one object pair per unit, labelled by its path) for the tree renderers. */
export function kbuildTree(diff: KbuildDiff): { tree: TreeDiff; paths: string[] } {
  return {
    tree: { pairs: diff.units.map((u) => u.diff), onlyOrig: diff.onlyOrig, onlyPatched: diff.onlyPatched },
    paths: diff.units.map((u) => u.path),
  };
}

/** One line per linked object: how many units it has and how many were equal without a model. */
export function kbuildSummary(diff: KbuildDiff): string {
  return diff.objects
    .map((o) =>
      o.units === 0
        ? `${o.path}: identical\n`
        : `${o.path}: ${o.units} translation units, ${o.skipped} equal by bytes and relocations, ${o.units - o.skipped} diffed\n`,
    )
    .join("");
}

/** The first translation unit, in link order, that changes, adds or deletes the function. */
export function explainInKbuild(
  diff: KbuildDiff,
  name: string,
): { readonly explanation: FunctionExplanation; readonly path: string } | null {
  for (const u of diff.units) {
    const e = explainFunction(u.orig, u.patched, name);
    if (e && e.status !== "unchanged") return { explanation: e, path: u.path };
  }
  return null;
}
