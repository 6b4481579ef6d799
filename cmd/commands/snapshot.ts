// klpmatch snapshot: copies what `verify --live` reads of this system into a directory that
// `verify --live --root DIR` reads back.
import type { CommandModule } from "yargs";
import { snapshotLive } from "../../pipeline/live-snapshot.js";
import { EXIT_OK, runAction } from "../exit.js";

interface SnapshotArgs {
  out: string;
  root?: string;
  module?: string[];
}

export const snapshotCommand: CommandModule<object, SnapshotArgs> = {
  command: "snapshot",
  describe:
    "Copy every file verify --live reads (kallsyms, osrelease, modules, livepatch sysfs, tracefs lists, /lib/modules entries) into DIR",
  builder: (y) =>
    y
      .option("out", {
        type: "string",
        demandOption: true,
        describe: "directory to write (new or empty), laid out as a root",
      })
      .option("root", { type: "string", describe: "read the system under this directory instead of /" })
      .option("module", {
        type: "string",
        array: true,
        describe:
          "also copy this module's .ko from /lib/modules/<release> (repeatable): targets not loaded yet",
      }),
  handler: (argv) =>
    runAction(async () => {
      const r = await snapshotLive(argv.root ?? "/", argv.out, argv.module ?? []);
      process.stdout.write(
        `klpmatch snapshot: ${r.files.length} file(s), ${r.dirs.length} livepatch director(ies) written to ${r.out}\n`,
      );
      for (const m of r.missing) process.stdout.write(`  not read: ${m}\n`);
      return EXIT_OK;
    }),
};
