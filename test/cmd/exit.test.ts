// How a command ends when it throws: bad input is one line and exit 2, a bug exit 70 (EX_SOFTWARE).
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT_INPUT, EXIT_INTERNAL, runAction } from "../../cmd/exit.js";
import { InputError } from "../../lib/input-error.js";

async function ending(error: unknown): Promise<{ code: number | undefined; stderr: string }> {
  let stderr = "";
  const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await runAction(async () => {
      throw error;
    });
    return { code: process.exitCode as number | undefined, stderr };
  } finally {
    write.mockRestore();
    process.exitCode = undefined;
  }
}

afterEach(() => {
  process.exitCode = undefined;
});

describe("runAction", () => {
  it("ends bad input with one line naming the file, exit 2", async () => {
    const run = await ending(new InputError("/tmp/k.txt", "line 3: bad address"));
    expect(run).toEqual({ code: EXIT_INPUT, stderr: "klpmatch: /tmp/k.txt: line 3: bad address\n" });
  });

  it("ends a usage error (no file at fault) with the option in the line, exit 2", async () => {
    const error = InputError.usage("--rule", "give either --rule or --kernel, not both");
    expect(error.path).toBeNull();
    const run = await ending(error);
    expect(run).toEqual({
      code: EXIT_INPUT,
      stderr: "klpmatch: --rule: give either --rule or --kernel, not both\n",
    });
  });

  it("ends a bug with exit 70, not bad input's 2", async () => {
    const run = await ending(new TypeError("x is undefined"));
    expect(EXIT_INTERNAL).toBe(70);
    expect(run).toEqual({ code: 70, stderr: "klpmatch: internal error: x is undefined\n" });
  });
});
