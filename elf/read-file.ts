// readElfFile: reads an ELF file from disk, decompressing .xz / .zst / .gz modules on the way.
import { readFile } from "node:fs";
import { ElfFormatError } from "./errors.js";
import { readElf } from "./file.js";
import type { ElfFile } from "./types.js";

type Compression = "xz" | "zstd" | "gzip" | null;

/** Which compressor wrote the bytes, by their magic number (and not by the file name). */
export function compressionOf(bytes: Uint8Array): Compression {
  const b = bytes;
  // xz: FD 37 7A 58 5A 00 (xz file format spec, "Stream Header").
  if (
    b.length >= 6 &&
    b[0] === 0xfd &&
    b[1] === 0x37 &&
    b[2] === 0x7a &&
    b[3] === 0x58 &&
    b[4] === 0x5a &&
    b[5] === 0
  )
    return "xz";
  // zstd frame: 28 B5 2F FD (RFC 8878).
  if (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return "zstd";
  // gzip: 1F 8B (RFC 1952).
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return "gzip";
  return null;
}

/** Reads and parses an ELF file; compressed files (.ko.xz, .ko.zst, .ko.gz) are decompressed first. */
export async function readElfFile(path: string): Promise<ElfFile> {
  return elfFromFileContents(path, await readFileNamed(path));
}

/** The file's bytes; an fs error names the file. */
async function readFileNamed(path: string): Promise<Uint8Array> {
  try {
    return await readBytes(path);
  } catch (error) {
    // some fs errors (EISDIR) carry no path: add it, so the one-line error names the file
    if (error instanceof Error && "code" in error && !("path" in error)) Object.assign(error, { path });
    throw error;
  }
}

/** The file's bytes. node:fs, not node:fs/promises: the CLI would load a module for it. */
function readBytes(path: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // `-` and /dev/stdin: file descriptor 0, which opens even when it is a socket
    const source = path === "-" || path === "/dev/stdin" ? 0 : path;
    readFile(source, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}

/**
 * Parses the contents of the file at `path` as readElfFile does once it has read them
 * (decompressing them first when they are compressed), for callers that read the file themselves.
 */
export async function elfFromFileContents(path: string, raw: Uint8Array): Promise<ElfFile> {
  const bytes = await decompress(path, raw);
  const kind = bytes === raw ? null : compressionOf(raw);
  try {
    return readElf(bytes, { path });
  } catch (error) {
    // Say where the bad bytes came from when they came out of a decompressor.
    if (kind !== null && error instanceof ElfFormatError) {
      throw new ElfFormatError(path, `${error.reason} (in its ${kind}-decompressed contents)`);
    }
    throw error;
  }
}

/** The file's bytes, decompressed when they are xz, zstd or gzip data; unchanged otherwise. */
export async function decompress(path: string, raw: Uint8Array): Promise<Uint8Array> {
  const kind = compressionOf(raw);
  if (kind === null) return raw;
  if (kind === "gzip") {
    // Loaded only for gzip data: most files are not compressed, and every module loaded costs start-up time.
    const { gunzipSync } = await import("node:zlib");
    try {
      return gunzipSync(raw);
    } catch (error) {
      throw new ElfFormatError(path, `gzip data could not be decompressed: ${(error as Error).message}`);
    }
  }
  const tool = kind;
  const { execa } = await import("execa");
  let result: { stdout: Uint8Array; stderr: string; exitCode?: number; failed: boolean; code?: string };
  try {
    result = (await execa(tool, ["-dc"], {
      input: raw,
      encoding: "buffer",
      stderr: "pipe",
      reject: false,
      maxBuffer: 1 << 30,
      stripFinalNewline: false,
    })) as unknown as typeof result;
  } catch (error) {
    throw toolError(path, tool, error);
  }
  if (result.code === "ENOENT") throw toolError(path, tool, result);
  if (result.failed) {
    const stderr =
      Buffer.from(result.stderr as unknown as Uint8Array)
        .toString("utf8")
        .trim()
        .split("\n")[0] ?? "";
    throw new ElfFormatError(
      path,
      `${tool} -dc could not decompress it${result.exitCode !== undefined ? ` (exit ${result.exitCode})` : ""}${stderr ? `: ${stderr}` : ""}`,
    );
  }
  return result.stdout;
}

function toolError(path: string, tool: string, error: unknown): ElfFormatError {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") {
    return new ElfFormatError(
      path,
      `is ${tool}-compressed, and the '${tool}' program needed to decompress it was not found on PATH`,
    );
  }
  return new ElfFormatError(path, `running '${tool} -dc' failed: ${(error as Error).message}`);
}

/** An ELF reader that reads and parses each path once: for runs that use one file in several ways. */
export interface CachedElfReader {
  (path: string): Promise<ElfFile>;
  /**
   * The bytes of a file this reader has read, as they are on disk (a compressed module's before
   * decompression), e.g. to hash them; undefined for a path it has not been asked for.
   */
  fileBytes(path: string): Promise<Uint8Array> | undefined;
  /**
   * A file that is not ELF (a symbol table's text), read once with `readRaw` and kept like the
   * ELF files: fileBytes then gives the bytes that were parsed.
   */
  bytes(path: string, readRaw: (path: string) => Promise<Uint8Array>): Promise<Uint8Array>;
}

export function cachedElfReader(): CachedElfReader {
  const read = new Map<string, { raw: Promise<Uint8Array>; file?: Promise<ElfFile> }>();
  const entry = (path: string, readRaw: (path: string) => Promise<Uint8Array>) => {
    let e = read.get(path);
    if (e === undefined) {
      const raw = readRaw(path);
      // a failed read is reported to whoever asks for it; kept alone it must not be an unhandled rejection
      raw.catch(() => {});
      e = { raw };
      read.set(path, e);
    }
    return e;
  };
  const reader = (path: string): Promise<ElfFile> => {
    const e = entry(path, readFileNamed);
    e.file ??= e.raw.then((bytes) => elfFromFileContents(path, bytes));
    return e.file;
  };
  return Object.assign(reader, {
    fileBytes: (path: string) => read.get(path)?.raw,
    bytes: (path: string, readRaw: (path: string) => Promise<Uint8Array>) => entry(path, readRaw).raw,
  });
}
