// The match report formats and the JSON Schema that ships with the package: real reports of the
// fixture builds must validate, and the schema's flag codes are exactly the code list.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codesRaisedBy } from "../../lib/report/flag-codes.js";
import { compareWithBaseline } from "../../lib/report/match-baseline.js";
import { renderMatchReport } from "../../lib/report/match-render.js";
import type { MatchReport } from "../../lib/report/match-report.js";
import { matchPatch } from "../../pipeline/match.js";
import { FIXTURES, ROOT } from "../paths.js";

type Schema = Record<string, unknown>;

/** A validator for the JSON Schema subset the report schema uses. Returns the errors found. */
function validate(schema: Schema, value: unknown, root: Schema, at = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const def = (root.$defs as Record<string, Schema>)[schema.$ref.replace("#/$defs/", "")]!;
    return validate(def, value, root, at);
  }
  if (Array.isArray(schema.oneOf)) {
    const passing = (schema.oneOf as Schema[]).filter((s) => validate(s, value, root, at).length === 0);
    return passing.length === 1 ? [] : [`${at}: matches ${passing.length} of oneOf`];
  }
  const errors: string[] = [];
  if ("const" in schema && value !== schema.const) errors.push(`${at}: not ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${at}: ${String(value)} not in enum`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual =
      value === null
        ? "null"
        : Array.isArray(value)
          ? "array"
          : Number.isInteger(value)
            ? "integer"
            : typeof value;
    const ok = types.some((t) => t === actual || (t === "number" && actual === "integer"));
    if (!ok) return [`${at}: ${actual} is not ${types.join("|")}`];
  }
  if (
    typeof value === "string" &&
    typeof schema.pattern === "string" &&
    !new RegExp(schema.pattern).test(value)
  ) {
    errors.push(`${at}: '${value}' does not match ${schema.pattern}`);
  }
  if (typeof value === "number" && typeof schema.minimum === "number" && value < schema.minimum) {
    errors.push(`${at}: below minimum`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((v, i) => {
      errors.push(...validate(schema.items as Schema, v, root, `${at}[${i}]`));
    });
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in obj)) errors.push(`${at}: missing ${key}`);
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(obj)) {
      if (props[key] !== undefined) errors.push(...validate(props[key]!, v, root, `${at}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: unexpected ${key}`);
    }
  }
  return errors;
}

const M = join(FIXTURES, "match");
const schema = JSON.parse(await readFile(join(ROOT, "schema/report.schema.json"), "utf8")) as Schema;

async function reports(): Promise<Record<string, MatchReport>> {
  return {
    demo: await matchPatch({
      orig: join(M, "gcc/orig"),
      patched: join(M, "gcc/patched"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
    }),
    twin: await matchPatch({
      orig: join(M, "gcc/orig/e.o"),
      patched: join(M, "gcc/patched-twin/e.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
    }),
    clang: await matchPatch({
      orig: join(M, "clang/orig"),
      patched: join(M, "clang/patched"),
      kallsyms: join(M, "clang/kallsyms.txt"),
    }),
    module: await matchPatch({
      orig: join(M, "module/orig"),
      patched: join(M, "module/patched"),
      kallsyms: join(M, "module/kallsyms.txt"),
    }),
    notLoaded: await matchPatch({
      orig: join(M, "gcc/orig/b.o"),
      patched: join(M, "gcc/patched/b.o"),
      kallsyms: join(M, "gcc/kallsyms.txt"),
      objname: "absent",
    }),
  };
}

const all = await reports();

describe("report.schema.json", () => {
  it("every fixture report's JSON validates", () => {
    for (const [name, report] of Object.entries(all)) {
      const json = JSON.parse(renderMatchReport(report, "json")) as unknown;
      expect(validate(schema, json, schema), name).toEqual([]);
    }
  });

  it("rejects what it should (a wrong pair shape, an unknown flag code)", () => {
    const json = JSON.parse(renderMatchReport(all.demo!, "json")) as {
      objects: { functions: { target: unknown; flags: unknown[] }[] }[];
    };
    json.objects[0]!.functions[0]!.target = { objname: "vmlinux", oldName: "x" };
    json.objects[0]!.functions[0]!.flags.push({ code: "MADE_UP", severity: "error", message: "" });
    const errors = validate(schema, json, schema);
    expect(errors.join("\n")).toMatch(/matches 0 of oneOf/);
    expect(errors.join("\n")).toMatch(/MADE_UP not in enum/);
  });

  it("lists exactly the flag codes lib/report/flag-codes.ts says match raises", () => {
    const defs = schema.$defs as Record<string, { properties: { code: { enum: string[] } } }>;
    expect([...defs.flag!.properties.code.enum].sort()).toEqual(codesRaisedBy("match").sort());
  });
});

describe("renderers", () => {
  it("text: kpatch lines first, evidence for duplicated names, flags with severities", () => {
    const text = renderMatchReport(all.twin!, "text");
    expect(text.split("\n")[0]).toMatch(/e\.o: changed function: twin -> AMBIGUOUS \(2\)$/);
    expect(text).toMatch(/error AMBIGUOUS: twin: 2 candidates in 'vmlinux'/);
    expect(renderMatchReport(all.twin!, "text", { color: true })).toContain("\u001b[31merror\u001b[0m");
  });

  it("markdown escapes cells; junit escapes XML; github escapes annotation data", () => {
    const evil = structuredClone(all.twin!) as MatchReport & { objects: { orig: string }[] };
    (evil.objects[0] as { orig: string }).orig = "a|b<c>&,d:e.o";
    expect(renderMatchReport(evil, "markdown")).toContain("a\\|b<c>&,d:e.o");
    const xml = renderMatchReport(evil, "junit");
    expect(xml).toContain('name="a|b&lt;c&gt;&amp;,d:e.o"');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(renderMatchReport(evil, "github")).toContain("::error file=a|b<c>&%2Cd%3Ae.o,");
  });

  it("junit fails only at or above --fail-on", () => {
    expect(renderMatchReport(all.twin!, "junit", { failOn: "error" })).toContain("<failure");
    expect(renderMatchReport(all.twin!, "junit", { failOn: "none" })).not.toContain("<failure");
  });

  it("baseline comparison: same decisions → no diff; another pair → a unified diff", () => {
    expect(compareWithBaseline(all.demo!, all.demo!, "old.json")).toMatchObject({ diff: "", changed: false });
    const moved = structuredClone(all.demo!) as MatchReport;
    const f = moved.objects[0]!.functions[0]! as { target: { oldSympos: number } | null };
    f.target!.oldSympos = 3;
    const cmp = compareWithBaseline(all.demo!, moved, "old.json");
    expect(cmp.changed).toBe(true);
    expect(cmp.lines).toEqual({ added: 1, removed: 1 });
    expect(cmp.diff).toMatch(/^--- old\.json/m);
    expect(cmp.diff).toMatch(/^\+vmlinux .*,3 = \S+#\d+$/m);
    expect(cmp.changes.map((c) => c.kind)).toEqual(["sympos-moved"]);
  });
});
