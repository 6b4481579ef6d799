// The one model of a kernel's symbols, whatever the source (kallsyms, System.map, vmlinux, .ko):
// per object an ordered list in kallsyms order, stored column-wise, with a name index.

export interface KernelSymbol {
  /** "vmlinux" or the normalized module name (`-` → `_`, no `.ko`). */
  readonly objname: string;
  /** Full name as kallsyms prints it. */
  readonly name: string;
  /** kallsyms type letter (t T d D b B r R A W w V v …). */
  readonly type: string;
  /** null when hidden (kptr_restrict prints all-zero addresses). */
  readonly address: bigint | null;
  /** 0-based index in its object's kallsyms order. */
  readonly position: number;
  /** 1-based line in the source text file, null for ELF-derived tables. */
  readonly line: number | null;
  /** Known for ELF-derived tables. */
  readonly size: bigint | null;
  /** The STT_FILE block the symbol belongs to (vmlinux/module ELF), else null. */
  readonly file: string | null;
  /** Lies in an init section (freed after boot / after the module's init). */
  readonly init: boolean;
}

export interface KernelObject {
  readonly objname: string;
  readonly count: number;
  at(position: number): KernelSymbol;
  /** Positions of the symbols with exactly this full name, ascending. */
  positionsOf(name: string): readonly number[];
  nameAt(position: number): string;
  typeAt(position: number): string;
  /** Positions by the index's key of each name (the lookup rules' secondary indexes), built once. */
  indexBy(index: NameIndex): ReadonlyMap<string, readonly number[]>;
}

/** An index of names: each name's key (null: not indexed). The definition is the cache key. */
export interface NameIndex {
  readonly key: (name: string) => string | null;
}

export type KernelTableKind = "kallsyms" | "system-map" | "vmlinux" | "module";

export interface KernelTable {
  readonly source: { readonly kind: KernelTableKind; readonly path: string };
  readonly objects: ReadonlyMap<string, KernelObject>;
  readonly addressesHidden: boolean;
  /** Any `.llvm.` name in vmlinux: a clang ThinLTO kernel (design note §3). */
  readonly hasLlvmNames: boolean;
  readonly notes: readonly string[];
}

export const VMLINUX = "vmlinux";

/** The kernel's module name: basename without `.ko[.xz|.gz|.zst]`, `-` → `_` (kernel/module/main.c). */
export function normalizeModuleName(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return base.replace(/\.ko(\.(xz|gz|zst))?$/, "").replace(/-/g, "_");
}

const NO_ROW = -1;

/** FNV-1a over a name's bytes, as a non-negative 31-bit number (readers may compute it while scanning). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h & 0x7fffffff;
}

function objectHash(nameHash: number, obj: number): number {
  return Math.imul(nameHash ^ obj, 0x01000193) >>> 0;
}

/**
 * Column storage for every symbol of one table: names are byte ranges of one buffer (for a text
 * table, the file itself — no copy), other fields typed arrays; a hash index over (object, name
 * bytes) chains the rows of one name in insertion (= kallsyms) order. Rows become KernelSymbol
 * objects only when asked for.
 */
export class SymbolStore {
  readonly names: Buffer;
  readonly capacity: number;
  rows = 0;
  readonly nameStart: Uint32Array;
  readonly nameLen: Uint32Array;
  readonly type: Uint8Array;
  readonly addrHi: Uint32Array;
  readonly addrLo: Uint32Array;
  readonly line: Uint32Array;
  readonly obj: Uint16Array;
  readonly pos: Uint32Array;
  private readonly next: Int32Array;
  private readonly tail: Int32Array;
  private readonly rowHash: Uint32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Per-object symbol counts (position counters while filling). */
  readonly objCount: number[] = [];
  /** Optional columns of ELF-derived tables. */
  size: (bigint | null)[] | null = null;
  file: (string | null)[] | null = null;
  init: Uint8Array | null = null;

  constructor(names: Buffer, capacity: number) {
    this.names = names;
    this.capacity = capacity;
    this.nameStart = new Uint32Array(capacity);
    this.nameLen = new Uint32Array(capacity);
    this.type = new Uint8Array(capacity);
    this.addrHi = new Uint32Array(capacity);
    this.addrLo = new Uint32Array(capacity);
    this.line = new Uint32Array(capacity);
    this.obj = new Uint16Array(capacity);
    this.pos = new Uint32Array(capacity);
    this.next = new Int32Array(capacity);
    this.tail = new Int32Array(capacity);
    this.rowHash = new Uint32Array(capacity);
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** Appends one symbol; its position is the object's count so far. Returns the row. */
  add(
    obj: number,
    start: number,
    len: number,
    type: number,
    hi: number,
    lo: number,
    line: number,
    nameHash = -1,
  ): number {
    const row = this.rows++;
    this.nameStart[row] = start;
    this.nameLen[row] = len;
    this.type[row] = type;
    this.addrHi[row] = hi;
    this.addrLo[row] = lo;
    this.line[row] = line;
    this.obj[row] = obj;
    const position = this.objCount[obj] ?? 0;
    this.objCount[obj] = position + 1;
    this.pos[row] = position;
    this.next[row] = NO_ROW;
    const h = objectHash(nameHash >= 0 ? nameHash : hashBytes(this.names, start, start + len), obj);
    this.rowHash[row] = h;
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const head = slots[s]! - 1;
      if (head === NO_ROW) {
        slots[s] = row + 1;
        this.tail[row] = row;
        return row;
      }
      if (this.rowHash[head] === h && this.obj[head] === obj && this.sameName(head, start, len)) {
        const last = this.tail[head]!;
        this.next[last] = row;
        this.tail[head] = row;
        return row;
      }
      s = (s + 1) & mask;
    }
  }

  private sameName(row: number, start: number, len: number): boolean {
    if (this.nameLen[row] !== len) return false;
    const names = this.names;
    const other = this.nameStart[row]!;
    for (let i = 0; i < len; i++) if (names[other + i] !== names[start + i]) return false;
    return true;
  }

  /** Rows of one object whose name equals `name`, in order. */
  rowsNamed(obj: number, name: string): number[] {
    const bytes = Buffer.from(name, "utf8");
    const h = objectHash(hashBytes(bytes, 0, bytes.length), obj);
    let s = h & this.mask;
    const names = this.names;
    for (;;) {
      const head = this.slots[s]! - 1;
      if (head === NO_ROW) return [];
      if (this.rowHash[head] === h && this.obj[head] === obj && this.nameLen[head] === bytes.length) {
        const start = this.nameStart[head]!;
        let same = true;
        for (let i = 0; i < bytes.length; i++) {
          if (names[start + i] !== bytes[i]) {
            same = false;
            break;
          }
        }
        if (same) {
          const out: number[] = [];
          for (let r = head; r !== NO_ROW; r = this.next[r]!) out.push(r);
          return out;
        }
      }
      s = (s + 1) & this.mask;
    }
  }

  nameOf(row: number): string {
    const start = this.nameStart[row]!;
    return this.names.toString("utf8", start, start + this.nameLen[row]!);
  }

  addressOf(row: number): bigint {
    return (BigInt(this.addrHi[row]!) << 32n) | BigInt(this.addrLo[row]!);
  }
}

/** One object's view of a store: its rows in kallsyms order. */
class StoredObject implements KernelObject {
  readonly objname: string;
  readonly count: number;
  private readonly store: SymbolStore;
  private readonly id: number;
  private readonly rows: Int32Array;
  private readonly hidden: boolean;
  private readonly indexes = new Map<NameIndex, Map<string, number[]>>();
  /** positionsOf's answers for names of several symbols: the evidence asks once per candidate. */
  private readonly positions = new Map<string, readonly number[]>();

  private readonly initText: readonly [bigint, bigint] | null;

  constructor(
    store: SymbolStore,
    id: number,
    objname: string,
    rows: Int32Array,
    hidden: boolean,
    initText: readonly [bigint, bigint] | null,
  ) {
    this.initText = initText;
    this.store = store;
    this.id = id;
    this.objname = objname;
    this.rows = rows;
    this.count = rows.length;
    this.hidden = hidden;
  }

  private row(position: number): number {
    const row = this.rows[position];
    if (row === undefined || position < 0)
      throw new RangeError(`${this.objname}: no symbol at position ${position}`);
    return row;
  }

  at(position: number): KernelSymbol {
    const s = this.store;
    const row = this.row(position);
    const line = s.line[row]!;
    return {
      objname: this.objname,
      name: s.nameOf(row),
      type: String.fromCharCode(s.type[row]!),
      address: this.hidden ? null : s.addressOf(row),
      position,
      line: line === 0 ? null : line,
      size: s.size?.[row] ?? null,
      file: s.file?.[row] ?? null,
      init: s.init !== null ? s.init[row] === 1 : this.inInitText(row),
    };
  }

  private inInitText(row: number): boolean {
    if (this.initText === null) return false;
    const address = this.store.addressOf(row);
    return address >= this.initText[0] && address < this.initText[1];
  }

  positionsOf(name: string): readonly number[] {
    let found = this.positions.get(name);
    if (found === undefined) {
      const rows = this.store.rowsNamed(this.id, name);
      for (let i = 0; i < rows.length; i++) rows[i] = this.store.pos[rows[i]!]!;
      found = rows;
      // a hash probe is cheap: keeping every answer held an array per name of the table
      if (rows.length > 1) this.positions.set(name, found);
    }
    return found;
  }

  nameAt(position: number): string {
    return this.store.nameOf(this.row(position));
  }

  typeAt(position: number): string {
    return String.fromCharCode(this.store.type[this.row(position)]!);
  }

  indexBy(definition: NameIndex): ReadonlyMap<string, readonly number[]> {
    let index = this.indexes.get(definition);
    if (index === undefined) {
      index = new Map();
      for (let p = 0; p < this.count; p++) {
        const k = definition.key(this.nameAt(p));
        if (k === null) continue;
        const list = index.get(k);
        if (list === undefined) index.set(k, [p]);
        else list.push(p);
      }
      this.indexes.set(definition, index);
    }
    return index;
  }
}

/** Splits a filled store into its objects (ids index `objnames`), dropping empty ones. */
export function objectsOf(
  store: SymbolStore,
  objnames: readonly string[],
  hidden: boolean,
  vmlinuxInitText: readonly [bigint, bigint] | null = null,
  keepEmpty = false,
): ReadonlyMap<string, KernelObject> {
  const rowsByObj = objnames.map((_, id) => new Int32Array(store.objCount[id] ?? 0));
  for (let row = 0; row < store.rows; row++) rowsByObj[store.obj[row]!]![store.pos[row]!] = row;
  const objects = new Map<string, KernelObject>();
  objnames.forEach((name, id) => {
    const rows = rowsByObj[id]!;
    if (rows.length > 0 || keepEmpty)
      objects.set(
        name,
        new StoredObject(store, id, name, rows, hidden, name === VMLINUX ? vmlinuxInitText : null),
      );
  });
  return objects;
}

/** A symbol as an ELF-derived reader produces it, before it joins a table. */
export interface SymbolEntry {
  readonly name: string;
  readonly type: string;
  readonly address: bigint;
  readonly size: bigint | null;
  readonly file: string | null;
  readonly init: boolean;
}

/** Builds the objects of a table from ordered entry lists (ELF-derived sources). */
export function objectsFromEntries(
  lists: ReadonlyMap<string, readonly SymbolEntry[]>,
  addressesHidden = false,
): ReadonlyMap<string, KernelObject> {
  const all = [...lists.values()];
  const total = all.reduce((n, l) => n + l.length, 0);
  const names = Buffer.from(all.map((l) => l.map((e) => e.name).join("")).join(""), "utf8");
  const store = new SymbolStore(names, total);
  const sizes: (bigint | null)[] = [];
  const files: (string | null)[] = [];
  const init = new Uint8Array(total);
  store.size = sizes;
  store.file = files;
  store.init = init;
  const objnames = [...lists.keys()];
  let offset = 0;
  objnames.forEach((objname, id) => {
    store.objCount[id] = 0;
    for (const e of lists.get(objname)!) {
      const len = Buffer.byteLength(e.name, "utf8");
      const row = store.add(
        id,
        offset,
        len,
        e.type.charCodeAt(0),
        Number(e.address >> 32n),
        Number(e.address & 0xffffffffn),
        0,
      );
      offset += len;
      sizes.push(e.size);
      files.push(e.file);
      init[row] = e.init ? 1 : 0;
    }
  });
  // a list given is an object, even an empty one (a .ko that keeps no symbols after init)
  return objectsOf(store, objnames, addressesHidden, null, true);
}

/** An object's symbols as entries, in order (hidden addresses read as 0). */
export function entriesOf(obj: KernelObject): SymbolEntry[] {
  const out: SymbolEntry[] = [];
  for (let p = 0; p < obj.count; p++) {
    const s = obj.at(p);
    out.push({
      name: s.name,
      type: s.type,
      address: s.address ?? 0n,
      size: s.size,
      file: s.file,
      init: s.init,
    });
  }
  return out;
}
