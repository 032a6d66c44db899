// The `eventsource` npm client (what Node backends and tests use) meets a full
// hub: it hears `busy`, keeps reconnecting by itself, and goes live once a
// stream leaves. A non-200 would have closed it for good, as in a browser.
import { EventSource } from "eventsource";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BusyNotice } from "../../src/messages.ts";
import { TEST_PUBLISH_TOKEN, TEST_VARS } from "../helpers/test-settings.ts";
import { freshUid } from "../helpers/uids.ts";
import { type HeldStream, holdStream } from "../support/full-hub.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";

let server: WranglerDev;

beforeAll(async () => {
  server = await startWranglerDev({ vars: { ...TEST_VARS, MAX_STREAMS: "2", RETRY_MS: "500", HEARTBEAT_MS: "1000" } });
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

/** Resolves when `ready()` holds (polled every 20 ms), or fails after `ms`. */
function until(ready: () => boolean, what: string, ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const poll = setInterval(() => {
      if (!ready()) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }, 20);
  });
}

it("reconnects through busy answers and goes live once room is made", async () => {
  const held: HeldStream[] = [await holdStream(server.baseUrl, freshUid("filler")), await holdStream(server.baseUrl, freshUid("filler"))];
  const uid = freshUid("node-client");
  const source = new EventSource(`${server.baseUrl}/push?uid=${uid}`);
  const busy: BusyNotice[] = [];
  const messages: string[] = [];
  const readyStates: number[] = [];
  source.addEventListener("busy", (event) => busy.push(JSON.parse(event.data) as BusyNotice));
  source.addEventListener("message", (event) => messages.push(event.data));
  source.addEventListener("error", () => readyStates.push(source.readyState));
  try {
    await until(() => busy.length > 0 && readyStates.length > 0, "a busy answer and the reconnect after it");
    expect(busy[0]).toMatchObject({ reason: "full" });
    expect(readyStates[0]).toBe(EventSource.CONNECTING);

    await held[0]!.close();
    await until(() => messages.includes("站内信链接成功！"), "the greeting once admitted");
    const response = await fetch(`${server.baseUrl}/update`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ uid, msg: "you are in" }),
    });
    const { id } = (await response.json()) as { id: string };
    await until(() => messages.some((data) => data.includes(`"id":"${id}"`)), "the message");
    expect(readyStates).not.toContain(EventSource.CLOSED);
  } finally {
    source.close();
    await held[1]!.close();
  }
}, 60_000);
