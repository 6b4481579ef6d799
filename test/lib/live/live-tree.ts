// Copies of fixtures/live/root for the states the tree itself does not hold: each test changes one
// thing (a transition in progress, zero addresses, no tracefs) in its own copy.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES } from "../../paths.js";

export const LIVE = join(FIXTURES, "live");
export const LIVE_ROOT = join(LIVE, "root");

/** A fresh copy of the fixture root, changed by `edit` (paths relative to the copy). */
export function liveCopy(edit: (at: (rel: string) => string) => void = () => {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), "klpmatch-live-")), "root");
  cpSync(LIVE_ROOT, dir, { recursive: true });
  edit((rel) => join(dir, rel));
  return dir;
}

/** As a non-root reader sees /proc/kallsyms (kernel/kallsyms.c: zero addresses without CAP_SYSLOG),
 * with tracefs not readable (mode 0700 in the kernel): here removed. */
export function nonRootCopy(): string {
  return liveCopy((at) => {
    const zeroed = `${[
      ["T", "_stext"],
      ["t", "fxl_show"],
      ["t", "fxl_dup"],
      ["t", "fxl_dup"],
      ["T", "fxl_notrace"],
      ["T", "fxl_fixed"],
      ["T", "fxl_other"],
      ["T", "_etext"],
      ["D", "fxl_data"],
    ]
      .map(([t, n]) => `0000000000000000 ${t} ${n}`)
      .join("\n")}\n0000000000000000 t lp_replacement\t[lp_old]\n`;
    writeFileSync(at("proc/kallsyms"), zeroed);
    writeFileSync(at("proc/modules"), "lp_old 12288 1 - Live 0x0000000000000000 (OK)\n");
    rmSync(at("sys/kernel/tracing"), { recursive: true });
  });
}
