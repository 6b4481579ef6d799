// Plain target lists (`verify --targets FILE`): a JSON array of {objname, oldName, oldSympos}, a
// klpmatch match report, or `objname name sympos` lines.
import type { Flag } from "../flags.js";
import { InputError } from "../input-error.js";
import { parseJsonInput } from "../json-input.js";
import { quoted } from "../one-line.js";
import { raise } from "../report/flag-codes.js";
import { checkMatchReport } from "../report/report-validate.js";
import { safeSympos } from "./collector.js";
import type { LivepatchTarget, LivepatchTargets, TargetRole } from "./types.js";

function listTarget(
  path: string,
  where: string,
  objname: unknown,
  oldName: unknown,
  oldSympos: unknown,
  role: TargetRole,
  objects: string[],
): LivepatchTarget {
  const at = `${path}: ${where}`;
  if (typeof oldName !== "string" || oldName === "")
    throw new InputError(path, `${where}: missing name (oldName or name)`);
  const obj = objname === undefined || objname === null ? "vmlinux" : objname;
  if (typeof obj !== "string" || obj === "")
    throw new InputError(path, `${where}: objname must be a non-empty string`);
  let sympos: number;
  if (oldSympos === undefined || oldSympos === null) sympos = 0;
  else if (typeof oldSympos === "number" && Number.isSafeInteger(oldSympos) && oldSympos >= 0)
    sympos = oldSympos;
  else if (typeof oldSympos === "string" && /^\d+$/.test(oldSympos)) sympos = safeSympos(BigInt(oldSympos));
  else
    throw new InputError(
      path,
      `${where}: sympos must be a non-negative integer, got ${JSON.stringify(oldSympos)}`,
    );
  if (!objects.includes(obj)) objects.push(obj);
  return {
    objname: obj,
    oldName,
    oldSympos: sympos,
    origin: "list",
    role,
    source: at,
    stage: "enable",
    objectIndex: objects.indexOf(obj),
    used: true,
    flags: [],
    kernelMessage: null,
  };
}

function targetsFromJson(
  path: string,
  value: unknown,
  objects: string[],
  undecided: string[],
): LivepatchTarget[] {
  if (Array.isArray(value)) return targetsFromArray(path, value, objects);
  if (value !== null && typeof value === "object") {
    const report = value as Record<string, unknown>;
    if (Array.isArray(report.targets) && report.objects === undefined && report.schemaVersion === undefined) {
      return targetsFromJson(path, report.targets, objects, undecided);
    }
    if (report.objects !== undefined || report.schemaVersion !== undefined) checkMatchReport(path, report);
    if (!Array.isArray(report.objects)) {
      throw new InputError(
        path,
        "expected an array of {objname, oldName, oldSympos}, or a klpmatch match report (objects[], references[])",
      );
    }
    return targetsOfReport(path, report.objects, report.references, objects, undecided);
  }
  throw new InputError(path, "expected a JSON array or object");
}

/** A JSON array of {objname, oldName, oldSympos[, role]} (also name, sympos, klpSym). */
function targetsFromArray(path: string, value: readonly unknown[], objects: string[]): LivepatchTarget[] {
  const targets: LivepatchTarget[] = [];
  value.forEach((item, i) => {
    if (item === null || typeof item !== "object")
      throw new InputError(path, `entry ${i}: expected an object`);
    const o = item as Record<string, unknown>;
    let role: TargetRole = o.role === "reference" || typeof o.klpSym === "string" ? "reference" : "function";
    if (o.role !== undefined && o.role !== "reference" && o.role !== "function") {
      throw new InputError(path, `entry ${i}: role must be "function" or "reference"`);
    }
    if (o.role === "function") role = "function";
    targets.push(
      listTarget(path, `entry ${i}`, o.objname, o.oldName ?? o.name, o.oldSympos ?? o.sympos, role, objects),
    );
  });
  return targets;
}

/** A match report's decided functions, then its references (the undecided ones are listed in `undecided`). */
function targetsOfReport(
  path: string,
  reportObjects: readonly unknown[],
  references: unknown,
  objects: string[],
  undecided: string[],
): LivepatchTarget[] {
  const targets: LivepatchTarget[] = [];
  reportObjects.forEach((obj, i) => {
    const functions = (obj as Record<string, unknown> | null)?.functions;
    if (!Array.isArray(functions)) return;
    functions.forEach((fn, j) => {
      const target = (fn as Record<string, unknown> | null)?.target as
        | Record<string, unknown>
        | null
        | undefined;
      if (target === null || target === undefined) {
        const name = (fn as Record<string, unknown> | null)?.name;
        undecided.push(`objects[${i}].functions[${j}]${typeof name === "string" ? ` (${name})` : ""}`);
        return;
      }
      targets.push(
        listTarget(
          path,
          `objects[${i}].functions[${j}].target`,
          target.objname,
          target.oldName,
          target.oldSympos,
          "function",
          objects,
        ),
      );
    });
  });
  if (!Array.isArray(references)) return targets;
  references.forEach((ref, i) => {
    const r = ref as Record<string, unknown> | null;
    if (r === null || typeof r !== "object") return;
    const t = (r.target as Record<string, unknown> | null | undefined) ?? r;
    // a reference the report could not decide has no oldName (and no klpSym)
    if (t === null || typeof t.oldName !== "string") {
      undecided.push(`references[${i}]${typeof r.name === "string" ? ` (${r.name})` : ""}`);
      return;
    }
    targets.push(
      listTarget(
        path,
        `references[${i}]`,
        t.objname,
        t.oldName,
        t.oldSympos ?? t.sympos,
        "reference",
        objects,
      ),
    );
  });
  return targets;
}

function targetsFromTsv(path: string, text: string, objects: string[]): LivepatchTarget[] {
  const targets: LivepatchTarget[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const cols = trimmed.split(/\s+/);
    if (i === 0 && cols[0] === "objname") return; // header row
    if (cols.length < 3 || cols.length > 4) {
      throw new InputError(
        path,
        `line ${i + 1}: expected 'objname name sympos' (tab or space separated), got ${cols.length} field(s)`,
      );
    }
    const [objname, name, sympos, role] = cols as [string, string, string, string | undefined];
    if (!/^\d+$/.test(sympos))
      throw new InputError(
        path,
        `line ${i + 1}: sympos ${quoted(sympos)} is not a non-negative decimal number`,
      );
    if (role !== undefined && role !== "function" && role !== "reference") {
      throw new InputError(
        path,
        `line ${i + 1}: fourth field must be 'function' or 'reference', got ${quoted(role)}`,
      );
    }
    targets.push(listTarget(path, `line ${i + 1}`, objname, name, sympos, role ?? "function", objects));
  });
  return targets;
}

/** A `--targets` file: a JSON array of {objname, oldName|name, oldSympos|sympos}, a match report, or TSV. */
export function parseTargetList(path: string, text: string): LivepatchTargets {
  const objects: string[] = [];
  /** Entries of a match report without a decided target. */
  const undecided: string[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trimStart();
  if (trimmed === "") {
    throw new InputError(
      path,
      "is empty, expected a target list (JSON, a match report or 'objname name sympos' lines)",
    );
  }
  let targets: LivepatchTarget[];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    const value = parseJsonInput(path, body, "a target list");
    targets = targetsFromJson(path, value, objects, undecided);
  } else {
    if (/[\u0000-\u0008\u000e-\u001f]/.test(text))
      throw new InputError(path, "binary data, expected JSON or 'objname name sympos' lines");
    targets = targetsFromTsv(path, body, objects);
  }
  const flags: Flag[] = undecided.map((where) =>
    raise(
      "LIST_UNDECIDED",
      `${path}: ${where} has no decided target (ambiguous or not found in the report): not verified`,
    ),
  );
  if (targets.length === 0) flags.push(raise("NO_TARGETS", "the list holds no targets"));
  return { path, moduleName: null, found: ["list"], objects, targets, flags, kernelMessages: [], notes: [] };
}
