// The client in Node (a backend or a CLI that listens to a uid), against
// `wrangler dev` in secure mode: fetch streaming, the token from getToken()
// in the Authorization header, resume after the hub ends the stream.
import { afterAll, beforeAll, expect, it } from "vitest";
import { signSubscriberToken } from "../../src/auth/subscriber-token";
import { type ReceivedMessage, type StateChange, subscribe } from "../../src/client/index";
import { TEST_PUBLISH_TOKEN, TEST_SUBSCRIBE_SECRET, TEST_VARS } from "../helpers/test-settings.ts";
import { freshUid } from "../helpers/uids.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";

let server: WranglerDev;

beforeAll(async () => {
  // One stream per uid: a second stream ends the client's, which then resumes.
  server = await startWranglerDev({
    vars: { ...TEST_VARS, SUBSCRIBE_SECRET: TEST_SUBSCRIBE_SECRET, MAX_STREAMS_PER_UID: "1", RETRY_MS: "200" },
  });
}, 90_000);

afterAll(() => server?.stop());

async function publish(body: Record<string, unknown>): Promise<{ id: string }> {
  const response = await fetch(`${server.baseUrl}/update`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return (await response.json()) as { id: string };
}

async function until(what: string, ready: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("subscribes from Node with getToken(), hears every event name, and resumes after the hub ends the stream", async () => {
  const uid = freshUid("node");
  const changes: StateChange[] = [];
  const messages: ReceivedMessage[] = [];
  let tokens = 0;
  const subscription = subscribe({
    url: server.baseUrl,
    uid,
    events: "*",
    getToken: () => {
      tokens++;
      return signSubscriberToken(TEST_SUBSCRIBE_SECRET, uid, Math.floor(Date.now() / 1000) + 600);
    },
    onState: (_state, change) => changes.push(change),
    onMessage: (message) => messages.push(message),
  });
  try {
    await until("live", () => subscription.state === "live");
    expect(tokens).toBe(1);
    const first = await publish({ uid, event: "build.finished", msg: { ok: true } });
    await until("the first message", () => messages.length === 1);

    // Another stream of the uid replaces the client's: what is published meanwhile comes back on resume.
    const intruder = new AbortController();
    const token = await signSubscriberToken(TEST_SUBSCRIBE_SECRET, uid, Math.floor(Date.now() / 1000) + 600);
    await fetch(`${server.baseUrl}/push?uid=${uid}`, { headers: { Authorization: `Bearer ${token}` }, signal: intruder.signal });
    // The hub closes the older tab after a short grace period; the client notices the end.
    await until("the client's stream to end", () => changes.some((c) => c.state === "reconnecting" && c.reason === "ended"));
    const second = await publish({ uid, msg: "while away" });
    await until("the second message", () => messages.length === 2);
    intruder.abort();
    expect(messages.map((m) => [m.id, m.event])).toEqual([
      [first.id, "build.finished"],
      [second.id, "message"],
    ]);
    // Outside a browser page there are no tabs to share with.
    expect(changes.every((c) => c.leader)).toBe(true);
  } finally {
    subscription.close();
  }
});
