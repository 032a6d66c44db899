// The sustained mixed-load scenario: N streams, and for a fixed time
// targeted publishes at a set rate (open loop) plus one broadcast a second,
// the traffic a site has. The hub and the workerd floor get the same traffic.
import { processUsage, streamsWithinFdLimit } from "../servers.mjs";
import { hubStats, SETTLE_MS, sleep, withServer } from "./common.mjs";

/** Targeted publishes outstanding at once, at most; each holds a connection. */
const MAX_IN_FLIGHT = 32;
const BROADCAST_EVERY_MS = 1000;
/** An overloaded server's backlog of deliveries is awaited this long at most after the last publish. */
const DRAIN_MS = 180_000;

/** `requested` is a number or "max" (what the descriptor limit allows). `options`: { root, log, seconds, rate, heartbeatMs, onDisk }. */
export async function mixed(name, requested, options) {
  const { root, log } = options;
  const n = streamsWithinFdLimit(name, requested === "max" ? Number.POSITIVE_INFINITY : requested, MAX_IN_FLIGHT + 1);
  const label = `[mixed ${name} n=${n}]`;
  const serverOptions = { hubVars: { HEARTBEAT_MS: String(options.heartbeatMs) }, onDisk: options.onDisk };
  return withServer(name, { root, log, label, serverOptions }, async (server, client) => {
    await client.call("connectAll", { n: 16, timeoutMs: 10_000 });
    await client.call("targeted", { count: 20, timeoutMs: 10_000 });
    await client.call("closeAll");
    log(`${label} connecting`);
    const connect = await client.call("connectAll", { n, timeoutMs: 120_000 });
    log(`${label} ${connect.open}/${n} open; ${options.rate} targeted/s + 1 broadcast/s for ${options.seconds} s`);
    await sleep(SETTLE_MS);
    const cpuBefore = processUsage(server.pid).cpuMs;
    const args = {
      seconds: options.seconds,
      targetedPerSecond: options.rate,
      broadcastEveryMs: BROADCAST_EVERY_MS,
      maxInFlight: MAX_IN_FLIGHT,
      drainMs: DRAIN_MS,
    };
    // Sending stops at twice the time at most; then the last answers (30 s at most) and the drain.
    const load = await client.call("mixed", args, options.seconds * 2000 + 60_000 + DRAIN_MS);
    const deliveries = load.targeted.delivered + load.broadcast.delivered;
    load.serverCpuUsPerDelivery = ((processUsage(server.pid).cpuMs - cpuBefore) * 1000) / Math.max(1, deliveries);
    const stats = name === "workerd" ? await hubStats(server.port) : null;
    return { scenario: "mixed", server: name, step: String(requested), n, connect, load, stats };
  });
}

export function mixedFailures(result) {
  const label = `mixed ${result.server} n=${result.n}`;
  const { connect, load, stats } = result;
  const lost = [];
  if (connect.open < connect.requested) lost.push(`${label}: ${connect.requested - connect.open} streams failed to open`);
  if (stats !== null && stats.dropped.slow > 0) lost.push(`${label}: the hub cut ${stats.dropped.slow} slow streams`);
  if (load.streamsClosed > 0) lost.push(`${label}: ${load.streamsClosed} streams closed under load`);
  for (const kind of ["targeted", "broadcast"]) {
    const { expected, delivered, failures, sent, scheduled } = load[kind];
    if (delivered < expected) lost.push(`${label}: ${kind} lost ${expected - delivered} of ${expected} deliveries`);
    const failed = Object.entries(failures);
    if (failed.length > 0) lost.push(`${label}: ${kind} publishes failed: ${failed.map(([why, count]) => `${count}× ${why}`).join(", ")}`);
    if (sent < scheduled) lost.push(`${label}: ${kind} sent ${sent} of ${scheduled} scheduled before the time limit`);
  }
  if (load.unanswered > 0) lost.push(`${label}: ${load.unanswered} publishes never answered`);
  if (load.duplicates > 0) lost.push(`${label}: ${load.duplicates} duplicate deliveries`);
  if (load.misdelivered > 0) lost.push(`${label}: ${load.misdelivered} deliveries to the wrong stream`);
  return lost;
}
