// Starts the built Worker on workerd directly, with no `wrangler dev` proxy
// in front: for what the proxy would blur, such as when a closed client is
// noticed (the proxy notices first, on its own write, then closes upstream).
// The same config the bench uses (bench/workerd-config.mjs).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCompatibility, workerdConfig } from "../../bench/workerd-config.mjs";
import { freePort, stopGroup, waitUntilServing } from "./wrangler-dev.ts";

const ROOT = join(import.meta.dirname, "..", "..");

export interface Workerd {
  readonly baseUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startWorkerd(vars: Record<string, string>): Promise<Workerd> {
  const dir = mkdtempSync(join(tmpdir(), "edge-inbox-workerd-"));
  mkdirSync(join(dir, "storage"));
  const build = spawnSync(
    process.execPath,
    ["node_modules/wrangler/bin/wrangler.js", "deploy", "--dry-run", "--outdir", join(dir, "dist")],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    },
  );
  if (build.status !== 0) throw new Error(`the bundle did not build:\n${build.stderr}`);
  const port = await freePort();
  const config = workerdConfig({
    bundle: "dist/index.js",
    storageDir: join(dir, "storage"),
    port,
    compatibility: readCompatibility(join(ROOT, "wrangler.toml")),
    vars,
  });
  writeFileSync(join(dir, "config.capnp"), config);
  const binary = join(ROOT, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
  const child: ChildProcess = spawn(binary, ["serve", join(dir, "config.capnp")], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: Workerd = {
    baseUrl,
    port,
    async stop() {
      await stopGroup(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // No static assets here (no demo page): an empty inbox answers 200 in open mode.
    await waitUntilServing(baseUrl, child, () => output, "/inbox?uid=ready");
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
