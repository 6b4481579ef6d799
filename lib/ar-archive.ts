// The member names of an `ar` archive, thin (`!<thin>`, what kbuild makes of vmlinux.a and every
// built-in.a: scripts/Makefile.vmlinux_a, scripts/Makefile.build `ar cDPrST`) or regular.

const MAGIC = "!<arch>\n";
const THIN_MAGIC = "!<thin>\n";
const HEADER = 60;

export interface ArMembers {
  readonly thin: boolean;
  /** Member names in archive order, as stored (thin archives: paths relative to the archive's directory). */
  readonly names: readonly string[];
}

/** null when the bytes are not an ar archive; throws a plain Error on a truncated one. */
export function arMembers(bytes: Uint8Array): ArMembers | null {
  const head = Buffer.from(bytes.subarray(0, 8)).toString("latin1");
  if (head !== MAGIC && head !== THIN_MAGIC) return null;
  const thin = head === THIN_MAGIC;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const names: string[] = [];
  let longNames = "";
  let off = 8;
  while (off + HEADER <= buf.length) {
    const rawName = buf.toString("latin1", off, off + 16).trimEnd();
    const size = Number.parseInt(buf.toString("latin1", off + 48, off + 58).trim(), 10);
    if (!Number.isFinite(size) || buf.toString("latin1", off + 58, off + 60) !== "`\n") {
      throw new Error(`bad ar member header at byte ${off}`);
    }
    const data = off + HEADER;
    // the symbol table ("/", "/SYM64/") and the long-name table ("//") keep their data in thin archives too
    const special = rawName === "/" || rawName === "//" || rawName === "/SYM64/";
    if (rawName === "//") longNames = buf.toString("latin1", data, data + size);
    else if (!special) names.push(memberName(rawName, longNames));
    const stored = special || !thin ? size : 0;
    off = data + stored + (stored % 2);
  }
  return { thin, names };
}

function memberName(raw: string, longNames: string): string {
  const long = /^\/(\d+)$/.exec(raw);
  if (long !== null) {
    const start = Number(long[1]);
    const end = longNames.indexOf("\n", start);
    return longNames.slice(start, end < 0 ? undefined : end).replace(/\/$/, "");
  }
  return raw.replace(/\/$/, "");
}
