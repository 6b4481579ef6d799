// Paths the tests share: the project root, the built CLI, the bundled fixtures.

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** The CLI as the package ships it: one CommonJS bundle (package.json bin). */
export const CLI = join(ROOT, "dist", "bin", "klpmatch.js");
export const FIXTURES = join(ROOT, "fixtures");
