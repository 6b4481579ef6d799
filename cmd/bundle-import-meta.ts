// import.meta.url for the CommonJS bundle (dist/klpmatch.cjs), which has no import.meta: esbuild's
// --inject puts this in, and --define makes every import.meta.url read it (see package.json's bundle).
import { pathToFileURL } from "node:url";

export const bundleImportMetaUrl = pathToFileURL(__filename).href;
