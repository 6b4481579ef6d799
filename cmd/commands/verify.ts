// Placeholder: replaced by the verify command's implementation.
import type { CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { runAction } from "../exit.js";

export const verifyCommand: CommandModule = {
  command: "verify",
  describe: "(not implemented yet)",
  handler: () =>
    runAction(async () => {
      throw new InputError("verify", "not implemented yet");
    }),
};
