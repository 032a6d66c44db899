// `npm run bench`: the real built Worker on workerd against baselines started
// here, in three scenarios (bench/README.md says how each works):
//   fanout   — for each N: connect, broadcast rounds, closed-loop targeted, memory;
//              against the workerd floor, the seed design in Express and bare node:http;
//   mixed    — N streams under open-loop targeted publishes plus a broadcast a second,
//              for a fixed time; against the workerd floor;
//   recovery — the hub killed and restarted under N resuming streams and a steady
//              publisher; with jittered reconnects and without.
// Prints a table per scenario, writes bench/results/latest.json and a chart of
// fan-out broadcast latency against N. Any lost or duplicated message fails the run.
//
//   npm run bench -- --scenarios fanout --n 1000,5000 --only workerd,workerd-floor
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { latencyChart } from "./chart.mjs";
import { batch, batchFailures } from "./scenarios/batch.mjs";
import { fanout, fanoutFailures } from "./scenarios/fanout.mjs";
import { mixed, mixedFailures } from "./scenarios/mixed.mjs";
import { recovery, recoveryFailures } from "./scenarios/recovery.mjs";
import { SERVERS } from "./servers.mjs";
import { batchTable, fanoutTable, mixedTable, recoveryTable } from "./table.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SCENARIOS = ["fanout", "mixed", "recovery", "batch"];
/** The mixed scenario compares the hub with the floor on the same runtime. */
const MIXED_SERVERS = ["workerd", "workerd-floor"];

const { values: flags } = parseArgs({
  options: {
    scenarios: { type: "string", default: SCENARIOS.join(",") },
    only: { type: "string", default: SERVERS.join(",") },
    n: { type: "string", default: "1000,5000,10000" },
    rounds: { type: "string", default: "5" },
    targeted: { type: "string", default: "2000" },
    "mixed-n": { type: "string", default: "1000,5000,max" },
    "mixed-seconds": { type: "string", default: "60" },
    "mixed-rate": { type: "string", default: "500" },
    "recovery-n": { type: "string", default: "2000" },
    "recovery-rate": { type: "string", default: "100" },
    "recovery-down-ms": { type: "string", default: "3000" },
    "recovery-retry-ms": { type: "string", default: "3000" },
    "batch-n": { type: "string", default: "1000" },
    "batch-messages": { type: "string", default: "10000" },
    "batch-size": { type: "string", default: "500" },
    "heartbeat-ms": { type: "string", default: "15000" },
    disk: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
  },
});

function listOf(flag, allowed) {
  const names = flags[flag].split(",");
  if (names.some((name) => !allowed.includes(name))) throw new Error(`--${flag} takes ${allowed.join(", ")}`);
  return names;
}

function numberOf(flag, min, max) {
  const value = Number(flags[flag]);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${flag} takes a whole number from ${min} to ${max}`);
  return value;
}

function stepsOf(flag, allowMax) {
  return flags[flag].split(",").map((step) => {
    if (allowMax && step === "max") return step;
    const n = Number(step);
    if (!Number.isInteger(n) || n < 1 || n > 50_000)
      throw new Error(`--${flag} takes whole numbers from 1 to 50000${allowMax ? " or max" : ""}`);
    return n;
  });
}

const scenarios = listOf("scenarios", SCENARIOS);
const only = listOf("only", SERVERS);
const settings = {
  heartbeatMs: numberOf("heartbeat-ms", 50, 25_000),
  onDisk: flags.disk,
  fanout: { steps: stepsOf("n", false), rounds: numberOf("rounds", 1, 50), targeted: numberOf("targeted", 1, 100_000) },
  mixed: { steps: stepsOf("mixed-n", true), seconds: numberOf("mixed-seconds", 1, 600), rate: numberOf("mixed-rate", 1, 5000) },
  recovery: {
    n: numberOf("recovery-n", 1, 9_000),
    rate: numberOf("recovery-rate", 1, 2000),
    downMs: numberOf("recovery-down-ms", 0, 60_000),
    retryMs: numberOf("recovery-retry-ms", 50, 60_000),
  },
  batch: { n: numberOf("batch-n", 1, 9_000), messages: numberOf("batch-messages", 1, 200_000), size: numberOf("batch-size", 1, 500) },
};

const log = (text) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

function build() {
  log("building the Worker bundle (npm run build:worker: wrangler deploy --dry-run)");
  const result = spawnSync("npm", ["run", "--silent", "build:worker"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) throw new Error("the build failed; run `npm run build:worker` to see why");
}

/** Runs one measurement; a crash becomes a failed result, and the run goes on. */
async function attempt(scenario, server, step, measure) {
  try {
    return await measure();
  } catch (err) {
    log(`[${scenario} ${server} n=${step}] failed: ${err.message}`);
    return { scenario, server, step: String(step), error: err.message.split("\n")[0] };
  }
}

if (!flags["skip-build"]) build();
const common = { root: ROOT, log, heartbeatMs: settings.heartbeatMs, onDisk: settings.onDisk };
const results = { fanout: [], mixed: [], recovery: [], batch: [] };
if (scenarios.includes("fanout")) {
  for (const n of settings.fanout.steps)
    for (const name of SERVERS.filter((server) => only.includes(server)))
      results.fanout.push(await attempt("fanout", name, n, () => fanout(name, n, { ...common, ...settings.fanout })));
}
if (scenarios.includes("mixed")) {
  for (const step of settings.mixed.steps)
    for (const name of MIXED_SERVERS.filter((server) => only.includes(server)))
      results.mixed.push(await attempt("mixed", name, step, () => mixed(name, step, { ...common, ...settings.mixed })));
}
if (scenarios.includes("recovery")) {
  for (const jitter of [true, false])
    results.recovery.push(
      await attempt("recovery", "workerd", settings.recovery.n, () => recovery({ ...common, ...settings.recovery, jitter })),
    );
}

if (scenarios.includes("batch") && only.includes("workerd")) {
  results.batch.push(await attempt("batch", "workerd", settings.batch.n, () => batch({ ...common, ...settings.batch })));
}

const outDir = join(ROOT, "bench", "results");
mkdirSync(outDir, { recursive: true });
const report = {
  when: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings,
  results,
};
writeFileSync(join(outDir, "latest.json"), JSON.stringify(report, null, 2));
if (results.fanout.length > 0) writeFileSync(join(outDir, "latency.svg"), latencyChart(results.fanout));
if (results.fanout.length > 0) process.stdout.write(`\nFan-out\n\n${fanoutTable(results.fanout)}\n`);
if (results.mixed.length > 0) process.stdout.write(`\nMixed load\n\n${mixedTable(results.mixed)}\n`);
if (results.recovery.length > 0) process.stdout.write(`\nRecovery\n\n${recoveryTable(results.recovery)}\n`);
if (results.batch.length > 0) process.stdout.write(`\nBatch publish\n\n${batchTable(results.batch)}\n`);
log("results: bench/results/latest.json, chart: bench/results/latency.svg");

// A lost message is a failure, not a statistic.
const failuresOf = { fanout: fanoutFailures, mixed: mixedFailures, recovery: recoveryFailures, batch: batchFailures };
const failures = Object.entries(results).flatMap(([scenario, list]) =>
  list.flatMap((result) =>
    result.error !== undefined ? [`${scenario} ${result.server} n=${result.step}: ${result.error}`] : failuresOf[scenario](result),
  ),
);
if (failures.length > 0) {
  log(`FAILED:\n  ${failures.join("\n  ")}`);
  process.exitCode = 1;
}
