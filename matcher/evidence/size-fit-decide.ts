// When neither neighbourhood nor file blocks decide: the candidates whose gap to the next symbol
// cannot hold the orig function (less its -ffunction-sections slack) are not this file's copy. If
// that leaves exactly one, it is the choice — a weak one, which a clone of the name still vetoes.
import type { SizeFit } from "./size-fit.js";

export interface SizeFitVerdict {
  readonly winner: number;
  readonly detail: string;
}

/** The one candidate whose gap holds the orig size when every other one's is known too small. */
export function sizeFitWinner(
  positions: readonly number[],
  fits: ReadonlyMap<number, SizeFit>,
): SizeFitVerdict | null {
  if (positions.length < 2) return null;
  const holding = positions.filter((p) => fits.get(p)?.fits === true);
  const tooSmall = positions.filter((p) => fits.get(p)?.fits === false);
  if (holding.length !== 1 || tooSmall.length !== positions.length - 1) return null;
  return {
    winner: holding[0]!,
    detail: `the only candidate whose gap holds the orig function: ${tooSmall.length} other(s) too small to be this file's copy`,
  };
}
