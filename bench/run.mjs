// `npm run bench`: fan-out benchmark of the real built Worker on workerd
// against two baselines started here, the seed design in Express and a bare
// node:http floor. For each N: connect N streams, broadcast, publish to one
// uid at a time, and read each server's memory. Prints a table with ratios,
// writes bench/results/latest.json and a chart of broadcast latency against N.
//
//   npm run bench -- --n 1000,5000,10000 --only workerd,express,node
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { latencyChart } from "./chart.mjs";
import { Client } from "./client-process.mjs";
import { BENCH_TOKEN, processUsage, startBaseline, startWorkerd, workerdHeapBytes } from "./servers.mjs";
import { summaryTable } from "./table.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SERVERS = ["workerd", "express", "node"];
const SETTLE_MS = 1500;
// workerd keeps two descriptors per accepted connection (the socket and a
// dup of it); past the hard limit it can accept nothing, not even a publish.
// So it is given as many streams as the limit allows, with room to spare.
const FDS_PER_STREAM = { workerd: 2, express: 1, node: 1 };
const FD_RESERVE = 100;

const { values: flags } = parseArgs({
  options: {
    n: { type: "string", default: "1000,5000,10000" },
    only: { type: "string", default: SERVERS.join(",") },
    rounds: { type: "string", default: "5" },
    targeted: { type: "string", default: "2000" },
    "heartbeat-ms": { type: "string", default: "15000" },
    disk: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
  },
});
const steps = flags.n.split(",").map(Number);
const only = flags.only.split(",");
const rounds = Number(flags.rounds);
const targetedCount = Number(flags.targeted);
const heartbeatMs = Number(flags["heartbeat-ms"]);
if (steps.some((n) => !Number.isInteger(n) || n < 1 || n > 50_000))
  throw new Error("--n takes whole numbers from 1 to 50000, comma-separated");
if (only.some((name) => !SERVERS.includes(name))) throw new Error(`--only takes ${SERVERS.join(", ")}`);
if (!(rounds >= 1 && rounds <= 50) || !(targetedCount >= 1 && targetedCount <= 100_000))
  throw new Error("--rounds 1..50, --targeted 1..100000");

const log = (text) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

function build() {
  log("building the Worker bundle (wrangler deploy --dry-run --outdir dist)");
  const result = spawnSync("wrangler", ["deploy", "--dry-run", "--outdir", "dist"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) throw new Error("the build failed; run `npm run build` to see why");
}

async function start(name) {
  if (name === "workerd") return startWorkerd(ROOT, { heartbeatMs, onDisk: flags.disk });
  return startBaseline(ROOT, name === "express" ? "seed-express.mjs" : "bare-node.mjs");
}

function fdHardLimit() {
  return Number(spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).stdout.trim()) || 1024;
}

async function measure(name, requested) {
  const n = Math.min(requested, Math.floor((fdHardLimit() - FD_RESERVE) / FDS_PER_STREAM[name]));
  const label = `[${name} n=${requested}]`;
  if (n < requested) log(`${label} the descriptor limit (${fdHardLimit()}) allows ${n} streams: opening ${n}`);
  const server = await start(name);
  const client = await Client.start(server.port, BENCH_TOKEN, (text) => log(`${label} ${text}`));
  try {
    // Warm up: the hub object, its SQLite tables and the JIT exist before the baseline.
    await client.call("connectAll", { n: 16, timeoutMs: 10_000 });
    await client.call("targeted", { count: 20, timeoutMs: 10_000 });
    await client.call("closeAll");
    await sleep(SETTLE_MS);
    const heapBefore = name === "workerd" ? await workerdHeapBytes(server.inspectorUrl) : null;
    const before = processUsage(server.pid);

    log(`${label} connecting`);
    const connect = await client.call("connectAll", { n, timeoutMs: 120_000 });
    log(`${label} ${connect.open}/${n} open at ${Math.round(connect.perSecond)}/s`);
    await sleep(SETTLE_MS);
    const after = processUsage(server.pid);
    const heapAfter = name === "workerd" ? await workerdHeapBytes(server.inspectorUrl) : null;
    const open = Math.max(1, connect.open);
    const memory = {
      rssBefore: before.rssBytes,
      rssAfter: after.rssBytes,
      rssPerStream: (after.rssBytes - before.rssBytes) / open,
      fdsPerStream: (after.fds - before.fds) / open,
      heapPerStream: heapAfter === null ? null : (heapAfter - heapBefore) / open,
    };

    const cpuBefore = processUsage(server.pid).cpuMs;
    const broadcast = await client.call("broadcast", { rounds, timeoutMs: 30_000, pauseMs: 300 });
    broadcast.serverCpuUsPerDelivery = ((processUsage(server.pid).cpuMs - cpuBefore) * 1000) / Math.max(1, broadcast.delivered);
    const targeted = await client.call("targeted", { count: targetedCount, timeoutMs: 30_000 });
    const stats = name === "workerd" ? await hubStats(server.port) : null;
    return { server: name, n: requested, connect, memory, broadcast, targeted, stats };
  } finally {
    await client.call("closeAll").catch(() => {});
    await client.stop();
    await server.stop();
  }
}

async function hubStats(port) {
  const response = await fetch(`http://127.0.0.1:${port}/stats`, { headers: { Authorization: `Bearer ${BENCH_TOKEN}` } });
  return response.json();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (!flags["skip-build"]) build();
const results = [];
for (const n of steps) {
  for (const name of SERVERS.filter((server) => only.includes(server))) {
    try {
      results.push(await measure(name, n));
    } catch (err) {
      log(`[${name} n=${n}] failed: ${err.message}`);
      results.push({ server: name, n, error: err.message.split("\n")[0] });
    }
  }
}

const outDir = join(ROOT, "bench", "results");
mkdirSync(outDir, { recursive: true });
const report = {
  when: new Date().toISOString(),
  machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
  settings: { rounds, targeted: targetedCount, heartbeatMs, storage: flags.disk ? "disk" : "memory" },
  results,
};
writeFileSync(join(outDir, "latest.json"), JSON.stringify(report, null, 2));
writeFileSync(join(outDir, "latency.svg"), latencyChart(results));
process.stdout.write(`\n${summaryTable(results)}\n`);
log(`results: bench/results/latest.json, chart: bench/results/latency.svg`);

// A lost message is a failure, not a statistic.
const failures = results.flatMap((result) => {
  const label = `${result.server} n=${result.n}`;
  if (result.error !== undefined) return [`${label}: ${result.error}`];
  const lost = [];
  if (result.connect.open < result.connect.requested)
    lost.push(`${label}: ${result.connect.requested - result.connect.open} streams failed to open`);
  if (result.stats !== null && result.stats.dropped.slow > 0) lost.push(`${label}: the hub cut ${result.stats.dropped.slow} slow streams`);
  if (result.broadcast.delivered < result.broadcast.expected)
    lost.push(`${label}: broadcast lost ${result.broadcast.expected - result.broadcast.delivered}`);
  if (result.targeted.delivered < result.targeted.sent || result.targeted.failed > 0)
    lost.push(`${label}: targeted lost ${result.targeted.sent - result.targeted.delivered}, failed ${result.targeted.failed}`);
  return lost;
});
if (failures.length > 0) {
  log(`FAILED:\n  ${failures.join("\n  ")}`);
  process.exitCode = 1;
}
