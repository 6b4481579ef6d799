// npm run bundle: the CLI as the package ships it, dist/bin/klpmatch.js (the entry: dispatch and the
// yargs-free `symbols`) and dist/bin/cli.js (the yargs program with every command), each one CommonJS
// file. Node 20 loads one such file far sooner than it resolves and links ES modules one by one (and
// `require("node:fs")` skips the ESM facade that loads Node's stream modules); a `symbols` run
// compiles a quarter of the code.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20.19",
  format: "cjs",
  // execa stays a package of its own, loaded by require() (require(esm) is on from Node 20.19, the
  // package's engines) when xz, zstd or objdump is run.
  external: ["execa"],
  // yargs' dependencies measure help text with string-width, whose loading costs more than a command.
  alias: { "string-width": "./cmd/text-width.ts" },
  supported: { "dynamic-import": false },
  // CommonJS has no import.meta: the shim gives import.meta.url the bundle file's URL.
  inject: ["cmd/bundle-import-meta.ts"],
  define: { "import.meta.url": "bundleImportMetaUrl" },
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: ["cmd/klpmatch.ts"],
  outfile: "dist/bin/klpmatch.js",
  external: [...common.external, "./cli.js"],
});
// yargs and diff are bundled: loading their ES modules one by one took 70 ms of every command's run.
const cli = await build({
  ...common,
  entryPoints: ["cmd/cli.ts"],
  outfile: "dist/bin/cli.js",
  metafile: true,
});
// The package is "type": "module"; these two files are CommonJS.
writeFileSync("dist/bin/package.json", `${JSON.stringify({ type: "commonjs" })}\n`);
writeFileSync("dist/bin/THIRD-PARTY-LICENSES.txt", thirdPartyLicenses(Object.keys(cli.metafile.inputs)));

/** The license of every package whose code the bundle holds, as their licenses ask copies to carry. */
function thirdPartyLicenses(inputs) {
  const roots = new Set();
  for (const input of inputs) {
    const at = input.lastIndexOf("node_modules/");
    if (at < 0) continue;
    const rest = input.slice(at + "node_modules/".length).split("/");
    roots.add(
      input.slice(0, at) + "node_modules/" + rest.slice(0, rest[0].startsWith("@") ? 2 : 1).join("/"),
    );
  }
  const parts = ["dist/bin/cli.js bundles code of these packages, under their own licenses:\n"];
  for (const root of [...roots].sort()) {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const file = readdirSync(root).find((name) => /^(licen[cs]e|copying)/i.test(name));
    if (file === undefined) throw new Error(`${root}: no license file to ship with the bundle`);
    const text = readFileSync(join(root, file), "utf8").trim();
    parts.push(`\n${"=".repeat(78)}\n${pkg.name}@${pkg.version} (${pkg.license})\n\n${text}\n`);
  }
  return parts.join("");
}
