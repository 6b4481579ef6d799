// Placeholder: replaced by the match command's implementation.
import type { CommandModule } from "yargs";
import { InputError } from "../../lib/input-error.js";
import { runAction } from "../exit.js";

export const matchCommand: CommandModule = {
  command: "match",
  describe: "(not implemented yet)",
  handler: () =>
    runAction(async () => {
      throw new InputError("match", "not implemented yet");
    }),
};
