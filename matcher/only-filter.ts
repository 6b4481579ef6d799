// `--only PATH…`: limits a tree run to some objects, named by tree-relative paths or globs
// (`*` and `?` within one path segment, `**` across segments); a plain directory takes what is under it.
import { InputError } from "../lib/input-error.js";
import type { TreePairs } from "./match.js";

export interface OnlyFilter {
  matches(relative: string): boolean;
  /** The patterns no path given to `matches` has matched so far. */
  unmatched(): string[];
}

function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      // `**/` matches zero or more whole segments, a trailing `**` everything below
      const slash = pattern[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // a directory (or a glob naming directories) takes every object under it
  return new RegExp(`^${re}(?:/.*)?$`);
}

export function onlyFilter(patterns: readonly string[]): OnlyFilter {
  const compiled = patterns.map((p) => {
    const clean = p.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
    return { pattern: p, re: globToRegExp(clean), hit: false };
  });
  return {
    matches(relative) {
      const path = relative.replace(/\\/g, "/");
      let any = false;
      for (const c of compiled) {
        if (c.re.test(path)) {
          c.hit = true;
          any = true;
        }
      }
      return any;
    },
    unmatched() {
      return compiled.filter((c) => !c.hit).map((c) => c.pattern);
    },
  };
}

/** The pairs and unpaired objects `--only` names; a pattern naming no changed object is an error. */
export function selectOnly(all: TreePairs, only: readonly string[] | undefined): TreePairs {
  if (only === undefined || only.length === 0) return all;
  const filter = onlyFilter(only);
  const picked: TreePairs = {
    pairs: all.pairs.filter((p) => filter.matches(p.relative)),
    onlyOrig: all.onlyOrig.filter((p) => filter.matches(p)),
    onlyPatched: all.onlyPatched.filter((p) => filter.matches(p)),
  };
  const none = filter.unmatched();
  if (none.length > 0)
    throw InputError.usage("--only", `${none.join(", ")}: matches no changed object of the trees`);
  return picked;
}
