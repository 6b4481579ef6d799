// File names that are not UTF-8. Node decodes the command line as UTF-8, so such a name arrives
// with U+FFFD in place of its bad bytes and names no file. A name that does not exist and holds
// U+FFFD is looked up byte-wise, component by component: when exactly one directory entry decodes
// to each component, the file is opened by its bytes and named by its descriptor (/dev/fd/N).
import { existsSync, openSync, readdirSync } from "node:fs";

const REPLACEMENT = "\ufffd";

/** The entry of `dir` whose UTF-8 decoding is `name`, as bytes; null when none or several. */
function entryBytes(dir: Buffer, name: string): Buffer | null {
  let entries: Buffer[];
  try {
    entries = readdirSync(dir, { encoding: "buffer" });
  } catch {
    return null;
  }
  const found = entries.filter((e) => e.toString("utf8") === name);
  return found.length === 1 ? found[0]! : null;
}

/** The bytes of the path `arg` was decoded from, or null when there is no one such path. */
function pathBytes(arg: string): Buffer | null {
  const absolute = arg.startsWith("/");
  let current = Buffer.from(absolute ? "/" : ".");
  for (const part of arg.split("/").filter((p) => p !== "")) {
    const bytes = part.includes(REPLACEMENT) ? entryBytes(current, part) : Buffer.from(part);
    if (bytes === null) return null;
    current = Buffer.concat([current, Buffer.from(current[current.length - 1] === 0x2f ? "" : "/"), bytes]);
  }
  return current;
}

/** `arg`, or for a non-UTF-8 name that exists, /dev/fd/N of the file opened by its bytes. */
function reachableArgument(arg: string): string {
  if (!arg.includes(REPLACEMENT) || existsSync(arg)) return arg;
  const bytes = pathBytes(arg);
  if (bytes === null || !existsSync(bytes)) return arg;
  try {
    return `/dev/fd/${openSync(bytes, "r")}`;
  } catch {
    return arg;
  }
}

/** Every argument (and `--option=value` value) passed through reachableArgument. */
export function reachableArguments(args: readonly string[]): string[] {
  return args.map((arg) => {
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    return eq < 0 ? reachableArgument(arg) : `${arg.slice(0, eq + 1)}${reachableArgument(arg.slice(eq + 1))}`;
  });
}
