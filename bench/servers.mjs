// The servers the bench compares, each started as its own process with
// the descriptor limit raised to the hard limit, and measured from /proc.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HUB_DURABLE_OBJECT, readCompatibility, workerdConfig } from "./workerd-config.mjs";

export const BENCH_TOKEN = "bench-publisher-token";
const READY_TIMEOUT_MS = 20_000;
const WAKE_MS = 200;

/** `sh` raises the soft descriptor limit to the hard one, then becomes the command. */
export function spawnWithFdLimit(command, args, options) {
  return spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"', command, ...args], options);
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** Resident memory (bytes), open descriptors and CPU time used so far (ms) of one process. */
export function processUsage(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  // /proc/<pid>/stat: fields 14 and 15 (utime, stime) follow the ")" that ends the name.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const [utime, stime] = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .slice(11, 13)
    .map(Number);
  return {
    rssBytes: rssKb * 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND,
  };
}

async function untilListening(port, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before listening`);
    const ok = await new Promise((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not listen on ${port} within ${READY_TIMEOUT_MS} ms`);
}

async function startProcess(command, args, port, extra = {}) {
  const child = spawnWithFdLimit(command, args, { stdio: ["ignore", "ignore", "pipe"], ...extra });
  let stderr = "";
  child.stderr.on("data", (part) => (stderr = (stderr + part).slice(-4000)));
  try {
    await untilListening(port, child, Date.now() + READY_TIMEOUT_MS);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${err.message}\n${stderr}`);
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return {
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
    /** The way a machine or a runtime dies: no shutdown, no flush. */
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The Workers the bench serves with workerd: the real built hub, and the floor baseline. */
export const WORKERD_WORKERS = {
  // Where `npm run build:worker` writes the bundle `wrangler deploy` would upload.
  workerd: { module: [".wrangler", "dry-run", "index.js"], durableObject: HUB_DURABLE_OBJECT },
  "workerd-floor": { module: ["bench", "baselines", "workerd-floor.mjs"], durableObject: { binding: "FLOOR_HUB", className: "FloorHub" } },
};

/**
 * One of WORKERD_WORKERS on workerd, no dev proxy. The objects' SQLite files
 * go to a temp dir in memory (/dev/shm) unless `onDisk`: this VM's disk sync
 * costs milliseconds per commit, which is not what production storage does.
 * `kill` and `restart` keep the dir and the port, so a restarted hub finds
 * its storage as a restarted Durable Object does; `stop` removes them.
 */
export async function startWorkerd(root, worker, { vars = {}, onDisk = false } = {}) {
  const base = !onDisk && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, "edge-inbox-bench-"));
  mkdirSync(join(dir, "storage"));
  const bundle = worker.module.at(-1);
  copyFileSync(join(root, ...worker.module), join(dir, bundle));
  const port = await freePort();
  const inspectorPort = await freePort();
  writeFileSync(
    join(dir, "config.capnp"),
    workerdConfig({
      bundle,
      durableObject: worker.durableObject,
      storageDir: join(dir, "storage"),
      port,
      compatibility: readCompatibility(join(root, "wrangler.toml")),
      vars,
    }),
  );
  const workerd = join(root, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
  const launch = () => startProcess(workerd, ["serve", join(dir, "config.capnp"), `--inspector-addr=127.0.0.1:${inspectorPort}`], port);
  let running = await launch();
  return {
    port,
    inspectorUrl: `ws://127.0.0.1:${inspectorPort}/main`,
    get pid() {
      return running.pid;
    },
    kill: () => running.kill(),
    async restart() {
      await running.kill();
      running = await launch();
    },
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBaseline(root, file) {
  const port = await freePort();
  return startProcess(process.execPath, [join(root, "bench", "baselines", file), String(port)], port);
}

/**
 * The V8 heap of workerd's isolate, after a full GC, read over the inspector
 * protocol. workerd runs the GC only when the isolate next has work, so a
 * request to `port` is sent every WAKE_MS until it answers.
 */
export async function workerdHeapBytes(inspectorUrl, port) {
  const socket = new WebSocket(inspectorUrl);
  const pending = new Map();
  let nextId = 0;
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  };
  const call = (method) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), 60_000);
      pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message.result);
      });
      socket.send(JSON.stringify({ id, method }));
    });
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error(`cannot reach the inspector at ${inspectorUrl}`));
  });
  const wake = setInterval(() => fetch(`http://127.0.0.1:${port}/`, { redirect: "manual" }).catch(() => {}), WAKE_MS);
  try {
    await call("HeapProfiler.collectGarbage");
    const usage = await call("Runtime.getHeapUsage");
    return usage.usedSize;
  } finally {
    clearInterval(wake);
    socket.close();
  }
}

/** The servers the bench knows, by the names `--only` takes. */
export const SERVERS = ["workerd", "workerd-floor", "express", "node"];
const BASELINE_FILES = { express: "seed-express.mjs", node: "bare-node.mjs" };

/** Any of SERVERS; `hubVars` are the hub's settings (the floor and the Node baselines take none). */
export function startServer(root, name, { hubVars = {}, onDisk = false } = {}) {
  if (name === "workerd") {
    return startWorkerd(root, WORKERD_WORKERS.workerd, {
      onDisk,
      vars: { PUBLISH_TOKEN: BENCH_TOKEN, MAX_STREAMS: "1000000", ...hubVars },
    });
  }
  if (name === "workerd-floor") return startWorkerd(root, WORKERD_WORKERS["workerd-floor"], { onDisk });
  return startBaseline(root, BASELINE_FILES[name]);
}

// workerd keeps two descriptors per accepted connection (the socket and a
// dup of it); past the hard limit it can accept nothing, not even a publish.
const FDS_PER_CONNECTION = { workerd: 2, "workerd-floor": 2, express: 1, node: 1 };
const FD_RESERVE = 100;

export function fdHardLimit() {
  return Number(spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).stdout.trim()) || 1024;
}

/**
 * How many streams `name` can hold under the descriptor hard limit, with room
 * for `otherConnections` (publishers) and a reserve; at most `requested`.
 */
export function streamsWithinFdLimit(name, requested, otherConnections) {
  const perConnection = FDS_PER_CONNECTION[name];
  return Math.min(requested, Math.floor((fdHardLimit() - FD_RESERVE) / perConnection) - otherConnections);
}
