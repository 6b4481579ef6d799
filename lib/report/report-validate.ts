// A match report read back (--baseline, verify --targets / --expect) is checked against the shipped
// schema/report.schema.json before use: the first fault names its JSON path
// (`objects[0].functions: missing`). The keywords the schema uses are checked; no others.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../input-error.js";
import { oneLine } from "../one-line.js";
import { MATCH_SCHEMA_VERSION, MATCH_SCHEMA_VERSIONS_READ } from "./match-report.js";

type Schema = Readonly<Record<string, unknown>>;

let cachedSchema: Schema | null = null;

/** schema/report.schema.json, found upwards from this file (source, dist or the bundle). */
export function reportSchema(): Schema {
  if (cachedSchema !== null) return cachedSchema;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "schema", "report.schema.json");
    if (existsSync(candidate)) {
      cachedSchema = JSON.parse(readFileSync(candidate, "utf8")) as Schema;
      return cachedSchema;
    }
    dir = dirname(dir);
  }
  throw new Error("schema/report.schema.json not found beside klpmatch");
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

function show(value: unknown): string {
  return oneLine(JSON.stringify(value) ?? String(value), 60);
}

function child(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** The first fault of `value` against `schema`, as `path: what`, or null. */
function fault(value: unknown, schema: Schema, path: string, root: Schema): string | null {
  const at = path === "" ? "(top level)" : path;
  const ref = schema.$ref;
  if (typeof ref === "string") {
    const target = ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((s, k) => (s as Schema)?.[k], root);
    return fault(value, target as Schema, path, root);
  }
  if (Array.isArray(schema.oneOf)) {
    const faults = (schema.oneOf as Schema[]).map((s) => fault(value, s, path, root));
    if (faults.filter((f) => f === null).length === 1) return null;
    // the fault of the form the value is closest to: the one whose fault lies deepest
    return faults.reduce((a, b) => ((b ?? "").length > (a ?? "").length ? b : a)) ?? `${at}: ambiguous form`;
  }
  if ("const" in schema && value !== schema.const) {
    return `${at}: expected ${show(schema.const)}, got ${show(value)}`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    return `${at}: ${show(value)} is not one of ${oneLine(schema.enum.map(show).join(", "), 120)}`;
  }
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => hasType(value, t)))
      return `${at}: expected ${types.join(" or ")}, got ${typeOf(value)}`;
  }
  if (typeof value === "string") return stringFault(value, schema, at);
  if (typeof value === "number" && typeof schema.minimum === "number" && value < schema.minimum) {
    return `${at}: ${value} is below the minimum ${schema.minimum}`;
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (let i = 0; i < value.length; i++) {
      const f = fault(value[i], schema.items as Schema, child(path, i), root);
      if (f !== null) return f;
    }
  }
  if (typeOf(value) === "object") return objectFault(value as Schema, schema, path, root);
  return null;
}

function stringFault(value: string, schema: Schema, at: string): string | null {
  if (typeof schema.minLength === "number" && value.length < schema.minLength) {
    return `${at}: shorter than ${schema.minLength} character(s)`;
  }
  if (typeof schema.maxLength === "number" && value.length > schema.maxLength) {
    return `${at}: longer than ${schema.maxLength} character(s)`;
  }
  if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
    return `${at}: ${show(value)} does not match ${schema.pattern}`;
  }
  return null;
}

function objectFault(value: Schema, schema: Schema, path: string, root: Schema): string | null {
  const properties = (schema.properties ?? {}) as Readonly<Record<string, Schema>>;
  for (const key of (schema.required ?? []) as string[]) {
    if (!Object.hasOwn(value, key)) return `${child(path, key)}: missing`;
  }
  for (const [key, v] of Object.entries(value)) {
    const sub = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (sub === undefined) {
      if (schema.additionalProperties === false)
        return `${child(oneLine(path, 100), oneLine(key, 60))}: unknown field`;
      continue;
    }
    const f = fault(v, sub, child(path, key), root);
    if (f !== null) return f;
  }
  return null;
}

/** The first fault of a parsed match report against the shipped schema, or null when it is one. */
export function matchReportFault(value: unknown): string | null {
  const root = reportSchema();
  if (typeOf(value) !== "object") return `(top level): expected a match report object, got ${typeOf(value)}`;
  const version = (value as Schema).schemaVersion;
  if (version === undefined) return "schemaVersion: missing";
  if (typeof version !== "number" || !MATCH_SCHEMA_VERSIONS_READ.includes(version)) {
    return `schemaVersion: unknown version ${show(version)} (this klpmatch reads ${MATCH_SCHEMA_VERSIONS_READ.join(", ")})`;
  }
  const f = fault(value, root, "", root);
  if (f !== null || version !== MATCH_SCHEMA_VERSION) return f;
  // what version 2 added is required in it
  const objects = (value as { objects: readonly Schema[] }).objects;
  const i = objects.findIndex((o) => typeof o.relative !== "string");
  return i < 0 ? null : `objects[${i}].relative: missing (schemaVersion ${MATCH_SCHEMA_VERSION} records it)`;
}

/** Throws an InputError naming `path` and the first fault unless `value` is a match report. */
export function checkMatchReport(path: string, value: unknown): void {
  const f = matchReportFault(value);
  if (f !== null) throw new InputError(path, `not a klpmatch match report: ${f}`);
}
