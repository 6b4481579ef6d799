// Placeholder: replaced by the sympos command's implementation.
import type { CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { runAction } from "../exit.js";

export const symposCommand: CommandModule = {
  command: "sympos",
  describe: "(not implemented yet)",
  handler: () =>
    runAction(async () => {
      throw new InputError("sympos", "not implemented yet");
    }),
};
