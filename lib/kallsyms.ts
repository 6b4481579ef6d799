// Reads kernel symbol tables in nm text form — /proc/kallsyms (with `[module]` tags) and
// System.map — by scanning the bytes once into a column store, without a string per line.
import { gunzipSync } from "node:zlib";
import { InputError } from "./input-error.js";
import { readInputFile } from "./input-files.js";
import { type KernelTable, type KernelTableKind, objectsOf, SymbolStore, VMLINUX } from "./kernel-table.js";
import { isNmUndefinedLine, nmUndefinedNote } from "./nm-undefined.js";

export interface TextTableOptions {
  /** Skip malformed lines (counted in the notes) instead of failing on the first one. */
  readonly lenient?: boolean;
  /** How the file is read (a run's reader that keeps the bytes for their sha256); default readInputFile. */
  readonly read?: (path: string) => Promise<Uint8Array>;
}

/** kernel/kallsyms.c prints these pseudo-modules' symbols with a tag, but they are no loadable object. */
const PSEUDO_MODULES = new Set(["bpf", "__builtin__ftrace", "__builtin__kprobes"]);

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const OPEN = 91; // [
const CLOSE = 93; // ]

/** Reads `path` (`-` = stdin; through `read` when given), gunzipping when the bytes start with the gzip magic. */
export async function readTextBytes(
  path: string,
  read: (path: string) => Promise<Uint8Array> = readInputFile,
): Promise<Buffer> {
  const bytes = await read(path);
  const raw = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return gunzipSync(raw);
    } catch (error) {
      throw new InputError(path, `bad gzip data: ${(error as Error).message}`);
    }
  }
  return raw;
}

export async function readKallsyms(path: string, opts: TextTableOptions = {}): Promise<KernelTable> {
  return parseSymbolText(await readTextBytes(path, opts.read), path, "kallsyms", opts);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** nm type letters, and `?` (kallsyms prints it for symbols of unknown section, e.g. `__nosave_begin`). */
function isTypeChar(c: number): boolean {
  const l = c | 32;
  return (l >= 97 && l <= 122) || c === 63;
}

function lineCount(bytes: Buffer): number {
  let count = 1;
  for (let p = bytes.indexOf(NL); p >= 0; p = bytes.indexOf(NL, p + 1)) count++;
  return count;
}

/** An ELF file given where a symbol list is read: say what to give it as. */
function refuseElf(bytes: Buffer, path: string): void {
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    throw new InputError(
      path,
      "this is an ELF file, not a symbol list: give it as --vmlinux or --module-file",
    );
  }
}

/**
 * Parses `address type name[\t[module]]` lines. kallsyms order is line order: for vmlinux the
 * un-tagged lines (ascending address), for a module its tagged lines (its symtab order).
 */
export function parseSymbolText(
  bytes: Buffer,
  path: string,
  kind: Extract<KernelTableKind, "kallsyms" | "system-map">,
  opts: TextTableOptions = {},
): KernelTable {
  refuseElf(bytes, path);
  const allowModules = kind === "kallsyms";
  const store = new SymbolStore(bytes, lineCount(bytes));
  const tags = new ModuleTags(store);
  let skipped = 0;
  let undefinedSkipped = 0;
  let firstSkipped = "";
  let nonZero = 0;

  const n = bytes.length;
  const line: ScannedLine = {
    hi: 0,
    lo: 0,
    type: 0,
    nameStart: 0,
    nameEnd: 0,
    nameHash: 0,
    tagStart: -1,
    tagEnd: -1,
  };
  let lineNo = 0;
  let i = 0;
  while (i < n) {
    lineNo++;
    let eol = bytes.indexOf(NL, i);
    if (eol < 0) eol = n;
    const lineStart = i;
    i = eol + 1;
    if (bytes[lineStart] === SPACE && isNmUndefinedLine(bytes, lineStart, eol)) {
      undefinedSkipped++;
      continue;
    }
    const reason = scanLine(bytes, lineStart, eol, allowModules, line);
    if (reason !== null) {
      if (!opts.lenient) throw new InputError(path, `line ${lineNo}: ${reason}`);
      if (skipped === 0) firstSkipped = `line ${lineNo}: ${reason}`;
      skipped++;
      continue;
    }
    let obj = 0;
    if (line.tagStart >= 0) {
      obj = tags.objectOf(bytes, line.tagStart, line.tagEnd);
      if (obj < 0) continue;
    }
    nonZero |= line.hi | line.lo;
    store.add(
      obj,
      line.nameStart,
      line.nameEnd - line.nameStart,
      line.type,
      line.hi,
      line.lo,
      lineNo,
      line.nameHash,
    );
  }

  const hidden = store.rows > 0 && nonZero === 0;
  if (store.rows === 0) throw new InputError(path, "no symbols (empty file?)");
  const notes = textTableNotes(hidden, tags);
  if (undefinedSkipped > 0) notes.push(nmUndefinedNote(undefinedSkipped));
  if (skipped > 0) notes.push(`--lenient: skipped ${skipped} malformed line(s) (first: ${firstSkipped})`);
  return {
    source: { kind, path },
    objects: objectsOf(store, tags.objnames, hidden, hidden ? null : initTextRange(store)),
    addressesHidden: hidden,
    hasLlvmNames: hasVmlinuxLlvmName(bytes),
    notes,
  };
}

/** The objects a kallsyms text's module tags name, vmlinux first, in order of first appearance. */
class ModuleTags {
  readonly objnames: string[] = [VMLINUX];
  private readonly ids = new Map<string, number>([[VMLINUX, 0]]);
  /** Lines of pseudo-modules ([bpf], [__builtin__…]), per module. */
  readonly pseudo = new Map<string, number>();
  /** Later lines of a module after its block (ftrace's freed init functions), per module. */
  readonly ftraceSaved = new Map<string, number>();
  // the last module tag seen, to avoid decoding the same tag for every line of a module
  private tagStart = -1;
  private tagLen = -1;
  private tagObj = -1;

  constructor(private readonly store: SymbolStore) {
    store.objCount[0] = 0;
  }

  /** The object of a line tagged `[module]` at ts..te, or -1 when the line is not one of its symbols (counted). */
  objectOf(bytes: Buffer, ts: number, te: number): number {
    if (
      te - ts !== this.tagLen ||
      bytes.compare(bytes, this.tagStart, this.tagStart + this.tagLen, ts, te) !== 0
    ) {
      const module = bytes.toString("latin1", ts, te);
      this.tagStart = ts;
      this.tagLen = te - ts;
      // a module's tag again after its block: kernel/trace/ftrace.c ftrace_mod_get_kallsym() lists
      // the module's freed init functions after every module's own symbols — not its symtab
      this.tagObj =
        PSEUDO_MODULES.has(module) || module.startsWith("__builtin__")
          ? -1
          : this.ids.has(module)
            ? -2
            : this.add(module);
    }
    if (this.tagObj >= 0) return this.tagObj;
    const module = bytes.toString("latin1", ts, te);
    const counts = this.tagObj === -1 ? this.pseudo : this.ftraceSaved;
    counts.set(module, (counts.get(module) ?? 0) + 1);
    return -1;
  }

  private add(module: string): number {
    const id = this.objnames.length;
    this.objnames.push(module);
    this.ids.set(module, id);
    this.store.objCount[id] = 0;
    return id;
  }
}

/** What a text table's reader says about what it read: hidden addresses, lines of no object's table. */
function textTableNotes(hidden: boolean, tags: ModuleTags): string[] {
  const notes: string[] = [];
  if (hidden) {
    notes.push(
      "all addresses are zero (kptr_restrict, or read without CAP_SYSLOG): positions are still right, addresses are hidden",
    );
  }
  for (const [module, count] of tags.pseudo)
    notes.push(`skipped ${count} symbol(s) of pseudo-module [${module}] (not a loadable object)`);
  for (const [module, count] of tags.ftraceSaved) {
    notes.push(
      `skipped ${count} later [${module}] line(s): ftrace's record of its freed init functions, not its symbol table`,
    );
  }
  return notes;
}

/** The fields of one line, as byte offsets into the buffer. */
interface ScannedLine {
  hi: number;
  lo: number;
  type: number;
  nameStart: number;
  nameEnd: number;
  /** hashBytes() of the name, computed while scanning it. */
  nameHash: number;
  /** The module name inside `\t[...]`, or -1 for a vmlinux line. */
  tagStart: number;
  tagEnd: number;
}

/** Checks one line `address type name[\t[module]]` and fills `out`; returns what is wrong, or null. */
function scanLine(
  bytes: Buffer,
  start: number,
  eol: number,
  allowModules: boolean,
  out: ScannedLine,
): string | null {
  if (eol === start) return "empty line";
  if (bytes[eol - 1] === CR) return "CRLF line ending (carriage return before the newline)";
  let hi = 0;
  let lo = 0;
  let j = start;
  for (; j < eol; j++) {
    const c = bytes[j]!;
    if (c === SPACE) break;
    const v = hexValue(c);
    if (v < 0) return "bad address (not hexadecimal)";
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | v) >>> 0;
  }
  const digits = j - start;
  if (digits === 0) return "missing address";
  if (digits > 16) return "bad address (more than 16 hex digits)";
  if (j + 3 >= eol) return "missing fields (expected: address type name)";
  const type = bytes[j + 1]!;
  if (!isTypeChar(type) || bytes[j + 2] !== SPACE) return "bad type field (expected one letter or ?)";
  const nameStart = j + 3;
  let k = nameStart;
  let h = 0x811c9dc5;
  for (; k < eol; k++) {
    const c = bytes[k]!;
    if (c <= SPACE || c >= 127) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (k === nameStart) return "missing symbol name";
  out.tagStart = -1;
  out.tagEnd = -1;
  if (k < eol) {
    if (bytes[k] !== TAB) return "bad byte in symbol name (binary data?)";
    if (!allowModules) return "module tag in a System.map (it holds vmlinux symbols only)";
    const ts = k + 2;
    const te = eol - 1;
    if (bytes[k + 1] !== OPEN || bytes[te] !== CLOSE || te <= ts)
      return "bad module tag (expected `\\t[module]`)";
    for (let t = ts; t < te; t++) {
      const c = bytes[t]!;
      if (c <= SPACE || c >= 127 || c === CLOSE) return "bad byte in module name";
    }
    out.tagStart = ts;
    out.tagEnd = te;
  }
  out.hi = hi;
  out.lo = lo;
  out.type = type;
  out.nameStart = nameStart;
  out.nameEnd = k;
  out.nameHash = h & 0x7fffffff;
  return null;
}

/**
 * vmlinux's init text, freed after boot, lies between its `_sinittext` and `_einittext` symbols
 * (include/asm-generic/vmlinux.lds.h).
 */
function initTextRange(store: SymbolStore): [bigint, bigint] | null {
  const start = store.rowsNamed(0, "_sinittext")[0];
  const end = store.rowsNamed(0, "_einittext")[0];
  if (start === undefined || end === undefined) return null;
  return [store.addressOf(start), store.addressOf(end)];
}

/** True when some un-tagged (vmlinux) line's name contains `.llvm.`. */
function hasVmlinuxLlvmName(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(".llvm."); at >= 0; at = bytes.indexOf(".llvm.", at + 1)) {
    let eol = bytes.indexOf(NL, at);
    if (eol < 0) eol = bytes.length;
    const tab = bytes.indexOf(TAB, at);
    if (tab < 0 || tab > eol) return true;
  }
  return false;
}
