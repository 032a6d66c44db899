// Starts `wrangler dev` on local workerd for the Node-side tests (e2e, browser): a free port on
// 127.0.0.1, its own storage folder, settings passed as --var and nothing else.
// stop() ends the process group it started, whatever state it is in.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const READY_DEADLINE_MS = 90_000;
const STOP_DEADLINE_MS = 10_000;
export interface WranglerDev {
  readonly baseUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

interface WranglerDevOptions {
  readonly vars: Record<string, string>;
  /** Default: a free port. Pass the old one to restart a server under the same URL. */
  readonly port?: number;
  /** Durable Object storage. Default: a new folder, removed by stop(); a given one is kept. */
  readonly stateDir?: string;
}

export async function startWranglerDev({ vars, port: fixedPort, stateDir: givenStateDir }: WranglerDevOptions): Promise<WranglerDev> {
  const port = fixedPort ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const stateDir = givenStateDir ?? mkdtempSync(join(tmpdir(), "edge-inbox-browser-"));
  // wrangler reads the developer's .dev.vars (or .env) over our --var values unless it is
  // given env files of its own: an empty one keeps the tests' settings exactly as passed.
  const envDir = mkdtempSync(join(tmpdir(), "edge-inbox-env-"));
  const emptyEnvFile = join(envDir, "empty.env");
  writeFileSync(emptyEnvFile, "");
  const args = [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    stateDir,
    "--show-interactive-dev-session=false",
    "--env-file",
    emptyEnvFile,
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  // process.execPath is the Node the tests run on (the project's node@24 under npm scripts).
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
      CI: "true",
      // Nor may the shell's environment stand in for a setting.
      CLOUDFLARE_INCLUDE_PROCESS_ENV: "false",
    },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const dev: WranglerDev = {
    baseUrl,
    port,
    stop: async () => {
      await stopGroup(child);
      rmSync(envDir, { recursive: true, force: true });
      if (givenStateDir === undefined) rmSync(stateDir, { recursive: true, force: true });
    },
  };
  try {
    // The API document answers whatever the settings (DEMO_PAGE=off hides /message).
    await waitUntilServing(baseUrl, child, () => output, "/openapi.json");
  } catch (error) {
    await dev.stop();
    throw error;
  }
  return dev;
}

/** Until `path` answers 200 (the demo page by default). */
export async function waitUntilServing(baseUrl: string, child: ChildProcess, log: () => string, path = "/message"): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not serve ${baseUrl}${path} within ${READY_DEADLINE_MS} ms:\n${log()}`);
}

/** SIGTERM to the group wrangler leads (it starts workerd), SIGKILL if it lingers. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup("SIGTERM");
  const timer = setTimeout(() => signalGroup("SIGKILL"), STOP_DEADLINE_MS);
  await exited;
  clearTimeout(timer);
  // workerd may outlive wrangler's own exit by a moment; make sure the group is gone.
  signalGroup("SIGKILL");
}
