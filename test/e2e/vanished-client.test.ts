// A client that vanishes without a clean close (its TCP connection reset) is
// noticed only when a write to it fails: the heartbeat must find it.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TEST_HEARTBEAT_MS, TEST_PUBLISH_TOKEN, TEST_VARS } from "../helpers/test-settings.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";

let server: WranglerDev;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startWranglerDev({ vars: TEST_VARS });
}, 90_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await server?.stop();
});

/** A raw HTTP/1.1 SSE request; resolves once the greeting has arrived. */
function openRawStream(uid: string): Promise<{ socket: Socket; received: () => string }> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect(server.port, "127.0.0.1");
    sockets.push(socket);
    const timer = setTimeout(() => reject(new Error(`no greeting within 5 s: ${JSON.stringify(text)}`)), 5000);
    socket.setEncoding("utf8");
    socket.on("error", () => {});
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("站内信链接成功！")) {
        clearTimeout(timer);
        resolve({ socket, received: () => text });
      }
    });
    socket.write(`GET /push?uid=${uid} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

async function publishTo(uid: string): Promise<{ delivered: number; id: string }> {
  const response = await fetch(`${server.baseUrl}/update`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ uid, msg: "are you there?" }),
    signal: AbortSignal.timeout(5000),
  });
  return (await response.json()) as { delivered: number; id: string };
}

it("drops a client whose connection was reset, by the next heartbeat, and keeps the other tab", async () => {
  const uid = `vanish-${Date.now()}`;
  const vanishing = await openRawStream(uid);
  const staying = await openRawStream(uid);
  expect((await publishTo(uid)).delivered).toBe(2);

  vanishing.socket.resetAndDestroy();
  // One heartbeat writes to the dead socket and fails; allow a few for slow machines.
  await new Promise((resolve) => setTimeout(resolve, TEST_HEARTBEAT_MS * 6));

  const after = await publishTo(uid);
  expect(after.delivered).toBe(1);
  const deadline = Date.now() + 3000;
  while (!staying.received().includes(`id: ${after.id}\n`) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(staying.received()).toContain(`id: ${after.id}\n`);

  const stats = await fetch(`${server.baseUrl}/stats`, {
    headers: { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}` },
    signal: AbortSignal.timeout(5000),
  });
  expect(((await stats.json()) as { dropped: { gone: number } }).dropped.gone).toBeGreaterThanOrEqual(1);
}, 30_000);
