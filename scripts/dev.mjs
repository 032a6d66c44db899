// `npm run dev`: the Worker on local workerd through `wrangler dev`, offline.
// On first run it writes .dev.vars (git-ignored) with a random local
// publisher token, then prints where everything is.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const devVarsPath = join(root, ".dev.vars");
const host = process.env.HOST ?? "127.0.0.1";
const port = process.env.PORT ?? "8787";

function localPublishToken() {
  const existing = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : "";
  const match = /^PUBLISH_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(existing);
  if (match) return match[1];
  const token = `local-${randomBytes(18).toString("base64url")}`;
  const prefix = existing === "" || existing.endsWith("\n") ? existing : `${existing}\n`;
  writeFileSync(devVarsPath, `${prefix}PUBLISH_TOKEN="${token}"\n`);
  return token;
}

const token = localPublishToken();
const secure = /^SUBSCRIBE_SECRET\s*=\s*"?[^"\s]/m.test(readFileSync(devVarsPath, "utf8"));
const base = `http://${host}:${port}`;
const publishExample = `curl -X POST ${base}/update -H 'Authorization: Bearer ${token}' \\
             -H 'Content-Type: application/json' -d '{"uid":"1","msg":"hello"}'`;
// Secure mode: a subscriber needs a token first, which the publisher mints (POST /token).
const subscribeExample = secure
  ? `TOKEN=$(curl -s -X POST ${base}/token -H 'Authorization: Bearer ${token}' \\
               -H 'Content-Type: application/json' -d '{"uid":"1"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')
        curl -N "${base}/push?uid=1&token=$TOKEN"`
  : `curl -N '${base}/push?uid=1'`;

console.log(`
edge-inbox on local workerd
  URL              ${base}
  demo page        ${base}/message?uid=1${secure ? "   (paste a subscriber token into its token field)" : ""}
  publisher token  ${token}   (from .dev.vars)
  subscribers      ${secure ? "need a token: SUBSCRIBE_SECRET is set in .dev.vars" : "open: any uid may listen (set SUBSCRIBE_SECRET in .dev.vars to require tokens)"}
  settings         .dev.vars is read once at start: restart npm run dev after editing it

  try:  ${subscribeExample}
  then, in another terminal:
        ${publishExample}
`);

// Run wrangler on the Node running this script: the project's Node 24 under npm run.
const wrangler = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const child = spawn(process.execPath, [wrangler, "dev", "--ip", host, "--port", port, "--local", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
