// klpmatch symbols FILE…: an ELF file's symbol tables (and relocations) in readelf -sW / -rW layout or JSON.
import { readFileSync, writeSync } from "node:fs";
import type { CommandModule } from "yargs";
import { EXIT_OK, namingFile, runAction } from "../exit.js";

interface SymbolsArgs {
  files: string[];
  relocs?: boolean;
  "dyn-syms"?: boolean;
  json?: boolean;
}

export const symbolsCommand: CommandModule<object, SymbolsArgs> = {
  command: "symbols <files..>",
  describe: "Print ELF symbol tables like readelf -sW (--relocs: relocations like readelf -rW; --json)",
  builder: (y) =>
    y
      .positional("files", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "ELF objects, modules (.ko, .ko.xz, .ko.zst, .ko.gz) or vmlinux",
      })
      .option("relocs", {
        type: "boolean",
        alias: "r",
        describe: "also print relocations (readelf -rW layout)",
      })
      .option("dyn-syms", {
        type: "boolean",
        alias: "dynamic",
        describe: "only the dynamic symbol table (.dynsym)",
      })
      .option("json", { type: "boolean", describe: 'JSON output; 64-bit values as "0x…" strings' }),
  handler: (argv) =>
    runAction(() =>
      printSymbols(argv.files, {
        relocs: argv.relocs === true,
        dynamicOnly: argv["dyn-syms"] === true,
        json: argv.json === true,
      }),
    ),
};

interface PrintOptions {
  relocs: boolean;
  dynamicOnly: boolean;
  json: boolean;
}

async function printSymbols(paths: readonly string[], opts: PrintOptions): Promise<number> {
  // Loaded here, not at start-up, so other commands don't pay for the ELF code and vice versa.
  const [{ elfFromFileContents }, format] = await Promise.all([
    import("../../elf/read-file.js"),
    opts.json ? import("../../elf/symbols-json.js") : import("../../elf/readelf-format.js"),
  ]);
  const files = [];
  for (const path of paths) {
    // Read synchronously: a 2 MB module read through fs/promises takes several trips to the thread
    // pool, which is most of what listing it takes.
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path === "-" || path === "/dev/stdin" ? 0 : path);
    } catch (error) {
      throw namingFile(error, path);
    }
    files.push(await elfFromFileContents(path, bytes));
  }
  const output =
    "formatSymbolsJson" in format
      ? format.formatSymbolsJson(files, opts)
      : format.symbolsListingBytes(files, opts);
  await writeAll(output);
  return EXIT_OK;
}

const FLAGS: Readonly<Record<string, keyof PrintOptions>> = {
  "--relocs": "relocs",
  "-r": "relocs",
  "--dyn-syms": "dynamicOnly",
  "--dynamic": "dynamicOnly",
  "--json": "json",
};

/**
 * Runs `symbols FILE… [--relocs] [--dyn-syms] [--json]` without yargs, whose loading costs about 0.1 s
 * per run (more than listing a 2 MB module). `args` are the arguments after the program name.
 * Returns false, having done nothing, for anything else (help, unknown options, `--` …): the caller
 * then goes through yargs as usual.
 */
export async function runSymbolsWithoutYargs(args: readonly string[]): Promise<boolean> {
  if (args[0] !== "symbols") return false;
  const opts: PrintOptions = { relocs: false, dynamicOnly: false, json: false };
  const paths: string[] = [];
  for (const arg of args.slice(1)) {
    const flag = FLAGS[arg];
    if (flag !== undefined) opts[flag] = true;
    else if (arg.startsWith("-")) return false;
    else paths.push(arg);
  }
  if (paths.length === 0) return false;
  await runAction(() => printSymbols(paths, opts));
  return true;
}

/**
 * Writes the whole output to stdout with blocking writes: process.stdout would load Node's stream
 * modules first, a noticeable part of a small run. A closed pipe is not an error.
 */
async function writeAll(output: string | Uint8Array): Promise<void> {
  const bytes = typeof output === "string" ? Buffer.from(output, "utf8") : output;
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(STDOUT, bytes, written, bytes.length - written);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // stdout was left non-blocking by whoever opened it: let the stream wait for it to drain.
    if (code === "EAGAIN") await writeToStream(bytes.subarray(written));
    else if (code !== "EPIPE") reportWriteError(error as Error);
  }
}

const STDOUT = 1;

function writeToStream(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") reportWriteError(error);
      resolve();
    });
    process.stdout.write(bytes, () => resolve());
  });
}

function reportWriteError(error: Error): void {
  process.stderr.write(`klpmatch: writing output: ${error.message}\n`);
}
