// klpmatch diff ORIG PATCHED | --orig DIR --patched DIR: which functions a patch changed, the way
// kpatch's create-diff-object decides it, with the reasons. Exit 0 whenever a result was produced.
import { basename, relative } from "node:path";
import type { CommandModule } from "yargs";
import { cachedElfReader } from "../../elf/read-file.js";
import { type Disassembly, disassembleFunctions } from "../../lib/disassemble.js";
import { InputError } from "../../lib/input-error.js";
import {
  type DiffFormat,
  renderFunctionExplanation,
  renderObjectDiff,
  renderTreeDiff,
} from "../../lib/report/diff-render.js";
import { objectLabel } from "../../lib/report/diff-report.js";
import type { FunctionExplanation } from "../../lib/report/diff-types.js";
import { diffObjects } from "../../matcher/diff.js";
import { explainFunction } from "../../matcher/explain.js";
import { diffTrees, explainInTrees } from "../../pipeline/diff-trees.js";
import {
  diffKbuild,
  diffLinkedFiles,
  explainInKbuild,
  isKbuildPair,
  type KbuildDiff,
  kbuildSummary,
  kbuildTree,
} from "../../pipeline/kbuild.js";
import { EXIT_FLAGGED, EXIT_OK, runAction } from "../exit.js";

interface DiffArgs {
  origObject?: string;
  patchedObject?: string;
  orig?: string;
  patched?: string;
  json?: boolean;
  explain?: string;
  patch?: string[];
}

/** The function and its split parts on each side, disassembled one after the other. */
async function disassembleBoth(
  e: FunctionExplanation,
  origPath: string,
  patchedPath: string,
): Promise<{ orig: Disassembly | null; patched: Disassembly | null }> {
  const [orig, patched] = await Promise.all([
    disassembleFunctions(origPath, [e.origName, ...e.parts.map((p) => p.origName)]),
    disassembleFunctions(patchedPath, [e.patchedName, ...e.parts.map((p) => p.patchedName)]),
  ]);
  return { orig, patched };
}

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: "diff [origObject] [patchedObject]",
  describe:
    "Find the changed, new and deleted functions between an original and a patched object (or build tree)",
  builder: (y) =>
    y
      .positional("origObject", { type: "string", describe: "the original build's .o" })
      .positional("patchedObject", { type: "string", describe: "the patched build's .o" })
      .option("orig", {
        type: "string",
        requiresArg: true,
        describe: "original build tree (pairs *.o by relative path)",
      })
      .option("patched", { type: "string", requiresArg: true, describe: "patched build tree" })
      .option("json", { type: "boolean", describe: "JSON output (tree mode: an array, one object per pair)" })
      .option("explain", {
        type: "string",
        requiresArg: true,
        describe: "show one function's relocation differences and disassembly diff",
      })
      .option("patch", {
        type: "string",
        array: true,
        requiresArg: true,
        describe:
          "with two kernel build directories: the patch(es) the build applied, to tell changes LTO brought into other files (repeatable)",
      }),
  handler: (argv) =>
    runAction(async () => {
      const format: DiffFormat = argv.json ? "json" : "text";
      const pairMode = argv.origObject !== undefined || argv.patchedObject !== undefined;
      const treeMode = argv.orig !== undefined || argv.patched !== undefined;
      if (pairMode === treeMode) {
        throw InputError.usage(
          "diff",
          "give two objects (diff ORIG.o PATCHED.o) or two trees (--orig DIR --patched DIR)",
        );
      }
      if (pairMode) {
        if (argv.origObject === undefined || argv.patchedObject === undefined) {
          throw InputError.usage("diff", "missing the patched object: diff ORIG.o PATCHED.o");
        }
        // one reader for both uses: standard input can be read only once
        const read = cachedElfReader();
        const [orig, patched] = await Promise.all([read(argv.origObject), read(argv.patchedObject)]);
        const linked = await diffLinkedFiles(argv.origObject, argv.patchedObject, patchOption(argv), read);
        if (linked !== null) return renderLinked(linked, argv);
        if (argv.explain !== undefined) {
          const e = explainFunction(orig, patched, argv.explain);
          if (!e)
            throw InputError.usage(
              argv.explain,
              `no function of that name in ${orig.path} or ${patched.path}`,
            );
          process.stdout.write(
            renderFunctionExplanation(
              e,
              format,
              objectLabel(e.diff),
              await disassembleBoth(e, orig.path, patched.path),
              basename(patched.path),
            ),
          );
          return EXIT_OK;
        }
        const diff = diffObjects(orig, patched);
        process.stdout.write(renderObjectDiff(diff, format));
        // a change the diff step refuses (kpatch's create-diff-object fails on it) is exit 1: 2 is bad input
        return diff.verdict === "unsupported" ? EXIT_FLAGGED : EXIT_OK;
      }
      if (argv.orig === undefined || argv.patched === undefined) {
        throw InputError.usage("diff", "tree mode needs both --orig DIR and --patched DIR");
      }
      const origDir = argv.orig;
      const patchedDir = argv.patched;
      if (await isKbuildPair(origDir, patchedDir)) {
        return renderLinked(await diffKbuild(origDir, patchedDir, patchOption(argv)), argv);
      }
      if (argv.explain !== undefined) {
        const found = await explainInTrees(origDir, patchedDir, argv.explain);
        if (!found) {
          throw InputError.usage(
            argv.explain,
            `no changed, new or deleted function of that name in ${origDir} / ${patchedDir}`,
          );
        }
        const disassembly = await disassembleBoth(found.explanation, found.orig, found.patched);
        process.stdout.write(renderFunctionExplanation(found.explanation, format, found.path, disassembly));
        return EXIT_OK;
      }
      const tree = await diffTrees(origDir, patchedDir);
      const paths = tree.pairs.map((p) => relative(origDir, p.orig));
      process.stdout.write(renderTreeDiff(tree, format, { orig: origDir, patched: patchedDir }, { paths }));
      return tree.pairs.some((p) => p.verdict === "unsupported") ? EXIT_FLAGGED : EXIT_OK;
    }),
};

const patchOption = (argv: DiffArgs) => (argv.patch !== undefined ? { patch: argv.patch } : {});

/** Linked objects (two build directories' or a pair given), translation unit by translation unit. */
function renderLinked(d: KbuildDiff, argv: DiffArgs): number {
  const format: DiffFormat = argv.json ? "json" : "text";
  if (argv.explain !== undefined) {
    const found = explainInKbuild(d, argv.explain);
    if (!found) {
      throw new InputError(
        argv.explain,
        `no changed, new or deleted function of that name in ${d.inputs.map((i) => i.path).join(" / ")}`,
      );
    }
    // the units are views into vmlinux.o: no file of their own to disassemble
    const none = { orig: null, patched: null };
    process.stdout.write(renderFunctionExplanation(found.explanation, format, found.path, none));
    return EXIT_OK;
  }
  const { tree, paths } = kbuildTree(d);
  const dirs = { orig: d.inputs[0]?.path ?? "", patched: d.inputs[1]?.path ?? "" };
  const summary = format === "text" ? kbuildSummary(d) : "";
  process.stdout.write(renderTreeDiff(tree, format, dirs, { paths }) + summary);
  // as for pairs and trees: a change the diff step refuses is exit 1
  return tree.pairs.some((p) => p.verdict === "unsupported") ? EXIT_FLAGGED : EXIT_OK;
}
