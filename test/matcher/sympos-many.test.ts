// positionOf over many same-named symbols (issue 14): each symbol's old_sympos is its 1-based rank
// among the names the rule compares equal, found by binary search over one shared positions list.
import { describe, expect, it } from "vitest";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { positionOf, positionsByRule } from "../../matcher/sympos.js";

function table(lines: string[]) {
  return parseSymbolText(Buffer.from(`${lines.join("\n")}\n`), "many.txt", "kallsyms");
}

describe("positionOf with thousands of same-named symbols", () => {
  it("gives every copy its rank, with other names between them, exact and ThinLTO-suffixed", () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const address = (0xffffffff81000000n + BigInt(i) * 0x40n).toString(16);
      // every third copy carries a .llvm. suffix: under llvm-stripped it still counts as `helper`
      lines.push(i % 3 === 2 ? `${address} t helper.llvm.${i}` : `${address} t helper`);
      lines.push(`${(0xffffffff81000020n + BigInt(i) * 0x40n).toString(16)} t other_${i}`);
    }
    const t = table(lines);
    const obj = t.objects.get("vmlinux")!;
    const exact = positionsByRule(obj, "helper", "exact");
    expect(exact).toHaveLength(2000);
    exact.forEach((position, rank) => {
      expect(positionOf(t, obj.at(position), "exact")).toMatchObject({
        ok: true,
        oldName: "helper",
        oldSympos: rank + 1,
      });
    });
    const stripped = positionsByRule(obj, "helper", "llvm-stripped");
    expect(stripped).toHaveLength(3000);
    for (const rank of [0, 1, 2, 1499, 2999]) {
      const symbol = obj.at(stripped[rank]!);
      expect(positionOf(t, symbol, "llvm-stripped")).toMatchObject({ ok: true, oldSympos: rank + 1 });
    }
    // a copy handed out is the caller's: changing it leaves the shared list as it was
    exact.length = 0;
    expect(positionsByRule(obj, "helper", "exact")).toHaveLength(2000);
  });
});
