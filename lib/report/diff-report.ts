// Rendering `klpmatch diff` results: kpatch's familiar lines (`<obj>: changed function: <name>`)
// with the reasons under each, the JSON shape, and the --explain view with a disassembly diff.
import { basename } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { Disassembly } from "../disassemble.js";
import type { FunctionChange, FunctionExplanation, ObjectDiff, TreeDiff } from "./diff-types.js";

/** The object's name in report lines: its path relative to the tree, or the orig file's base name. */
export function objectLabel(diff: ObjectDiff, relativePath?: string): string {
  return relativePath ?? basename(diff.orig);
}

export function renderDiffText(diff: ObjectDiff, label = objectLabel(diff)): string {
  const lines: string[] = [];
  const item = (kind: string, name: string, reasons: readonly string[]): void => {
    lines.push(`${label}: ${kind}: ${name}`);
    for (const r of reasons) lines.push(`    ${r}`);
  };
  for (const f of diff.changed) item("changed function", displayName(f), f.reasons);
  for (const f of diff.new)
    item(
      "new function",
      f.name,
      f.reasons.filter((r) => r !== "new function"),
    );
  for (const f of diff.deleted) lines.push(`${label}: deleted function: ${f.name}`);
  for (const d of diff.changedData) item("changed data", d.name, d.reasons);
  for (const name of diff.newData) lines.push(`${label}: new data: ${name}`);
  for (const u of diff.unsupported) lines.push(`${label}: unsupported: ${u}`);
  if (diff.lineOnly.length > 0) {
    lines.push(`${label}: only __LINE__ changes (not counted): ${diff.lineOnly.join(", ")}`);
  }
  lines.push(
    `${label}: ${diff.verdict} (${diff.changed.length} changed, ${diff.new.length} new, ${diff.deleted.length} deleted, ${diff.changedData.length} changed data)`,
  );
  return `${lines.join("\n")}\n`;
}

function displayName(f: FunctionChange): string {
  return f.patchedName && f.patchedName !== f.name ? `${f.name} (patched: ${f.patchedName})` : f.name;
}

export interface TreeLabels {
  /** Relative path of each pair, in the order of TreeDiff.pairs. */
  readonly paths: readonly string[];
}

export function renderTreeText(tree: TreeDiff, labels: TreeLabels): string {
  const parts: string[] = [];
  tree.pairs.forEach((pair, i) => {
    if (pair.verdict === "no-change") return;
    parts.push(renderDiffText(pair, labels.paths[i]));
  });
  for (const path of tree.onlyOrig) parts.push(`${path}: only in the orig tree (deleted object)\n`);
  for (const path of tree.onlyPatched) parts.push(`${path}: only in the patched tree (new object)\n`);
  const count = (v: string): number => tree.pairs.filter((p) => p.verdict === v).length;
  parts.push(
    `${tree.pairs.length} object pairs: ${count("patchable")} patchable, ${count("unsupported")} unsupported, ${count("no-change")} unchanged; ${tree.onlyOrig.length} only in orig, ${tree.onlyPatched.length} only in patched\n`,
  );
  return parts.join("");
}

/** The JSON object of one pair: name lists first (the stable interface), details after. */
export function diffJson(diff: ObjectDiff): Record<string, unknown> {
  const change = (f: FunctionChange): Record<string, unknown> => ({
    name: f.name,
    patchedName: f.patchedName,
    size: Number(f.size),
    bind: f.bind,
    reasons: f.reasons,
    references: f.references,
  });
  return {
    orig: diff.orig,
    patched: diff.patched,
    machine: diff.machine,
    verdict: diff.verdict,
    changed: diff.changed.map((f) => f.name),
    new: diff.new.map((f) => f.name),
    deleted: diff.deleted.map((f) => f.name),
    changedData: diff.changedData.map((d) => d.name),
    newData: diff.newData,
    reasons: diff.reasons,
    unsupported: diff.unsupported,
    lineOnly: diff.lineOnly,
    renamed: diff.renamed,
    details: {
      changed: diff.changed.map(change),
      new: diff.new.map(change),
      deleted: diff.deleted.map(change),
      changedData: diff.changedData,
    },
  };
}

export function renderDiffJson(diff: ObjectDiff): string {
  return `${JSON.stringify(diffJson(diff), null, 2)}\n`;
}

/** Tree mode: an array of pair objects; objects on one side only appear with `"unpaired"`. */
export function renderTreeJson(tree: TreeDiff, origDir: string, patchedDir: string): string {
  const unpaired = (side: "orig" | "patched", path: string): Record<string, unknown> => ({
    orig: side === "orig" ? `${origDir}/${path}` : null,
    patched: side === "patched" ? `${patchedDir}/${path}` : null,
    unpaired: side,
    verdict: "unpaired",
    changed: [],
    new: [],
    deleted: [],
    changedData: [],
    reasons: {},
  });
  const items = [
    ...tree.pairs.map(diffJson),
    ...tree.onlyOrig.map((p) => unpaired("orig", p)),
    ...tree.onlyPatched.map((p) => unpaired("patched", p)),
  ];
  return `${JSON.stringify(items, null, 2)}\n`;
}

/** --explain --json: the explanation as data, the disassembly as line arrays (null when unavailable). */
export function renderExplanationJson(
  e: FunctionExplanation,
  disassembly: { readonly orig: Disassembly | null; readonly patched: Disassembly | null },
): string {
  const lines = (d: Disassembly | null): readonly string[] | null => (d?.ok ? d.lines : null);
  const { diff, ...rest } = e;
  const unavailable = [disassembly.orig, disassembly.patched].find((d) => d !== null && !d.ok);
  return `${JSON.stringify(
    {
      orig: diff.orig,
      patched: diff.patched,
      ...rest,
      disassembly: {
        orig: lines(disassembly.orig),
        patched: lines(disassembly.patched),
        unavailable: unavailable && !unavailable.ok ? unavailable.reason : null,
      },
    },
    null,
    2,
  )}\n`;
}

export function renderExplanation(
  e: FunctionExplanation,
  label: string,
  disassembly: { readonly orig: Disassembly | null; readonly patched: Disassembly | null },
  /** The patched object's name when it differs from the orig one (a pair: X.ORIG.o, X.PATCHED.o). */
  patchedLabel: string = label,
): string {
  const lines: string[] = [];
  const name = e.origName ?? e.patchedName ?? "?";
  const twin =
    e.origName && e.patchedName && e.origName !== e.patchedName ? ` (patched: ${e.patchedName})` : "";
  lines.push(`${label}: ${e.status} function: ${name}${twin}`);
  if (e.correlation) lines.push(`    correlated: ${e.correlation}`);
  if (e.origSection || e.patchedSection) {
    lines.push(`    section: ${e.origSection ?? "-"} → ${e.patchedSection ?? "-"}`);
  }
  for (const r of e.reasons) lines.push(`    ${r}`);
  if (e.removedRelocations.length + e.addedRelocations.length > 0) {
    lines.push("relocation differences (offsets relative to the function):");
    for (const r of e.removedRelocations) lines.push(`  - ${r}`);
    for (const r of e.addedRelocations) lines.push(`  + ${r}`);
  } else if (e.status === "changed" && e.parts.length === 0) {
    lines.push("relocations: same targets (the difference is in the instructions or their order)");
  }
  for (const part of e.parts) {
    lines.push(`  part ${part.origName ?? part.patchedName}: ${part.reasons.join("; ")}`);
    for (const r of part.removedRelocations) lines.push(`    - ${r}`);
    for (const r of part.addedRelocations) lines.push(`    + ${r}`);
  }
  const o = disassembly.orig;
  const p = disassembly.patched;
  const failed = [o, p].find((d) => d !== null && !d.ok);
  if (failed && !failed.ok) {
    lines.push(failed.reason);
  } else if (o?.ok || p?.ok) {
    const tool = (o?.ok ? o.tool : null) ?? (p?.ok ? p.tool : "objdump");
    const text = (d: Disassembly | null): string => (d?.ok ? `${d.lines.join("\n")}\n` : "");
    const patch = createTwoFilesPatch(
      `orig/${label}:${e.origName ?? "(none)"}`,
      `patched/${patchedLabel}:${e.patchedName ?? "(none)"}`,
      text(o),
      text(p),
      undefined,
      undefined,
      { context: 3 },
    );
    lines.push(`disassembly (${tool} -d, addresses dropped):`);
    const body = patch.split("\n").slice(1); // drop the "=====" line
    lines.push(body.some((l) => l.startsWith("@@")) ? body.join("\n").trimEnd() : "(identical)");
  }
  return `${lines.join("\n")}\n`;
}
