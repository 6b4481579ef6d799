// import.meta.url for the CommonJS bundles in dist/bin/, which have no import.meta: esbuild injects
// this module, and every import.meta.url reads it instead (bundle.mjs).
import { pathToFileURL } from "node:url";

export const bundleImportMetaUrl = pathToFileURL(__filename).href;
