// What the scenarios share.
import { Client } from "../client-process.mjs";
import { BENCH_TOKEN, startServer } from "../servers.mjs";

/** Time for a server to settle after a burst, before memory is read or the next phase starts. */
export const SETTLE_MS = 1500;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The hub's counters: a stream it cut as slow is a loss the client may not see. */
export async function hubStats(port) {
  const response = await fetch(`http://127.0.0.1:${port}/stats`, { headers: { Authorization: `Bearer ${BENCH_TOKEN}` } });
  return response.json();
}

/**
 * Starts server `name` and a client process for it, runs `measure(server,
 * client)`, and stops both whatever happens. `client`: the client's module
 * in bench/ (the load client unless told).
 */
export async function withServer(name, { root, log, label, serverOptions, client: script }, measure) {
  const server = await startServer(root, name, serverOptions);
  let client;
  try {
    client = await Client.start(server.port, BENCH_TOKEN, (text) => log(`${label} ${text}`), script);
    return await measure(server, client);
  } finally {
    await client?.call("closeAll").catch(() => {});
    await client?.stop();
    await server.stop();
  }
}
