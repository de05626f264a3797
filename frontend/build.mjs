// Builds the card's sources into the one file the integration serves.
// `node build.mjs --check` builds in memory and fails when the checked-in file
// differs, so a change to the sources cannot land without its bundle.
import { readFile, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const OUTPUT = new URL(
  "../custom_components/dland_assistant/frontend/dland-assistant-card.js",
  import.meta.url,
);
const BANNER =
  "// dland assistant: Mission Control card. Built from frontend/src by frontend/build.mjs; do not edit.";

const result = await build({
  entryPoints: [new URL("src/index.js", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  target: "es2021",
  minify: true,
  legalComments: "none",
  banner: { js: BANNER },
  write: false,
  logLevel: "warning",
});
const bundle = result.outputFiles[0].text;

if (process.argv.includes("--check")) {
  const current = await readFile(OUTPUT, "utf8").catch(() => "");
  if (current !== bundle) {
    console.error(
      "The checked-in card is stale: run `scripts/build-card` and commit " +
        "custom_components/dland_assistant/frontend/dland-assistant-card.js.",
    );
    process.exit(1);
  }
} else {
  await writeFile(OUTPUT, bundle);
  console.log(`${OUTPUT.pathname}: ${bundle.length} bytes`);
}
