// import.meta.url for the CommonJS bundle (dist/bin/klpmatch.js), which has no import.meta: esbuild's
// --inject puts this in, and --define makes every import.meta.url read it (see bundle.mjs).
import { pathToFileURL } from "node:url";

export const bundleImportMetaUrl = pathToFileURL(__filename).href;
