// `npm run build` (and `npm pack`, through prepack): the publishable package in dist/.
//   dist/client/index.js  the browser client (src/client/), one ES module
//   dist/server/index.js  the publisher SDK (src/server/), one ES module
//   dist/widget/index.js  the bell (src/widget/): importing it defines <edge-inbox-bell>
//   dist/**/*.d.ts        their declarations, type-checked against the DOM lib
// Each entry is bundled with what it imports (eventsource-parser included), so
// the package has no dependencies and new files under src/client/,
// src/server/ or src/widget/ are picked up by being imported. The widget
// bundles its own copy of the client it uses.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const ENTRIES = { "client/index": "src/client/index.ts", "server/index": "src/server/index.ts", "widget/index": "src/widget/index.ts" };

rmSync(dist, { recursive: true, force: true });

const tsc = spawnSync(
  process.execPath,
  [
    join(root, "node_modules/typescript/bin/tsc"),
    "-p",
    "tsconfig.package.json",
    "--noEmit",
    "false",
    "--declaration",
    "--emitDeclarationOnly",
  ],
  { cwd: root, stdio: "inherit" },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const file of declarationFiles(dist)) writeFileSync(file, withNodeSpecifiers(file, readFileSync(file, "utf8")));

await build({
  entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([out, source]) => [out, join(root, source)])),
  outdir: dist,
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  target: "es2022",
  charset: "utf8",
  legalComments: "inline",
  banner: { js: "// edge-inbox: generated from src/ by scripts/build-package.mjs." },
  logLevel: "warning",
});

function declarationFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/**
 * tsc keeps the sources' extensionless specifiers ("./endpoint"), which only
 * bundlers resolve. Node's ESM resolution (NodeNext) needs the file itself:
 * "./endpoint.js" (found as endpoint.d.ts) or "./folder/index.js".
 */
function withNodeSpecifiers(file, text) {
  return text.replace(/(from\s+|import\()(["'])(\.{1,2}\/[^"']*)\2/g, (match, lead, quote, specifier) => {
    if (/\.js$/.test(specifier)) return match;
    const target = resolve(dirname(file), specifier);
    if (existsSync(`${target}.d.ts`)) return `${lead}${quote}${specifier}.js${quote}`;
    if (existsSync(join(target, "index.d.ts"))) return `${lead}${quote}${specifier}/index.js${quote}`;
    throw new Error(`${file}: cannot resolve ${specifier} to a declaration file`);
  });
}
