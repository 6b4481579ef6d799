// What the readers of a livepatch module gather, in the order the module holds it, and how a
// position read from the object becomes a target's number.
import type { Flag } from "../flags.js";
import type { LivepatchTarget, StagedMessage, TargetOrigin } from "./types.js";

/** old_sympos (an unsigned long) as a number: values past Number.MAX_SAFE_INTEGER saturate to it. */
export function safeSympos(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** What the table readers gather, in the order the module holds it. */
export class TargetCollector {
  readonly targets: LivepatchTarget[] = [];
  readonly found: TargetOrigin[] = [];
  readonly objects: string[] = [];
  readonly flags: Flag[] = [];
  readonly kernelMessages: StagedMessage[] = [];
  readonly notes: string[] = [];

  /** The index of the klp_object named `objname`, added when new (run-time built patches). */
  objectIndex(objname: string): number {
    const i = this.objects.indexOf(objname);
    if (i >= 0) return i;
    this.objects.push(objname);
    return this.objects.length - 1;
  }

  foundKind(origin: TargetOrigin): void {
    if (!this.found.includes(origin)) this.found.push(origin);
  }

  addFunction(
    origin: TargetOrigin,
    objname: string,
    oldName: string,
    oldSympos: bigint,
    source: string,
    objectIndex: number,
    flags: readonly Flag[] = [],
  ): void {
    this.targets.push({
      objname,
      oldName,
      oldSympos: safeSympos(oldSympos),
      origin,
      role: "function",
      source,
      stage: "enable",
      objectIndex,
      used: true,
      flags,
      kernelMessage: null,
    });
  }
}
