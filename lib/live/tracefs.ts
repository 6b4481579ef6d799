// tracefs: the functions ftrace can attach to — exactly those klp_patch_func() can patch
// (kernel/livepatch/patch.c: no ftrace location → "failed to find location for function").
// kernel/trace/ftrace.c t_show(): available_filter_functions prints one record per line as "%ps"
// (`name` or `name [module]`); available_filter_functions_addrs (6.5+) prefixes "%lx " (the call
// site's address).
import { VMLINUX } from "../kernel-table.js";
import type { LiveRead, LiveRoot } from "./read.js";

/** Where tracefs is mounted: /sys/kernel/tracing, or under debugfs on older systems. */
const TRACEFS_DIRS = ["sys/kernel/tracing", "sys/kernel/debug/tracing"] as const;

export interface FilterObject {
  /** How many ftrace records carry each name. */
  readonly names: Map<string, number>;
  /** The records' addresses, ascending (from available_filter_functions_addrs), else null. */
  readonly sites: BigUint64Array | null;
}

export interface FilterFunctions {
  readonly path: string;
  readonly withAddresses: boolean;
  readonly objects: ReadonlyMap<string, FilterObject>;
}

/** Parses either list: `[addr ]name[ [module]]` lines. */
export function parseFilterFunctions(text: string, path: string, withAddresses: boolean): FilterFunctions {
  const names = new Map<string, Map<string, number>>();
  const sites = new Map<string, bigint[]>();
  for (const raw of text.split("\n")) {
    let line = raw.trim();
    if (line === "") continue;
    let address: bigint | null = null;
    if (withAddresses) {
      const sp = line.indexOf(" ");
      if (sp < 0 || !/^[0-9a-f]+$/i.test(line.slice(0, sp))) continue;
      address = BigInt(`0x${line.slice(0, sp)}`);
      line = line.slice(sp + 1).trim();
    }
    const m = /^(\S+)(?:\s+\[([^\]]+)\])?$/.exec(line);
    if (m === null) continue;
    const objname = m[2] ?? VMLINUX;
    let byName = names.get(objname);
    if (byName === undefined) {
      byName = new Map();
      names.set(objname, byName);
    }
    byName.set(m[1]!, (byName.get(m[1]!) ?? 0) + 1);
    if (address !== null && address !== 0n) {
      let list = sites.get(objname);
      if (list === undefined) {
        list = [];
        sites.set(objname, list);
      }
      list.push(address);
    }
  }
  const objects = new Map<string, FilterObject>();
  for (const [objname, byName] of names) {
    const list = sites.get(objname);
    objects.set(objname, {
      names: byName,
      sites: withAddresses && list !== undefined ? BigUint64Array.from(list).sort() : null,
    });
  }
  return { path, withAddresses: withAddresses && sites.size > 0, objects };
}

/** The filter-function list, with addresses where the kernel has them and they are not hidden. */
export async function readFilterFunctions(root: LiveRoot): Promise<LiveRead<FilterFunctions>> {
  const tried: string[] = [];
  for (const dir of TRACEFS_DIRS) {
    const addrs = await root.text(`${dir}/available_filter_functions_addrs`);
    if (addrs.ok)
      return { ok: true, path: addrs.path, value: parseFilterFunctions(addrs.value, addrs.path, true) };
    const plain = await root.text(`${dir}/available_filter_functions`);
    if (plain.ok)
      return { ok: true, path: plain.path, value: parseFilterFunctions(plain.value, plain.path, false) };
    if (!plain.missing) return plain;
    tried.push(plain.path);
  }
  return {
    ok: false,
    path: tried[0] ?? TRACEFS_DIRS[0],
    reason: `no such file: tracefs is not mounted there (nor ${tried.slice(1).join(", ")}); mount it with 'mount -t tracefs nodev /sys/kernel/tracing'`,
    missing: true,
  };
}
