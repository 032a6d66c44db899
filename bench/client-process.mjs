// A bench client runs in its own process (bench/client.mjs, or
// bench/recovery-client.mjs), so its CPU and descriptors are never the
// servers'. This is its handle: call a command, get its result, with a
// deadline on every call.
import { fileURLToPath } from "node:url";
import { spawnWithFdLimit } from "./servers.mjs";

const CALL_TIMEOUT_MS = 300_000;

export class Client {
  /** `script`: the client's module in bench/, the load client unless told. */
  static async start(port, token, onProgress, script = "client.mjs") {
    const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
    const child = spawnWithFdLimit(process.execPath, [path], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const client = new Client(child, onProgress);
    await client.call("target", { port, token });
    return client;
  }

  constructor(child, onProgress) {
    this.child = child;
    this.pending = new Map();
    this.nextId = 0;
    child.on("message", (message) => {
      if (message.progress !== undefined) return onProgress(message.progress);
      const settle = this.pending.get(message.id);
      this.pending.delete(message.id);
      settle?.(message);
    });
    child.on("exit", (code) => {
      for (const settle of this.pending.values()) settle({ error: `the client exited with ${code}` });
      this.pending.clear();
    });
  }

  call(command, args = {}, timeoutMs = CALL_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`client ${command} took over ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        if (message.error !== undefined) reject(new Error(message.error));
        else resolve(message.result);
      });
      this.child.send({ id, command, args });
    });
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}

/** The child's side: answer each call with its command's result, or its error. */
export function serveCommands(commands) {
  process.on("message", async ({ id, command, args }) => {
    try {
      process.send({ id, result: await commands[command](args) });
    } catch (err) {
      process.send({ id, error: String(err?.stack ?? err) });
    }
  });
}
