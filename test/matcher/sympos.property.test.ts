// Properties over random tables built from real name shapes: the indexes answer exactly what the
// rule's definition (ruleMatches) says, and every symbol is reached by its own pair.
import fc from "fast-check";
import { expect, test } from "vitest";
import { parseSymbolText } from "../../lib/kallsyms.js";
import { LOOKUP_RULES, ruleMatches } from "../../lib/rules.js";
import { candidatesByRule, effectiveRule, positionOf, resolve, sameSymbol } from "../../matcher/sympos.js";

const BASES = ["init_once", "c_start", "type_show", "kthread", "m"];
const SUFFIXES = [
  "",
  ".llvm.4068079621735001028",
  ".llvm.542612574486284820",
  ".isra.0",
  ".param",
  ".cold",
  ".0",
];
const name = fc
  .tuple(fc.constantFrom("", "__pfx_"), fc.constantFrom(...BASES), fc.constantFrom(...SUFFIXES))
  .map(([p, b, s]) => `${p}${b}${s}`);
const line = fc.record({
  name,
  type: fc.constantFrom("t", "T", "d", "b", "r", "W"),
  module: fc.constantFrom(null, null, null, "mod_a", "mod-b"),
});

test("indexes agree with the rule definition; resolve(positionOf(s)) is s", () => {
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 60 }), (lines) => {
      const text = lines
        .map((l, i) => {
          const address = (0xffffffff81000000n + BigInt(i) * 16n).toString(16);
          return `${address} ${l.type} ${l.name}${l.module === null ? "" : `\t[${l.module}]`}`;
        })
        .join("\n");
      const table = parseSymbolText(Buffer.from(`${text}\n`), "random", "kallsyms");
      for (const rule of LOOKUP_RULES) {
        for (const [objname, obj] of table.objects) {
          const eff = effectiveRule(objname, rule);
          for (const query of new Set(lines.map((l) => l.name).concat(BASES))) {
            const expected: number[] = [];
            for (let p = 0; p < obj.count; p++) if (ruleMatches(eff, obj.nameAt(p), query)) expected.push(p);
            expect(candidatesByRule(table, objname, query, rule).map((s) => s.position)).toEqual(expected);
          }
          for (let p = 0; p < obj.count; p++) {
            const symbol = obj.at(p);
            const pair = positionOf(table, symbol, rule);
            expect(pair.ok).toBe(true);
            if (!pair.ok) continue;
            const r = resolve(table, objname, pair.oldName, pair.oldSympos, rule);
            expect(r.ok && sameSymbol(r.symbol, symbol)).toBe(true);
          }
        }
      }
    }),
    { numRuns: 150 },
  );
});
