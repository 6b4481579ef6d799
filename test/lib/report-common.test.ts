import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  emitReport,
  escapeMarkdownCell,
  escapeXml,
  githubAnnotation,
  markdownCode,
  markdownTable,
  parseFailOn,
  stableStringify,
  textTable,
  useColor,
} from "../../lib/report/common.js";

describe("report common", () => {
  it("stableStringify sorts keys at every depth, writes bigint as hex and drops undefined", () => {
    const a = stableStringify({ b: 1, a: { z: 10n, y: undefined, x: [3n, { d: 1, c: 2 }] } });
    const b = stableStringify({ a: { x: [3n, { c: 2, d: 1 }], z: 10n }, b: 1 });
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual({ a: { x: ["0x3", { c: 2, d: 1 }], z: "0xa" }, b: 1 });
    expect(a.endsWith("}\n")).toBe(true);
    expect(a.indexOf('"a"')).toBeLessThan(a.indexOf('"b"'));
  });

  it("escapeXml escapes markup and drops characters XML forbids", () => {
    expect(escapeXml(`a<b>&"c'\u0001`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
  });

  it("githubAnnotation escapes data and properties; info becomes a notice", () => {
    expect(githubAnnotation("error", "AMBIGUOUS: a,b", "50%\nnext", "x:y.o")).toBe(
      "::error file=x%3Ay.o,title=AMBIGUOUS%3A a%2Cb::50%25%0Anext\n",
    );
    expect(githubAnnotation("info", "", "m")).toBe("::notice::m\n");
  });

  it("tables: markdown cells can't break the table; text columns align", () => {
    expect(escapeMarkdownCell("a|b\nc")).toBe("a\\|b<br>c");
    expect(markdownTable(["h1", "h2"], [["x|y", "z"]])).toBe("| h1 | h2 |\n|---|---|\n| x\\|y | z |\n");
    expect(
      textTable(
        ["name", "n"],
        [
          ["init_once", "1"],
          ["f", "12"],
        ],
      ),
    ).toBe("name       n\n---------  --\ninit_once  1\nf          12\n");
    expect(markdownCode("a`b")).toBe("``a`b``");
  });

  it("parseFailOn accepts severities and none, refuses others as input errors", () => {
    expect(parseFailOn("warning")).toBe("warning");
    expect(parseFailOn("NONE")).toBe("none");
    expect(() => parseFailOn("fatal")).toThrow(/--fail-on: expected one of error, warning, info, none/);
  });

  it("emitReport writes the whole file and leaves no temporary behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "klpmatch-report-"));
    const out = join(dir, "r.json");
    await emitReport("first\n", out);
    await emitReport("second\n", out);
    expect(await readFile(out, "utf8")).toBe("second\n");
    expect(await readdir(dir)).toEqual(["r.json"]);
  });

  it("useColor: a TTY without NO_COLOR only (https://no-color.org)", () => {
    const saved = process.env.NO_COLOR;
    try {
      delete process.env.NO_COLOR;
      expect(useColor({ isTTY: true })).toBe(true);
      expect(useColor({ isTTY: false })).toBe(false);
      process.env.NO_COLOR = "1";
      expect(useColor({ isTTY: true })).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});
