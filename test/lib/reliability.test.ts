// Issue 14 in the library: JSON inputs checked against the shipped schema with path-precise errors,
// one-line error text, --out by what is at the path, positions by binary search, empty .ko lists.
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../lib/atomic-write.js";
import { InputError } from "../../lib/input-error.js";
import { readInputFile } from "../../lib/input-files.js";
import { parseJsonInput } from "../../lib/json-input.js";
import { objectsFromEntries } from "../../lib/kernel-table.js";
import { parseExpectReport, parseTargetList } from "../../lib/livepatch/index.js";
import { escapeControls, oneLine, quoted } from "../../lib/one-line.js";
import { parseBaseline } from "../../lib/report/match-baseline.js";
import { matchReportFault } from "../../lib/report/report-validate.js";
import { fullReport } from "./full-report.js";

const tmp = () => mkdtempSync(join(tmpdir(), "klpmatch-rel-"));

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("no error thrown");
}

describe("JSON inputs against the schema (item 1)", () => {
  const partial = '{"schemaVersion":1,"objects":[{}],"references":[]}';

  it("a --baseline whose entries lack fields names the file and the first missing path", () => {
    const e = errorOf(() => parseBaseline(partial, "old.json"));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^old\.json: not a klpmatch match report: (tool|objects\[0\]\.orig): missing$/);
    const full = fullReport({ objects: [{}] }) as { objects: Record<string, unknown>[] };
    delete full.objects[0]!.functions;
    expect(matchReportFault(full)).toBe("objects[0].functions: missing");
  });

  it("schemaVersion 99 is an error for --baseline, --targets and --expect alike", () => {
    const v99 = JSON.stringify({ ...fullReport({}), schemaVersion: 99 });
    for (const read of [
      () => parseBaseline(v99, "r.json"),
      () => parseTargetList("r.json", v99),
      () => parseExpectReport("r.json", v99),
    ]) {
      expect(errorOf(read).message).toBe(
        "r.json: not a klpmatch match report: schemaVersion: unknown version 99 (this klpmatch reads 1, 2)",
      );
    }
  });

  it("a wrong type, enum value or unknown field names its path", () => {
    const report = fullReport({ objects: [{ functions: [{ name: "f", target: null }] }] }) as Record<
      string,
      unknown
    > & { objects: { functions: Record<string, unknown>[] }[] };
    report.objects[0]!.functions[0]!.status = "mangled";
    expect(matchReportFault(report)).toBe(
      'objects[0].functions[0].status: "mangled" is not one of "changed", "new", "deleted"',
    );
    report.objects[0]!.functions[0]!.status = "changed";
    (report.summary as Record<string, unknown>).extra = 1;
    expect(matchReportFault(report)).toBe("summary.extra: unknown field");
    expect(matchReportFault(fullReport({}))).toBeNull();
  });

  it("JSON syntax errors give line:column, a BOM is accepted, an empty file is an error", () => {
    expect(errorOf(() => parseJsonInput("a.json", '{"a":\n 1,}', "a report")).message).toBe(
      "a.json: not valid JSON at 2:4: unexpected '}'",
    );
    expect(errorOf(() => parseJsonInput("a.json", "abc\ndef", "a report")).message).toBe(
      "a.json: not valid JSON at 1:1: unexpected 'a'",
    );
    expect(errorOf(() => parseJsonInput("a.json", "[1,2", "a report")).message).toBe(
      "a.json: not valid JSON at 1:5: unexpected end of the JSON text",
    );
    expect(errorOf(() => parseJsonInput("a.json", '["a\nb"]', "a report")).message).toBe(
      "a.json: not valid JSON at 1:4: unexpected control character",
    );
    expect(parseJsonInput("a.json", '\ufeff{"a":1}', "a report")).toEqual({ a: 1 });
    expect(errorOf(() => parseJsonInput("a.json", "  \n", "a report")).message).toBe(
      "a.json: is empty, expected a report",
    );
    expect(errorOf(() => parseTargetList("t", "")).message).toMatch(/^t: is empty, expected a target list/);
    expect(errorOf(() => parseExpectReport("e", "")).message).toMatch(
      /^e: is empty, expected a klpmatch match report/,
    );
    // a list of comments only holds no targets: a warning, not an error
    expect(parseTargetList("t", "# nothing yet\n").flags.map((f) => f.code)).toEqual(["NO_TARGETS"]);
  });
});

describe("one line (item 3)", () => {
  it("escapes control characters as readelf does and shortens long text in the middle", () => {
    expect(escapeControls("a\nb\tc\u007fd\u0085")).toBe("a^Jb^Ic^?d\\x85");
    const long = `${"p".repeat(200)}: ${"r".repeat(400)}`;
    const line = oneLine(long);
    expect(line.length).toBe(300);
    expect(line.startsWith("p".repeat(150))).toBe(true);
    expect(line.endsWith("r".repeat(100))).toBe(true);
    expect(quoted(`x\n${"y".repeat(100)}`)).toMatch(/^'x\^Jy+…y+'$/);
  });

  it("a bad TSV field is quoted shortened", () => {
    const e = errorOf(() => parseTargetList("t.tsv", `vmlinux f ${"9x".repeat(100)}\n`));
    expect(e.message).toMatch(
      /^t\.tsv: line 1: sympos '9x9x.{10,40}…x9x.{0,20}' is not a non-negative decimal number$/,
    );
    expect(e.message.length).toBeLessThan(120);
  });
});

describe("--out by what is at the path (item 5)", () => {
  it("an unwritable path is named as given, not as the temporary file", async () => {
    const out = join(tmp(), "no-dir", "r.json");
    await expect(writeFileAtomic(out, "x")).rejects.toThrow(
      new InputError(out, "cannot write the report: its directory does not exist"),
    );
  });

  it("a symlink's target is replaced atomically and the link kept; a directory is refused", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "target.txt"), "old");
    symlinkSync("target.txt", join(dir, "link.txt"));
    await writeFileAtomic(join(dir, "link.txt"), "new");
    expect(lstatSync(join(dir, "link.txt")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "link.txt"))).toBe("target.txt");
    expect(readFileSync(join(dir, "target.txt"), "utf8")).toBe("new");
    await expect(writeFileAtomic(dir, "x")).rejects.toThrow(/is a directory, not a report file/);
    symlinkSync("nothing", join(dir, "dangling"));
    await expect(writeFileAtomic(join(dir, "dangling"), "x")).rejects.toThrow(/symlink to nothing/);
  });

  it("a character device is written through, never replaced", async () => {
    await writeFileAtomic("/dev/null", "discarded");
    expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);
  });
});

describe("inputs that are not files (item 6)", () => {
  it("a character device other than standard input is refused, not read forever", async () => {
    await expect(readInputFile("/dev/zero")).rejects.toThrow(
      "/dev/zero: is a character device, not a file: give it as - (standard input) to stream it",
    );
  });
});

describe("a .ko that keeps no symbols after init (item 1)", () => {
  it("is an empty object of its name, not a missing one", () => {
    const objects = objectsFromEntries(new Map([["fixmod", []]]), true);
    expect(objects.get("fixmod")?.count).toBe(0);
  });
});
