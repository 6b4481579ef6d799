// The option a mistyped one most likely meant: yargs's "Unknown argument: formt" gets
// "did you mean --format?" when one option is close enough (edit distance ≤ 2, or a prefix).

/** Levenshtein distance, small strings only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The nearest of `options` to `given`, or null when none is close. */
export function nearestOption(given: string, options: readonly string[]): string | null {
  let best: string | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const o of options) {
    if (o.length < 2) continue;
    const score = o.startsWith(given) && given.length >= 3 ? 0.5 : distance(given, o);
    if (score < bestScore) {
      best = o;
      bestScore = score;
    }
  }
  return bestScore <= Math.min(2, Math.max(1, Math.floor(given.length / 3))) ? best : null;
}

/** yargs's unknown-argument message with a suggestion for each name that has one. */
export function withSuggestions(message: string, options: readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (m === null || m[1] === undefined) return message;
  const hints = m[1]
    .split(", ")
    .map((name) => [name, nearestOption(name.replace(/^-+/, ""), options)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== null)
    .map(([name, o]) => `${name}: did you mean --${o}?`);
  if (hints.length === 0) return message;
  // one unknown name: "Unknown argument: formt; did you mean --format?"
  const single = !m[1].includes(", ");
  return single
    ? `${message}; ${hints[0]!.slice(hints[0]!.indexOf("did you mean"))}`
    : `${message}; ${hints.join("; ")}`;
}
