// Bundles the typed browser client (src/client/) into public/client.js, the
// copy the demo page imports. wrangler runs this before `wrangler dev` and
// `wrangler deploy` (the [build] section of wrangler.toml), so nothing is
// compiled at request time and the served file always matches the source.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

await build({
  entryPoints: [join(root, "src/client/index.ts")],
  outfile: join(root, "public/client.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  charset: "utf8",
  legalComments: "none",
  banner: { js: "// Generated from src/client/ by scripts/build-client.mjs; edit the TypeScript, not this file." },
  logLevel: "warning",
});
