// Placeholder: replaced by the symbols command's implementation.
import type { CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { runAction } from "../exit.js";

export const symbolsCommand: CommandModule = {
  command: "symbols",
  describe: "(not implemented yet)",
  handler: () =>
    runAction(async () => {
      throw new InputError("symbols", "not implemented yet");
    }),
};
