// Tabs that close are found by the heartbeat within one HEARTBEAT_MS even in
// a crowd, and a tab that died does not count against MAX_STREAMS_PER_UID.
// Real sockets against workerd itself: a clean close is only visible on a
// real connection, and wrangler dev's proxy would add a hop (it notices a
// closed client on its own write, then closes upstream: one more ping).
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPLACE_GRACE_MS } from "../../src/hub/streams.ts";
import { TEST_PUBLISH_TOKEN, TEST_VARS } from "../helpers/test-settings.ts";
import { startWorkerd, type Workerd } from "../support/workerd.ts";

const HEARTBEAT_MS = 2000;
const TABS_PER_UID = 3;
let server: Workerd;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = await startWorkerd({ ...TEST_VARS, HEARTBEAT_MS: String(HEARTBEAT_MS), MAX_STREAMS_PER_UID: String(TABS_PER_UID) });
}, 90_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await server?.stop();
});

interface RawTab {
  readonly socket: Socket;
  received(): string;
}

/** A raw HTTP/1.1 SSE request; resolves once the opening unread count arrived. */
function openTab(uid: string): Promise<RawTab> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect(server.port, "127.0.0.1");
    sockets.add(socket);
    const timer = setTimeout(() => reject(new Error(`no opening within 10 s: ${JSON.stringify(text)}`)), 10_000);
    socket.setEncoding("utf8");
    socket.on("error", () => {});
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("event: unread")) {
        clearTimeout(timer);
        resolve({ socket, received: () => text });
      }
    });
    socket.write(`GET /push?uid=${encodeURIComponent(uid)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

/** A tab closing the way a browser closes it: the socket shut both ways. */
function closeTab(tab: RawTab): void {
  tab.socket.destroy();
  sockets.delete(tab.socket);
}

async function publisher(path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return (await response.json()) as Record<string, unknown>;
}

const openStreams = async () => (await publisher("/stats")).streams as number;

it("finds 300 tabs over 100 uids that close together within one heartbeat", async () => {
  const tabs: RawTab[] = [];
  for (let i = 0; i < 300; i++) tabs.push(await openTab(`crowd-${i % 100}`));
  const before = await openStreams();
  expect(before).toBeGreaterThanOrEqual(300);

  const closedAt = Date.now();
  for (const tab of tabs) closeTab(tab);
  let streams = before;
  while (streams > before - 300 && Date.now() - closedAt < 4 * HEARTBEAT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    streams = await openStreams();
  }
  const goneAfterMs = Date.now() - closedAt;
  expect(streams).toBe(before - 300);
  // One heartbeat, plus the poll above and one slice (an eighth) of slack for timers.
  expect(goneAfterMs).toBeLessThanOrEqual(HEARTBEAT_MS * (9 / 8) + 100);
}, 60_000);

it("lets a reloaded tab in without pushing out a live one: the dead tab leaves instead", async () => {
  const uid = `reload-${Date.now()}`;
  const [first, second, reloading] = [await openTab(uid), await openTab(uid), await openTab(uid)];
  const { dropped: droppedBefore } = (await publisher("/stats")) as { dropped: { replaced: number } };

  // A reload: the old page's socket closes as the new page opens its stream.
  closeTab(reloading);
  const reloaded = await openTab(uid);
  await new Promise((resolve) => setTimeout(resolve, REPLACE_GRACE_MS + 500));

  expect(await publisher(`/stats?uid=${uid}`)).toMatchObject({ online: true, tabs: TABS_PER_UID });
  const { dropped } = (await publisher("/stats")) as { dropped: { replaced: number } };
  expect(dropped.replaced).toBe(droppedBefore.replaced);
  const answer = (await publisher("/update", { uid, msg: "all three live tabs" })) as { id: string; delivered: number };
  expect(answer.delivered).toBe(TABS_PER_UID);
  for (const tab of [first, second, reloaded]) {
    const deadline = Date.now() + 3000;
    while (!tab.received().includes(`id: ${answer.id}\n`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tab.received()).toContain(`id: ${answer.id}\n`);
  }
}, 60_000);
