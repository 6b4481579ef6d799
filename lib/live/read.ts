// Reading a live system's files under a root directory ("/" for the running host, a snapshot
// directory for a captured one): every read gives the data or one line saying why it could not,
// naming the file — never a thrown error.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileErrorText } from "../input-error.js";

/** A value read from the live system, or why it could not be read. */
export type LiveRead<T> =
  | { readonly ok: true; readonly path: string; readonly value: T }
  | { readonly ok: false; readonly path: string; readonly reason: string; readonly missing: boolean };

/** The paths a live reading used, in the order read: what `klpmatch snapshot` copies. */
export class LiveRoot {
  readonly root: string;
  /** Paths relative to the root ("proc/kallsyms") that were read successfully. */
  readonly filesRead: string[] = [];
  /** Directories that were listed (their existence matters even when empty: livepatch func dirs). */
  readonly dirsListed: string[] = [];

  constructor(root: string) {
    this.root = root;
  }

  /** The path as the report shows it: the guest path under "/", else root-joined. */
  shown(rel: string): string {
    return join(this.root, rel);
  }

  /** Records a file read by other means (an ELF reader): snapshots copy it too. */
  noteRead(rel: string): void {
    if (!this.filesRead.includes(rel)) this.filesRead.push(rel);
  }

  async bytes(rel: string): Promise<LiveRead<Buffer>> {
    const path = this.shown(rel);
    try {
      const value = await readFile(path);
      this.noteRead(rel);
      return { ok: true, path, value };
    } catch (error) {
      return failure(path, error);
    }
  }

  async text(rel: string): Promise<LiveRead<string>> {
    const r = await this.bytes(rel);
    return r.ok ? { ok: true, path: r.path, value: r.value.toString("utf8") } : r;
  }

  /** A one-line file (sysfs attribute, proc sysctl), trimmed. */
  async line(rel: string): Promise<LiveRead<string>> {
    const r = await this.text(rel);
    return r.ok ? { ok: true, path: r.path, value: r.value.trim() } : r;
  }

  /** Directory entries, sorted; `dirs`: only subdirectories. */
  async list(rel: string, dirs = false): Promise<LiveRead<string[]>> {
    const path = this.shown(rel);
    try {
      const entries = await readdir(path, { withFileTypes: true });
      this.dirsListed.push(rel);
      const names = entries.filter((e) => !dirs || e.isDirectory()).map((e) => e.name);
      return { ok: true, path, value: names.sort() };
    } catch (error) {
      return failure(path, error);
    }
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await stat(this.shown(rel));
      return true;
    } catch {
      return false;
    }
  }
}

function failure(path: string, error: unknown): LiveRead<never> {
  const code = (error as { code?: string }).code ?? "";
  const reason = code !== "" ? fileErrorText(code) : (error as Error).message;
  return { ok: false, path, reason, missing: code === "ENOENT" || code === "ENOTDIR" };
}

/** The one line for a failed read: `path: reason`. */
export function readError(r: { readonly path: string; readonly reason: string }): string {
  return `${r.path}: ${r.reason}`;
}
