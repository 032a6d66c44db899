// The client running inside workerd, as a Worker or Durable Object would use
// it: fetch is the real Worker's (a service binding in production).
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { type ReceivedMessage, type StateChange, type Subscription, subscribe } from "../../src/client/index";
import { publish } from "../helpers/publish";
import { BASE } from "../helpers/sse-client";
import { TEST_HEARTBEAT_MS } from "../helpers/test-settings";
import { freshUid } from "../helpers/uids";

const opened: Subscription[] = [];
afterEach(() => {
  for (const subscription of opened.splice(0)) subscription.close();
});

async function until(what: string, ready: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("subscribe() in a Worker", () => {
  it("streams through the given fetch, delivers every event name, and stops on close()", async () => {
    const uid = freshUid("in-worker");
    const changes: StateChange[] = [];
    const messages: ReceivedMessage[] = [];
    const subscription = subscribe({
      url: BASE,
      uid,
      events: "*",
      fetch: (input, init) => exports.default.fetch(new Request(input, init)),
      onState: (_state, change) => changes.push(change),
      onMessage: (message) => messages.push(message),
    });
    opened.push(subscription);
    await until("live", () => subscription.state === "live");
    // No tabs to share with outside a browser page: the subscription holds its own stream.
    expect(changes.map((c) => [c.state, c.leader])).toEqual([
      ["connecting", true],
      ["live", true],
    ]);
    const sent = await publish({ uid, event: "job.done", msg: { job: 1 } });
    await until("the message", () => messages.length === 1);
    expect(messages[0]).toEqual({ id: sent.id, uid, msg: { job: 1 }, ts: expect.any(Number), event: "job.done" });
    expect(subscription.lastEventId).toBe(sent.id);

    subscription.close();
    expect(changes.at(-1)).toMatchObject({ state: "closed", reason: "closed" });
    await publish({ uid, msg: "after close" });
    // Longer than several heartbeats: nothing more arrives, no state changes.
    await new Promise((resolve) => setTimeout(resolve, 3 * TEST_HEARTBEAT_MS));
    expect(messages).toHaveLength(1);
    expect(changes.at(-1)?.state).toBe("closed");
  });
});
