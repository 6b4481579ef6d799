// Shared wording of a verify report: the pair of a target, its symbol and outcome, the cells of
// the target table, and the patch and summary lines.
import type { VerifyReport, VerifySummary, VerifySymbolReport, VerifyTargetReport } from "./verify-report.js";

/** The pair as a livepatch writes it: `vmlinux:init_once,1`. */
export function pair(t: VerifyTargetReport): string {
  return `${t.objname}:${t.oldName},${t.oldSympos}`;
}

export function symbolText(s: VerifySymbolReport | null): string {
  if (s === null) return "-";
  const where = s.address ?? (s.line !== null ? `line ${s.line}` : `#${s.position + 1}`);
  return `${where} ${s.type} ${s.name}`;
}

/** The columns the text and Markdown tables share: object, name, sympos, origin, outcome, symbol, message. */
export function targetCells(t: VerifyTargetReport): string[] {
  return [
    t.objname,
    t.oldName,
    String(t.oldSympos),
    t.origin,
    outcomeText(t),
    symbolText(t.symbol ?? t.onLoad?.symbol ?? null),
    t.kernelMessage ?? t.onLoad?.kernelMessage ?? "",
  ];
}

export function outcomeText(t: VerifyTargetReport): string {
  if (t.outcome === "not-loaded" && t.onLoad !== null) return `not-loaded (on load: ${t.onLoad.outcome})`;
  return t.outcome;
}

export function patchLine(report: VerifyReport): string {
  const p = report.patch;
  const later = p.deferred.map((objname) => {
    const w = p.whenLoaded.find((x) => x.objname === objname);
    if (w === undefined) return `${objname} not loaded: resolved when loaded`;
    if (w.kernelMessage === null) return `${objname} not loaded: its targets pass against its module file`;
    return `when ${objname} loads, the kernel prints "${w.kernelMessage}" (${w.at}) and refuses to load ${objname}`;
  });
  const deferred = later.length > 0 ? `; ${later.join("; ")}` : "";
  if (p.result === "refused") {
    return `The kernel would refuse this patch (${p.stage ?? "?"} stage, ${p.at ?? "?"}): ${p.kernelMessage ?? ""}${deferred}`;
  }
  return `The kernel would accept every target of the loaded objects${deferred}`;
}

export function summaryLine(s: VerifySummary): string {
  return (
    `${s.targets} target(s): ${s.resolved} resolved, ${s.ambiguous} ambiguous, ${s.positionNotFound} position not found, ` +
    `${s.notFound} not found, ${s.notLoaded} not loaded; ${s.errors} error(s), ${s.warnings} warning(s), ${s.infos} info`
  );
}
