// What the steps of the diff step find along the way: the reasons per name, the causes that make
// an object unsupported, and the functions whose only change is a __LINE__ immediate.
import type { ObjectModel, Unit } from "./object-model.js";

/** What the steps of diffSides find along the way: reasons per name, causes of refusal, __LINE__-only changes. */
export interface Findings {
  readonly reasons: Record<string, string[]>;
  readonly unsupported: string[];
  readonly lineOnly: string[];
}

export function addReason(f: Findings, name: string, reason: string): void {
  const list = f.reasons[name];
  if (list) {
    if (!list.includes(reason)) list.push(reason);
  } else f.reasons[name] = [reason];
}

/** Changed functions' roots with their reasons, in the order they were found. */
export type Changes = Map<Unit, string[]>;

export function markChanged(changes: Changes, root: Unit, reason: string): void {
  const list = changes.get(root);
  if (list) list.push(reason);
  else changes.set(root, [reason]);
}

/** The unit or a function it is part of is marked KPATCH_IGNORE_FUNCTION / KPATCH_IGNORE_SECTION. */
export function isIgnored(m: ObjectModel, u: Unit): boolean {
  for (let x: Unit | null = u; x; x = x.parent) {
    if (m.ignoredFunctions.has(x.name) || m.ignoredSections.has(x.section.name)) return true;
  }
  return false;
}
