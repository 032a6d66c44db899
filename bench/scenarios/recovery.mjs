// The recovery scenario (issue 10): N streams that resume as EventSource
// does, a publisher sending targeted messages at a steady rate and retrying
// with the same key until it is answered 200, and the hub's process killed
// (SIGKILL) and started again on the same storage while both go on. Run with
// the hub's jittered `retry:` and with RETRY_JITTER_MS=0, side by side.
import { sleep, withServer } from "./common.mjs";

/** Publishing before the kill, so some streams have seen a message and some have not. */
const BEFORE_KILL_MS = 2000;
/** Publishing goes on this long after every stream is back with what it missed. */
const TAIL_MS = 1000;
const FINISH_TIMEOUT_MS = 90_000;

/** `options`: { root, log, n, rate, downMs, retryMs, heartbeatMs, jitter }. */
export async function recovery(options) {
  const { root, log, n, jitter } = options;
  const label = `[recovery ${jitter ? "jittered" : "no jitter"} n=${n}]`;
  const hubVars = {
    HEARTBEAT_MS: String(options.heartbeatMs),
    RETRY_MS: String(options.retryMs),
    ...(jitter ? {} : { RETRY_JITTER_MS: "0" }),
  };
  // The hub's SQLite files stay in their /dev/shm dir across the restart.
  return withServer("workerd", { root, log, label, serverOptions: { hubVars }, client: "recovery-client.mjs" }, async (server, client) => {
    const opened = await client.call("open", { n, timeoutMs: 120_000 });
    log(`${label} ${opened.open}/${n} streams live; publishing ${options.rate}/s`);
    await client.call("startPublishing", { rate: options.rate });
    await sleep(BEFORE_KILL_MS);
    await client.call("mark", { name: "kill" });
    await server.kill();
    log(`${label} hub killed; down for ${options.downMs} ms`);
    await sleep(options.downMs);
    // Times are counted from the restart: the new process is spawned right after this mark.
    await client.call("mark", { name: "restart" });
    await server.restart();
    await client.call("mark", { name: "listening" });
    log(`${label} hub listening again`);
    const result = await client.call("finish", { tailMs: TAIL_MS, timeoutMs: FINISH_TIMEOUT_MS });
    return { scenario: "recovery", server: "workerd", step: String(n), jitter, opened, ...result };
  });
}

/** Every 200-acknowledged message reaches its uid's stream exactly once, and every stream comes back. */
export function recoveryFailures(result) {
  const label = `recovery ${result.jitter ? "jittered" : "no jitter"} n=${result.step}`;
  const { opened, streams, check, recovery: times, failures, resets } = result;
  const lost = [];
  if (opened.open < opened.requested) lost.push(`${label}: ${opened.requested - opened.open} streams failed to open`);
  if (streams.back < streams.n) lost.push(`${label}: ${streams.n - streams.back} streams never came back`);
  if (check.lost > 0) lost.push(`${label}: ${check.lost} acknowledged messages lost`);
  if (check.duplicated > 0) lost.push(`${label}: ${check.duplicated} messages delivered more than once`);
  if (check.misdelivered > 0) lost.push(`${label}: ${check.misdelivered} deliveries to a stream the message was not for`);
  if (check.unpublished > 0) lost.push(`${label}: ${check.unpublished} messages never acknowledged before the deadline`);
  if (times.allMissedDeliveredMs === null) lost.push(`${label}: the streams did not get every missed message before the deadline`);
  if (resets > 0) lost.push(`${label}: ${resets} streams were told to reset instead of resuming`);
  const refused = Object.entries(failures);
  if (refused.length > 0)
    lost.push(`${label}: streams failed for good (as EventSource would): ${refused.map(([why, count]) => `${count}× ${why}`).join(", ")}`);
  return lost;
}
