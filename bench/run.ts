// npm run bench: runs every bench/*.bench.ts in turn. Each reports its own figures as ratios
// against a baseline measured in the same run.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const file of files) {
  process.stdout.write(`\n== ${file}\n`);
  const mod = (await import(new URL(file, import.meta.url).href)) as { run: () => Promise<void> };
  await mod.run();
}
