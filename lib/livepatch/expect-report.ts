// `verify --expect REPORT.json`: the symbols a klpmatch match report says each target must reach.
import { InputError } from "../input-error.js";
import { parseJsonInput } from "../json-input.js";
import { checkMatchReport } from "../report/report-validate.js";
import type { TargetRole } from "./types.js";

export interface ExpectedTarget {
  readonly role: TargetRole;
  readonly objname: string;
  readonly oldName: string;
  readonly oldSympos: number;
  /** The kernel symbol's address the report recorded, null when unknown or hidden. */
  readonly address: bigint | null;
  /** Its kallsyms type letter and 0-based position in its object, when the report recorded them. */
  readonly type: string | null;
  readonly position: number | null;
  readonly source: string;
}

function optionalAddress(path: string, where: string, value: unknown): bigint | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value)) return BigInt(value);
  throw new InputError(
    path,
    `${where}: address must be a "0x…" string or null, got ${JSON.stringify(value)}`,
  );
}

/** The candidate a report marked `chosen`: its kallsyms type and position complete the target. */
function chosenCandidate(holder: Record<string, unknown>): Record<string, unknown> {
  const candidates = holder.candidates;
  if (!Array.isArray(candidates)) return {};
  const chosen = candidates.find(
    (c) => c !== null && typeof c === "object" && (c as Record<string, unknown>).chosen === true,
  );
  return (chosen as Record<string, unknown> | undefined) ?? {};
}

function expectedFrom(
  path: string,
  where: string,
  role: TargetRole,
  t: Record<string, unknown>,
  chosen: Record<string, unknown> = {},
): ExpectedTarget {
  const oldName = t.oldName ?? t.name;
  if (typeof oldName !== "string" || oldName === "") throw new InputError(path, `${where}: missing oldName`);
  const objname = typeof t.objname === "string" && t.objname !== "" ? t.objname : "vmlinux";
  const sympos = t.oldSympos ?? t.sympos ?? 0;
  if (typeof sympos !== "number" || !Number.isSafeInteger(sympos) || sympos < 0) {
    throw new InputError(path, `${where}: oldSympos must be a non-negative integer`);
  }
  const typeValue = t.type ?? chosen.type;
  const positionValue = t.position ?? chosen.position;
  const type = typeof typeValue === "string" && typeValue.length === 1 ? typeValue : null;
  const position =
    typeof positionValue === "number" && Number.isSafeInteger(positionValue) ? positionValue : null;
  return {
    role,
    objname,
    oldName,
    oldSympos: sympos,
    address: optionalAddress(path, where, t.address),
    type,
    position,
    source: `${path}: ${where}`,
  };
}

/** The targets a `klpmatch match` JSON report decided: functions[].target and references[]. */
export function parseExpectReport(path: string, text: string): ExpectedTarget[] {
  const value = parseJsonInput(path, text, "a klpmatch match report (JSON)");
  checkMatchReport(path, value);
  const report = value as Record<string, unknown> & { objects: unknown[] };
  const expected: ExpectedTarget[] = [];
  report.objects.forEach((obj, i) => {
    const functions = (obj as Record<string, unknown> | null)?.functions;
    if (!Array.isArray(functions)) return;
    functions.forEach((fn, j) => {
      if (fn === null || typeof fn !== "object") return;
      const holder = fn as Record<string, unknown>;
      const target = holder.target;
      if (target === null || target === undefined || typeof target !== "object") return;
      expected.push(
        expectedFrom(
          path,
          `objects[${i}].functions[${j}].target`,
          "function",
          target as Record<string, unknown>,
          chosenCandidate(holder),
        ),
      );
    });
  });
  if (Array.isArray(report.references)) {
    report.references.forEach((ref, i) => {
      if (ref === null || typeof ref !== "object") return;
      const r = ref as Record<string, unknown>;
      const t = (r.target as Record<string, unknown> | null | undefined) ?? r;
      // an undecided reference (oldName null) expects nothing
      if (t === null || typeof t !== "object" || typeof t.oldName !== "string") return;
      expected.push(expectedFrom(path, `references[${i}]`, "reference", t, chosenCandidate(r)));
    });
  }
  return expected;
}
