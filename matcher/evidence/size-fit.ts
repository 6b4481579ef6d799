// Whether the bytes from a candidate up to the next kernel symbol can hold the orig symbol's size.
import { isStubSymbol } from "../../lib/symbol-name.js";
import type { TargetView } from "./target-view.js";

export interface SizeFit {
  /** Bytes from the candidate to the next symbol that is not a `__pfx_`/`__cfi_` stub. */
  readonly gap: bigint | null;
  readonly next: string | null;
  /** gap ≥ the orig size; null when unknown (hidden addresses, last symbol, size 0). */
  readonly fits: boolean | null;
}

export function sizeFit(view: TargetView, position: number, size: bigint): SizeFit {
  if (view.hidden || size <= 0n) return { gap: null, next: null, fits: null };
  const address = view.addressAt(position);
  if (address === null) return { gap: null, next: null, fits: null };
  const obj = view.obj;
  for (let r = view.rankOf(position) + 1; r < view.count && r < view.rankOf(position) + 64; r++) {
    const p = view.positionAt(r);
    const a = view.addressAt(p);
    if (a === null || a <= address) continue;
    const name = obj.nameAt(p);
    // the padding stub before the next function belongs to the gap (it is not our code)
    if (isStubSymbol(name)) continue;
    const gap = a - address;
    return { gap, next: name, fits: gap >= size };
  }
  return { gap: null, next: null, fits: null };
}
