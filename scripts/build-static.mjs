// Bundles the browser files the Worker serves as static assets:
//   public/client.js  the typed client (src/client/), which the demo page imports
//   public/widget.js  the bell, <edge-inbox-bell> (src/widget/), the client included
// wrangler runs this before `wrangler dev` and `wrangler deploy` (the [build]
// section of wrangler.toml), so nothing is compiled at request time and the
// served files always match the source.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The bell goes on every page of a site: it ships minified. The client stays readable for the demo page's developers.
const BUNDLES = {
  "client.js": { source: "src/client/index.ts", minify: false },
  "widget.js": { source: "src/widget/index.ts", minify: true },
};

await Promise.all(
  Object.entries(BUNDLES).map(([file, { source, minify }]) =>
    build({
      entryPoints: [join(root, source)],
      outfile: join(root, "public", file),
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      charset: "utf8",
      minify,
      legalComments: "none",
      banner: { js: `// Generated from ${source} by scripts/build-static.mjs; edit the TypeScript, not this file.` },
      logLevel: "warning",
    }),
  ),
);
