// `--only PATH…`: limits a tree run to some objects, named by tree-relative paths or globs
// (`*` and `?` within one path segment, `**` across segments); a plain directory takes what is under it.

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
