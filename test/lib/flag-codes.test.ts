// The flag-code registry is the one source of the README's flags table: each code once, with its
// severities, the commands raising it and its meaning.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FLAG_CODES, type FlagCodeInfo, severitiesOf } from "../../lib/report/flag-codes.js";
import { ROOT } from "../paths.js";

function row(code: string, info: FlagCodeInfo): string {
  const cells = [`\`${code}\``, severitiesOf(info).join(" / "), info.raisedBy.join(", "), info.meaning];
  return `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
}

describe("flag codes", () => {
  it("the README's ## Flags table is the registry, row for row", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("\n## Flags\n"));
    const lines = section.slice(section.indexOf("\n| code |") + 1).split("\n");
    const table = lines.slice(
      0,
      lines.findIndex((l) => !l.startsWith("|")),
    );
    const expected = [
      "| code | severity | raised by | meaning |",
      "|---|---|---|---|",
      ...Object.entries(FLAG_CODES as Record<string, FlagCodeInfo>).map(([code, info]) => row(code, info)),
    ];
    expect(table).toEqual(expected);
  });

  it("every code is raised by some command, at its own severity first", () => {
    for (const [code, info] of Object.entries(FLAG_CODES as Record<string, FlagCodeInfo>)) {
      expect(info.raisedBy.length, code).toBeGreaterThan(0);
      expect(new Set(severitiesOf(info)).size, code).toBe(severitiesOf(info).length);
    }
  });
});
