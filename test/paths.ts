// Paths the tests share: the project root, the built CLI, the bundled fixtures.

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
export const CLI = join(ROOT, "dist", "cmd", "klpmatch.js");
export const FIXTURES = join(ROOT, "fixtures");
