// Another Worker on the account publishes through the InboxService binding
// (test/service-binding/consumer.js): no HTTP to edge-inbox, no publisher
// token. What it publishes reaches a real SSE stream and the stored inbox;
// what POST /update refuses, the binding refuses with the same answer.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiError, BatchResult, InboxStats, PublishResult, TokenResult } from "../../src/messages";
import { getInbox } from "../helpers/inbox";
import { AUTH, postJson } from "../helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "../helpers/sse-client";
import { nowSeconds } from "../helpers/tokens";
import { freshUid } from "../helpers/uids";

afterEach(closeAllStreams);

const consumer = (env as unknown as { CONSUMER: Fetcher }).CONSUMER;

/** What the binding answered the consumer Worker. */
async function viaBinding<T>(path: "/notify" | "/notify-many" | "/token" | "/stats", body?: unknown): Promise<T | ApiError> {
  const response = await consumer.fetch(`https://consumer.test${path}`, {
    method: body === undefined ? "GET" : "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T | ApiError;
}

async function succeeds<T>(answer: Promise<T | ApiError>): Promise<T> {
  const value = await answer;
  if (typeof value === "object" && value !== null && "error" in value) throw new Error(`the binding refused: ${value.error}`);
  return value;
}

const tokenFor = (uid: string, ttl?: number) => viaBinding<TokenResult>("/token", { uid, ttl });

describe("the InboxService binding", () => {
  it("publishes to a uid without HTTP or a token, and its open stream receives the message", async () => {
    const uid = freshUid("binding");
    const { token } = await succeeds(tokenFor(uid));
    const stream = await openStream(uid, { query: { token } });

    const result = await succeeds(viaBinding<PublishResult>("/notify", { uid, msg: { title: "New like", from: "42" } }));
    expect(result).toEqual({ code: 0, id: expect.stringMatching(/^[1-9][0-9]*$/), delivered: 1 });

    await stream.untilMessages(1);
    expect(stream.messages()).toEqual([{ id: result.id, uid, msg: { title: "New like", from: "42" }, ts: expect.any(Number) }]);
    expect(stream.unreadCounts().at(-1)).toBe(1);
    const inbox = await getInbox(uid, { token });
    expect(inbox.messages.map((m) => m.id)).toEqual([result.id]);
  });

  it("answers what POST /update answers to a bad request, and nothing reaches the stream", async () => {
    const uid = freshUid("binding-bad");
    const { token } = await succeeds(tokenFor(uid));
    const stream = await openStream(uid, { query: { token } });
    const opening = stream.raw;
    const before = await succeeds(viaBinding<InboxStats>("/stats"));
    const badBodies = [
      { uid },
      { uid, msg: "hi", event: "unread" },
      { uid, msg: "hi", event: "bad name" },
      { uid, msg: "hi", colour: "red" },
      { msg: "to nobody" },
      { uid: "", msg: "hi" },
      { uids: "not-a-list", msg: "hi" },
      { uid, msg: "x".repeat(70_000) },
    ];
    for (const body of badBodies) {
      const overHttp = await postJson("/update", body);
      expect(overHttp.status).toBeGreaterThanOrEqual(400);
      expect(await viaBinding("/notify", body), JSON.stringify(body).slice(0, 80)).toEqual(await overHttp.json());
    }
    expect(stream.raw.slice(opening.length).replaceAll(": ping\n\n", "")).toBe("");
    expect((await succeeds(viaBinding<InboxStats>("/stats"))).published).toBe(before.published);
  });

  it("publishes a batch in one call, each message answered in order, and refuses a bad one as POST /update does", async () => {
    const [alice, bob] = [freshUid("batch-a"), freshUid("batch-b")];
    const { token } = await succeeds(tokenFor(alice));
    const stream = await openStream(alice, { query: { token } });
    const answer = await succeeds(
      viaBinding<BatchResult>("/notify-many", [
        { uid: alice, msg: "first" },
        { uids: [alice, bob], msg: "second", tags: ["social"] },
      ]),
    );
    expect(answer).toEqual({ code: 0, results: [expect.objectContaining({ delivered: 1 }), expect.objectContaining({ delivered: 1 })] });
    await stream.untilMessages(2);
    expect(stream.messages().map((m) => m.id)).toEqual(answer.results.map((r) => r.id));

    const refused = await viaBinding<BatchResult>("/notify-many", [{ uid: alice, msg: "fine" }, { uid: alice }]);
    const route = await postJson("/update", { messages: [{ uid: alice, msg: "fine" }, { uid: alice }] });
    expect(refused).toEqual(await route.json());
    expect(refused).toMatchObject({ code: 400, error: expect.stringMatching(/^messages\[1\]/) });
  });

  it("answers a repeated key with the first result and stores the message once", async () => {
    const uid = freshUid("binding-key");
    const first = await succeeds(viaBinding<PublishResult>("/notify", { uid, msg: "once", key: `order-${uid}` }));
    const again = await succeeds(viaBinding<PublishResult>("/notify", { uid, msg: "once", key: `order-${uid}` }));
    expect(again).toEqual(first);
    const { token } = await succeeds(tokenFor(uid));
    expect((await getInbox(uid, { token })).messages.map((m) => m.id)).toEqual([first.id]);
  });

  it("signs subscriber tokens the Worker accepts, for the ttl asked, and refuses what POST /token refuses", async () => {
    const uid = freshUid("binding-token");
    const signed = await succeeds(tokenFor(uid, 120));
    expect(signed).toEqual({ code: 0, uid, token: expect.any(String), exp: expect.any(Number) });
    expect(signed.exp - nowSeconds()).toBeGreaterThanOrEqual(119);
    expect(signed.exp - nowSeconds()).toBeLessThanOrEqual(120);
    expect((await fetchWorker(`/inbox?uid=${uid}&token=${signed.token}`)).status).toBe(200);
    expect((await fetchWorker(`/inbox?uid=${uid}-other&token=${signed.token}`)).status).toBe(401);

    for (const body of [
      { uid, ttl: 0 },
      { uid, ttl: 86_401 },
      { uid, ttl: 1.5 },
      { uid: "", ttl: 60 },
    ]) {
      const overHttp = await postJson("/token", body);
      expect(overHttp.status).toBe(400);
      expect(await tokenFor(body.uid, body.ttl)).toEqual(await overHttp.json());
    }
  });

  it("reports the same counters as GET /stats", async () => {
    await succeeds(viaBinding<PublishResult>("/notify", { isAll: true, msg: "counted" }));
    const overBinding = await succeeds(viaBinding<InboxStats>("/stats"));
    const overHttp = (await (await fetchWorker("/stats", { headers: AUTH })).json()) as InboxStats;
    expect(overBinding).toEqual(overHttp);
    expect(overBinding.published).toBeGreaterThanOrEqual(1);
    expect(overBinding.shards).toHaveLength(1);
  });
});
