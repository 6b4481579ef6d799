// `nm -n` output as it comes: undefined symbols (blanks for the address) are skipped, and counted.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSymbolText, readKallsyms } from "../../lib/kallsyms.js";
import { VMLINUX } from "../../lib/kernel-table.js";
import { isNmUndefinedLine } from "../../lib/nm-undefined.js";
import { FIXTURES } from "../paths.js";

describe("nm undefined symbols", () => {
  it("skips the U lines of real nm -n output and says how many", async () => {
    const t = await readKallsyms(join(FIXTURES, "kpatch-tree", "nm-core.txt"));
    const names = Array.from({ length: t.objects.get(VMLINUX)!.count }, (_, i) =>
      t.objects.get(VMLINUX)!.nameAt(i),
    );
    expect(names).toEqual(["core_counter", "dupname", "core_api"]);
    expect(t.notes).toContain(
      "skipped 1 undefined symbol(s) without an address (nm 'U'/'w' lines: no symbol of the kernel)",
    );
  });

  it("recognizes U, w and v lines only", () => {
    const line = (s: string) => isNmUndefinedLine(Buffer.from(s), 0, s.length);
    expect(line("                 U __fentry__")).toBe(true);
    expect(line("         w weak_ref")).toBe(true);
    expect(line("                 v weak_obj")).toBe(true);
    expect(line("U __fentry__")).toBe(false);
    expect(line("                 T text")).toBe(false);
    expect(line("                 U ")).toBe(false);
  });

  it("other lines without an address are still an error naming the line", () => {
    expect(() => parseSymbolText(Buffer.from("ffffffff81000000 T a\n  T b\n"), "ks", "kallsyms")).toThrow(
      "ks: line 2: missing address",
    );
  });
});
