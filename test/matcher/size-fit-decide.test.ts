// Size fit deciding between candidates: only when every other candidate's gap is known too small.
import { describe, expect, it } from "vitest";
import type { SizeFit } from "../../matcher/evidence/index.js";
import { sizeFitWinner } from "../../matcher/evidence/size-fit-decide.js";

const gapOf = (gap: bigint, fits: boolean | null): SizeFit => ({ gap, next: "next", fits });

describe("sizeFitWinner", () => {
  it("decides when one gap holds the function and the others are too small", () => {
    const fits = new Map([
      [3, gapOf(0x30n, false)],
      [7, gapOf(0x190n, true)],
      [9, gapOf(0x70n, false)],
    ]);
    expect(sizeFitWinner([3, 7, 9], fits)).toEqual({
      winner: 7,
      detail:
        "the only candidate whose gap holds the orig function: 2 other(s) too small to be this file's copy",
    });
  });

  it("does not decide with two that fit, an unknown gap, or a single candidate", () => {
    expect(
      sizeFitWinner(
        [1, 2],
        new Map([
          [1, gapOf(8n, true)],
          [2, gapOf(8n, true)],
        ]),
      ),
    ).toBeNull();
    expect(
      sizeFitWinner(
        [1, 2],
        new Map([
          [1, gapOf(8n, true)],
          [2, gapOf(0n, null)],
        ]),
      ),
    ).toBeNull();
    expect(sizeFitWinner([1], new Map([[1, gapOf(8n, true)]]))).toBeNull();
  });
});
