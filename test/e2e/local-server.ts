// Starts the real Worker with `wrangler dev` on a free 127.0.0.1 port, for
// tests that need real sockets. Every wait has a deadline; `stop` always kills it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_VARS } from "../helpers/test-settings.ts";

export interface LocalServer {
  readonly base: string;
  readonly port: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const WRANGLER = join(process.cwd(), "node_modules", "wrangler", "bin", "wrangler.js");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** `vars` override the suite's settings (every one is passed, so no .dev.vars leaks in). */
export async function startLocalServer(vars: Record<string, string> = {}): Promise<LocalServer> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "edge-inbox-e2e-"));
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--log-level", "warn"];
  args.push("--show-interactive-dev-session=false");
  for (const [name, value] of Object.entries({ ...TEST_VARS, ...vars })) args.push("--var", `${name}:${value}`);
  // The Node running this test runs wrangler too: the project's own Node 24, not the system's.
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killGroup(child);
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(base, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, port, stop };
}

async function waitUntilServing(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output()}`);
    try {
      const response = await fetch(`${base}/nope`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 404) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not serve within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

/** wrangler starts workerd children: end the whole process group. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
