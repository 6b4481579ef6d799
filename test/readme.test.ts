// The README's examples are real: every ```console block's command, run from the project root on the
// bundled fixtures, prints exactly the output the block shows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ROOT } from "./paths.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const examples = [...readme.matchAll(/```console\n\$ (.*)\n([\s\S]*?)```/g)].map((m) => ({
  command: m[1]!,
  output: m[2]!,
}));

describe("README examples", () => {
  it("has examples of the main job and of symbols", () => {
    expect(examples.map((e) => e.command.split(" ")[2])).toEqual(
      expect.arrayContaining(["match", "diff", "symbols"]),
    );
  });

  for (const { command, output } of examples) {
    it(command, async () => {
      const [program, ...args] = command.split(" ");
      expect(program).toBe("node");
      const run = await execa(process.execPath, args, { cwd: ROOT, reject: false, stripFinalNewline: false });
      expect(run.stdout).toBe(output);
    });
  }
});
