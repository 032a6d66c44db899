// The fan-out scenario: connect N streams, broadcast a few rounds, publish to
// one uid at a time (closed loop), and read the server's memory per stream.
import { processUsage, streamsWithinFdLimit, workerdHeapBytes } from "../servers.mjs";
import { hubStats, SETTLE_MS, sleep, withServer } from "./common.mjs";

/** `options`: { root, log, rounds, targeted, heartbeatMs, onDisk }. */
export async function fanout(name, requested, options) {
  const { root, log } = options;
  // The reserve of descriptors covers the 8 closed-loop publishers.
  const n = streamsWithinFdLimit(name, requested, 0);
  const label = `[fanout ${name} n=${requested}]`;
  if (n < requested) log(`${label} the descriptor limit allows ${n} streams: opening ${n}`);
  const serverOptions = { hubVars: { HEARTBEAT_MS: String(options.heartbeatMs) }, onDisk: options.onDisk };
  return withServer(name, { root, log, label, serverOptions }, async (server, client) => {
    const inspectorUrl = server.inspectorUrl ?? null;
    // Warm up: the hub object, its SQLite tables and the JIT exist before the baseline.
    await client.call("connectAll", { n: 16, timeoutMs: 10_000 });
    await client.call("targeted", { count: 20, timeoutMs: 10_000 });
    await client.call("closeAll");
    await sleep(SETTLE_MS);
    const heapBefore = inspectorUrl === null ? null : await workerdHeapBytes(inspectorUrl, server.port);
    const before = processUsage(server.pid);

    log(`${label} connecting`);
    const connect = await client.call("connectAll", { n, timeoutMs: 120_000 });
    log(`${label} ${connect.open}/${n} open at ${Math.round(connect.perSecond)}/s`);
    await sleep(SETTLE_MS);
    const after = processUsage(server.pid);
    const heapAfter = inspectorUrl === null ? null : await workerdHeapBytes(inspectorUrl, server.port);
    const open = Math.max(1, connect.open);
    const memory = {
      rssBefore: before.rssBytes,
      rssAfter: after.rssBytes,
      rssPerStream: (after.rssBytes - before.rssBytes) / open,
      fdsPerStream: (after.fds - before.fds) / open,
      heapPerStream: heapAfter === null ? null : (heapAfter - heapBefore) / open,
    };

    const cpuBefore = processUsage(server.pid).cpuMs;
    const broadcast = await client.call("broadcast", { rounds: options.rounds, timeoutMs: 30_000, pauseMs: 300 });
    broadcast.serverCpuUsPerDelivery = ((processUsage(server.pid).cpuMs - cpuBefore) * 1000) / Math.max(1, broadcast.delivered);
    const targeted = await client.call("targeted", { count: options.targeted, timeoutMs: 30_000 });
    const stats = name === "workerd" ? await hubStats(server.port) : null;
    return { scenario: "fanout", server: name, step: String(requested), n: requested, connect, memory, broadcast, targeted, stats };
  });
}

/** A lost message is a failure, not a statistic. */
export function fanoutFailures(result) {
  const label = `fanout ${result.server} n=${result.n}`;
  const lost = [];
  if (result.connect.open < result.connect.requested)
    lost.push(`${label}: ${result.connect.requested - result.connect.open} streams failed to open`);
  if (result.stats !== null && result.stats.dropped.slow > 0) lost.push(`${label}: the hub cut ${result.stats.dropped.slow} slow streams`);
  if (result.broadcast.delivered < result.broadcast.expected)
    lost.push(`${label}: broadcast lost ${result.broadcast.expected - result.broadcast.delivered}`);
  if (result.targeted.delivered < result.targeted.sent || result.targeted.failed > 0)
    lost.push(`${label}: targeted lost ${result.targeted.sent - result.targeted.delivered}, failed ${result.targeted.failed}`);
  for (const part of ["broadcast", "targeted"]) {
    if (result[part].duplicates > 0) lost.push(`${label}: ${part} delivered ${result[part].duplicates} duplicates`);
    if (result[part].misdelivered > 0) lost.push(`${label}: ${part} reached ${result[part].misdelivered} wrong streams`);
  }
  return lost;
}
