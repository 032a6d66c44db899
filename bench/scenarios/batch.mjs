// The batch scenario (issue 14): N streams on the hub; the same number of
// targeted messages published one per POST /update (closed loop, 8 in
// flight) and in batches of POST /update {messages} (closed loop), in the
// same server run. Reported in messages per second; nothing may be lost.
// Only the hub has batches, so only the hub runs it.
import { processUsage } from "../servers.mjs";
import { hubStats, SETTLE_MS, sleep, withServer } from "./common.mjs";

/** Batches outstanding at once. */
const BATCHES_IN_FLIGHT = 2;

/** `options`: { root, log, n, messages, size, heartbeatMs, onDisk }. */
export async function batch(options) {
  const { root, log, n } = options;
  const label = `[batch workerd n=${n}]`;
  // A batch of 500 bench messages is ~40 KB; room to spare under the 1 MiB ceiling.
  const serverOptions = { hubVars: { HEARTBEAT_MS: String(options.heartbeatMs), MAX_BODY_BYTES: String(1 << 20) }, onDisk: options.onDisk };
  return withServer("workerd", { root, log, label, serverOptions }, async (server, client) => {
    await client.call("connectAll", { n: 16, timeoutMs: 10_000 });
    await client.call("targeted", { count: 20, timeoutMs: 10_000 });
    await client.call("batch", { total: 100, size: 50, inFlight: 1, timeoutMs: 10_000 });
    await client.call("closeAll");
    log(`${label} connecting`);
    const connect = await client.call("connectAll", { n, timeoutMs: 120_000 });
    await sleep(SETTLE_MS);
    const cpuOf = async (call) => {
      const before = processUsage(server.pid).cpuMs;
      const result = await call();
      return { ...result, serverCpuUsPerMessage: ((processUsage(server.pid).cpuMs - before) * 1000) / Math.max(1, result.sent) };
    };
    log(`${label} ${options.messages} targeted messages, one per publish`);
    const single = await cpuOf(() => client.call("targeted", { count: options.messages, timeoutMs: 120_000 }));
    await sleep(SETTLE_MS);
    log(`${label} ${options.messages} targeted messages, ${options.size} per batch`);
    const batched = await cpuOf(() =>
      client.call("batch", { total: options.messages, size: options.size, inFlight: BATCHES_IN_FLIGHT, timeoutMs: 120_000 }),
    );
    const stats = await hubStats(server.port);
    return { scenario: "batch", server: "workerd", step: String(n), n, size: options.size, connect, single, batched, stats };
  });
}

export function batchFailures(result) {
  const label = `batch workerd n=${result.n}`;
  const lost = [];
  if (result.connect.open < result.connect.requested)
    lost.push(`${label}: ${result.connect.requested - result.connect.open} streams failed to open`);
  if (result.stats.dropped.slow > 0) lost.push(`${label}: the hub cut ${result.stats.dropped.slow} slow streams`);
  for (const [name, part] of [
    ["single", result.single],
    ["batched", result.batched],
  ]) {
    const acked = part.acked ?? part.sent;
    if (part.failed > 0) lost.push(`${label}: ${name}: ${part.failed} publishes failed`);
    if (part.delivered < acked) lost.push(`${label}: ${name}: lost ${acked - part.delivered} of ${acked}`);
    if (part.duplicates > 0) lost.push(`${label}: ${name}: ${part.duplicates} duplicates`);
  }
  return lost;
}
