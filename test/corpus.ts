// Where the shared real-data corpus lives. Corpus tests call corpusPath(); a missing corpus
// fails the run (it must never turn into skipped tests).
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CORPUS_DIR = resolve(fileURLToPath(new URL("../../shared/corpus", import.meta.url)));

export function corpusPath(...parts: string[]): string {
  if (!existsSync(CORPUS_DIR)) {
    throw new Error(
      `the corpus is missing: expected it at ${CORPUS_DIR} (../shared/corpus from the project root)`,
    );
  }
  return join(CORPUS_DIR, ...parts);
}
