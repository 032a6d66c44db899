// A reader that stops reading is cut once MAX_QUEUE_BYTES are waiting for it,
// while another tab of the same uid keeps receiving. Real sockets against
// workerd itself: the stalled reader is a TCP client that never reads, so
// the kernel's buffers fill first and then the hub's queue, as in the wild.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { PublishResult, ShardStats } from "../../src/messages.ts";
import { TEST_PUBLISH_TOKEN, TEST_VARS } from "../helpers/test-settings.ts";
import { freshUid } from "../helpers/uids.ts";
import { openNodeStream } from "../support/node-sse.ts";
import { startWorkerd, type Workerd } from "../support/workerd.ts";

const MAX_QUEUE_BYTES = 64 * 1024;
let server: Workerd;
let stalled: Socket | undefined;

beforeAll(async () => {
  server = await startWorkerd({ ...TEST_VARS, MAX_QUEUE_BYTES: String(MAX_QUEUE_BYTES) });
}, 90_000);

afterAll(async () => {
  stalled?.destroy();
  await server?.stop();
});

async function publisher<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return (await response.json()) as T;
}

/** A raw HTTP/1.1 stream that is paused after its opening: nothing more is read from the socket. */
function openStalledStream(uid: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect(server.port, "127.0.0.1");
    const timer = setTimeout(() => reject(new Error(`no opening within 5 s: ${JSON.stringify(text)}`)), 5000);
    socket.setEncoding("utf8");
    socket.on("error", () => {});
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (!text.includes("event: unread")) return;
      clearTimeout(timer);
      socket.pause();
      resolve(socket);
    });
    socket.write(`GET /push?uid=${uid} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

it("cuts a reader that stops reading once MAX_QUEUE_BYTES wait for it, and the other tab keeps receiving", async () => {
  const uid = freshUid("slow");
  stalled = await openStalledStream(uid);
  const reader = await openNodeStream(`${server.baseUrl}/push?uid=${uid}`);
  const payload = "x".repeat(8000);
  const answers: PublishResult[] = [];
  // Bounded: the kernel's buffers on both ends take a few MB before the hub's queue grows.
  for (let i = 0; i < 2000 && answers.at(-1)?.delivered !== 1; i++) {
    answers.push(await publisher<PublishResult>("/update", { uid, msg: payload }));
  }
  expect(answers[0]?.delivered).toBe(2);
  expect(answers.at(-1)?.delivered).toBe(1);
  await reader.until(() => reader.messages().length === answers.length, "every message on the reading tab", 20_000);
  expect(reader.messages<{ id: string }>().map((m) => m.id)).toEqual(answers.map((a) => a.id));
  expect((await publisher<ShardStats>("/stats")).dropped.slow).toBe(1);
  await reader.close();
}, 90_000);
