// Placeholder: replaced by the diff command's implementation.
import type { CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { runAction } from "../exit.js";

export const diffCommand: CommandModule = {
  command: "diff",
  describe: "(not implemented yet)",
  handler: () =>
    runAction(async () => {
      throw new InputError("diff", "not implemented yet");
    }),
};
