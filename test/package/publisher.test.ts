// The publisher SDK from the installed package (edge-inbox/server, resolved
// through its exports map), against the real Worker under `wrangler dev`. The
// retry tests put a proxy in between that fails on purpose: it loses an answer,
// resets a connection, or asks to slow down.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { TEST_PUBLISH_TOKEN, TEST_SUBSCRIBE_SECRET, TEST_VARS } from "../helpers/test-settings.ts";
import { type NodeStream, openNodeStream } from "../support/node-sse.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";

type Sdk = typeof import("../../src/server/index.ts");

let sdk: Sdk;
let worker: WranglerDev;
let proxy: FailingProxy;
const streams: NodeStream[] = [];
let nextUid = 0;
const freshUid = (label: string) => `${label}-${Date.now().toString(36)}-${nextUid++}`;

beforeAll(async () => {
  const resolved = createRequire(join(inject("consumerDir"), "package.json")).resolve("edge-inbox/server");
  sdk = (await import(pathToFileURL(resolved).href)) as Sdk;
  worker = await startWranglerDev({ vars: { ...TEST_VARS, SUBSCRIBE_SECRET: TEST_SUBSCRIBE_SECRET } });
  proxy = await startFailingProxy(worker.baseUrl);
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await worker?.stop();
});

beforeEach(() => proxy.reset());

afterEach(async () => {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
});

/** A publisher as a backend creates it; short backoffs keep the tests quick. */
function publisherAt(url: string, retry: Partial<import("../../src/server/index.ts").RetryPolicy> = {}) {
  return sdk.createPublisher({
    url,
    token: TEST_PUBLISH_TOKEN,
    subscribeSecret: TEST_SUBSCRIBE_SECRET,
    retry: { baseDelayMs: 20, ...retry },
  });
}

async function listen(uid: string): Promise<NodeStream> {
  const { token } = await publisherAt(worker.baseUrl).signSubscriberToken(uid);
  const stream = await openNodeStream(`${worker.baseUrl}/push?${new URLSearchParams({ uid, token })}`);
  streams.push(stream);
  return stream;
}

async function storedIds(uid: string): Promise<string[]> {
  const { token } = await publisherAt(worker.baseUrl).signSubscriberToken(uid);
  const response = await fetch(`${worker.baseUrl}/inbox?${new URLSearchParams({ uid, token })}`);
  return ((await response.json()) as { messages: { id: string }[] }).messages.map((m) => m.id);
}

describe("publish", () => {
  it("reaches the uid's open stream, under an idempotency key it made up, with a token it signed itself", async () => {
    const uid = freshUid("sdk");
    const stream = await listen(uid);
    const result = await publisherAt(proxy.url).publish({ uid, event: "like", msg: { from: "7" } });
    // The answer names the key the message was published under, the one the SDK made up.
    expect(result).toEqual({ code: 0, id: expect.stringMatching(/^[1-9][0-9]*$/), delivered: 1, key: expect.any(String) });
    await stream.until(() => stream.messages().length === 1, "the message");
    expect(stream.messages()).toEqual([{ id: result.id, uid, msg: { from: "7" }, ts: expect.any(Number) }]);
    expect(proxy.seen).toHaveLength(1);
    expect(proxy.seen[0]!.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(result.key).toBe(proxy.seen[0]!.key);
  });

  it("retries when the answer is lost (503 after the Worker stored it), and the message is stored and delivered once", async () => {
    const uid = freshUid("lost");
    const stream = await listen(uid);
    proxy.plan = (attempt) => (attempt === 1 ? "lose-answer" : "forward");
    const result = await publisherAt(proxy.url).publish({ uid, msg: "exactly once" });
    expect(proxy.seen.map((request) => request.key)).toEqual([proxy.seen[0]!.key, proxy.seen[0]!.key]);
    expect(await storedIds(uid)).toEqual([result.id]);
    await stream.until(() => stream.messages().length >= 1, "the message");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.messages().map((m) => m.id)).toEqual([result.id]);
  });

  it("uses the caller's key for every attempt", async () => {
    const uid = freshUid("own-key");
    proxy.plan = (attempt) => (attempt === 1 ? "lose-answer" : "forward");
    const result = await publisherAt(proxy.url).publish({ uid, msg: "keyed", key: `order-${uid}` });
    expect(proxy.seen.map((request) => request.key)).toEqual([`order-${uid}`, `order-${uid}`]);
    expect(await storedIds(uid)).toEqual([result.id]);
  });

  it("retries a connection reset before any answer", async () => {
    const uid = freshUid("reset");
    proxy.plan = (attempt) => (attempt === 1 ? "reset" : "forward");
    const result = await publisherAt(proxy.url).publish({ uid, msg: "after a reset" });
    expect(proxy.seen).toHaveLength(2);
    expect(await storedIds(uid)).toEqual([result.id]);
  });

  it("waits out a 429's Retry-After before trying again", async () => {
    const uid = freshUid("slow-down");
    proxy.plan = (attempt) => (attempt === 1 ? { status: 429, retryAfter: "1" } : "forward");
    const started = Date.now();
    await publisherAt(proxy.url).publish({ uid, msg: "later" });
    expect(proxy.seen).toHaveLength(2);
    expect(proxy.seen[1]!.at - proxy.seen[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("gives up after its attempts with the last status and the server's message", async () => {
    proxy.plan = () => ({ status: 503 });
    const failure = publisherAt(proxy.url, { attempts: 3 }).publish({ uid: freshUid("down"), msg: "never" });
    await expect(failure).rejects.toMatchObject({ name: "PublisherError", status: 503, attempts: 3 });
    await expect(failure).rejects.toThrow("the proxy refused on purpose (after 3 attempts)");
    expect(proxy.seen).toHaveLength(3);
  });

  it("stops at once when Retry-After asks for longer than it may wait, and says how long", async () => {
    proxy.plan = () => ({ status: 503, retryAfter: "120" });
    const failure = publisherAt(proxy.url, { maxDelayMs: 5000 }).publish({ uid: freshUid("later"), msg: "not now" });
    await expect(failure).rejects.toMatchObject({ status: 503, attempts: 1, retryAfterMs: 120_000 });
    expect(proxy.seen).toHaveLength(1);
  });

  it("never retries a refusal: a 400 carries the Worker's own message", async () => {
    const body = { uid: freshUid("bad"), msg: "x", event: "unread" };
    const direct = await fetch(`${worker.baseUrl}/update`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_PUBLISH_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const { error } = (await direct.json()) as { error: string };
    const failure = publisherAt(proxy.url).publish(body);
    await expect(failure).rejects.toMatchObject({ name: "PublisherError", status: 400, attempts: 1, message: error });
    expect(proxy.seen).toHaveLength(1);
  });

  it("stops waiting when the caller aborts", async () => {
    proxy.plan = () => ({ status: 503, retryAfter: "5" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("the caller gave up")), 200);
    const started = Date.now();
    await expect(
      publisherAt(proxy.url, { maxDelayMs: 10_000 }).publish({ uid: freshUid("abort"), msg: "x" }, { signal: controller.signal }),
    ).rejects.toThrow("the caller gave up");
    expect(Date.now() - started).toBeLessThan(4000);
    expect(proxy.seen).toHaveLength(1);
  });
});

describe("tokens, stats and presence", () => {
  it("mints a token with POST /token that opens the uid's stream, and sees the uid online", async () => {
    const uid = freshUid("minted");
    const minted = await publisherAt(proxy.url).mintToken(uid, 120);
    expect(minted).toEqual({ code: 0, uid, token: expect.any(String), exp: expect.any(Number) });
    const stream = await openNodeStream(`${worker.baseUrl}/push?${new URLSearchParams({ uid, token: minted.token })}`);
    streams.push(stream);
    expect(await publisherAt(proxy.url).presence(uid)).toEqual({ uid, online: true, tabs: 1 });
    const stats = await publisherAt(proxy.url).stats();
    expect(stats.streams).toBeGreaterThanOrEqual(1);
    expect(stats.shards).toHaveLength(1);
  });

  it("signs tokens only for a ttl the Worker would mint, and only with the secret", async () => {
    const publisher = publisherAt(worker.baseUrl);
    await expect(publisher.signSubscriberToken("42", 0)).rejects.toThrow(RangeError);
    await expect(publisher.signSubscriberToken("42", 86_401)).rejects.toThrow("ttl must be whole seconds from 1 to 86400");
    const withoutSecret = sdk.createPublisher({ url: worker.baseUrl, token: TEST_PUBLISH_TOKEN });
    await expect(withoutSecret.signSubscriberToken("42")).rejects.toThrow("subscribeSecret");
  });
});

describe("publishBatch", () => {
  it("publishes several messages in one call, answered in order, and a retry after a lost answer stores none twice", async () => {
    const [one, two] = [freshUid("batch-1"), freshUid("batch-2")];
    const stream = await listen(one);
    proxy.plan = (attempt) => (attempt === 1 ? "lose-answer" : "forward");
    const batch = await publisherAt(proxy.url).publishBatch([
      { uid: one, msg: "first" },
      { uid: two, msg: "second", tags: ["social"], key: `own-${two}` },
      { uids: [one, two], event: "like", msg: { title: "both" } },
    ]);
    expect(proxy.seen).toHaveLength(2);
    expect(batch.code).toBe(0);
    expect(batch.results.map((result) => result.delivered)).toEqual([1, 0, 1]);
    expect(batch.results[1]!.key).toBe(`own-${two}`);
    expect(await storedIds(one)).toEqual([batch.results[2]!.id, batch.results[0]!.id]);
    expect(await storedIds(two)).toEqual([batch.results[2]!.id, batch.results[1]!.id]);
    await stream.until(() => stream.messages().length >= 2, "the two messages for the listener");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.messages().map((m) => m.id)).toEqual([batch.results[0]!.id, batch.results[2]!.id]);
  });
});

describe("retract, receipts and erase", () => {
  it("tells what became of a message, retracts it from every inbox and open tab, and then finds it no more", async () => {
    const [reader, other] = [freshUid("receipt"), freshUid("receipt-other")];
    const stream = await listen(reader);
    const publisher = publisherAt(proxy.url);
    const key = `like-${reader}`;
    const published = await publisher.publish({
      uids: [reader, other],
      event: "like",
      msg: { title: "New like" },
      key,
      tags: ["social"],
      ttl: 600,
    });
    await stream.until(() => stream.messages().length === 1, "the message");
    expect(stream.messages()[0]).toMatchObject({ id: published.id, tags: ["social"], expiresAt: expect.any(Number) });

    expect(await publisher.receipt(key)).toEqual({
      code: 0,
      ids: [published.id],
      event: "like",
      ts: expect.any(Number),
      broadcast: false,
      audience: 2,
      written: 1,
      seen: 0,
      read: 0,
    });
    expect(await publisher.retract(published.id)).toEqual({ code: 0, ids: [published.id] });
    await stream.until(() => stream.events.some((e) => e.event === "retract"), "the retract event");
    expect(JSON.parse(stream.events.find((e) => e.event === "retract")!.data)).toEqual({ id: published.id, reason: "retracted" });
    expect(await storedIds(reader)).toEqual([]);
    const gone = publisher.receipt(key);
    await expect(gone).rejects.toMatchObject({ name: "PublisherError", status: 404, attempts: 1 });
    await expect(gone).rejects.toThrow(`no message ${JSON.stringify(key)}`);
  });

  it("names a message by a key of any characters", async () => {
    const uid = freshUid("odd-key");
    // Characters no header may carry, and ones a path must escape.
    const key = `order/7 ü 键?#%${uid}`;
    const published = await publisherAt(worker.baseUrl).publish({ uid, msg: "keyed", key });
    expect((await publisherAt(proxy.url).receipt(key)).ids).toEqual([published.id]);
    expect(await publisherAt(proxy.url).retract(key)).toEqual({ code: 0, ids: [published.id] });
    expect(proxy.seen.map((request) => request.path)).toEqual([
      `/messages/${encodeURIComponent(key)}`,
      `/messages/${encodeURIComponent(key)}`,
    ]);
  });

  it("retries a receipt whose answer was lost, and answers it", async () => {
    const uid = freshUid("receipt-retry");
    const published = await publisherAt(worker.baseUrl).publish({ uid, msg: "x" });
    proxy.plan = (attempt) => (attempt === 1 ? "lose-answer" : "forward");
    expect(await publisherAt(proxy.url).receipt(published.id)).toMatchObject({ ids: [published.id], audience: 1 });
    expect(proxy.seen).toHaveLength(2);
  });

  it("retries a retract whose answer was lost: the retry finds it gone, a 404 after two attempts", async () => {
    const uid = freshUid("retract-retry");
    const published = await publisherAt(worker.baseUrl).publish({ uid, msg: "x" });
    proxy.plan = (attempt) => (attempt === 1 ? "lose-answer" : "forward");
    await expect(publisherAt(proxy.url).retract(published.id)).rejects.toMatchObject({ status: 404, attempts: 2 });
    expect(await storedIds(uid)).toEqual([]);
  });

  it("erases a user, closing its open stream, and erasing again after a reset finds nothing more", async () => {
    const uid = freshUid("erase");
    await listen(uid);
    await publisherAt(worker.baseUrl).publish({ uid, msg: "one" });
    await publisherAt(worker.baseUrl).publish({ uid, msg: "two" });
    const publisher = publisherAt(proxy.url);
    expect(await publisher.eraseUser(uid)).toEqual({ code: 0, uid, messages: 2, streams: 1 });
    expect(await publisherAt(worker.baseUrl).presence(uid)).toEqual({ uid, online: false, tabs: 0 });
    expect(await storedIds(uid)).toEqual([]);
    proxy.plan = (attempt) => (attempt === 1 ? "reset" : "forward");
    expect(await publisher.eraseUser(uid)).toEqual({ code: 0, uid, messages: 0, streams: 0 });
    expect(proxy.seen.map((request) => request.path)).toEqual([`/users/${uid}`, `/users/${uid}`]);
  });

  it("refuses to name no message", async () => {
    const publisher = publisherAt(proxy.url);
    await expect(publisher.retract("")).rejects.toThrow(TypeError);
    await expect(publisher.eraseUser("")).rejects.toThrow("uid must be a non-empty string or a safe integer");
    expect(proxy.seen).toEqual([]);
  });
});

type Step = "forward" | "lose-answer" | "reset" | { status: number; retryAfter?: string };

interface FailingProxy {
  readonly url: string;
  /** What to do with the n-th request (1-based) since the last reset. */
  plan: (attempt: number) => Step;
  readonly seen: { path: string; key: string | undefined; at: number }[];
  reset(): void;
  close(): Promise<void>;
}

/** The idempotency key a publish carries in its body. */
function publishKey(body: string): string | undefined {
  try {
    const key = (JSON.parse(body) as { key?: unknown }).key;
    return typeof key === "string" ? key : undefined;
  } catch {
    return undefined;
  }
}

/** An HTTP proxy on 127.0.0.1 in front of the Worker that fails as told. */
async function startFailingProxy(upstream: string): Promise<FailingProxy> {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    proxy.seen.push({ path: request.url ?? "", key: publishKey(Buffer.concat(chunks).toString()), at: Date.now() });
    const step = proxy.plan(proxy.seen.length);
    if (step === "reset") {
      request.socket.resetAndDestroy();
      return;
    }
    if (typeof step === "object") {
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (step.retryAfter !== undefined) headers["Retry-After"] = step.retryAfter;
      response.writeHead(step.status, headers).end(JSON.stringify({ code: step.status, error: "the proxy refused on purpose" }));
      return;
    }
    const forwarded = await fetch(`${upstream}${request.url}`, {
      method: request.method,
      headers: Object.fromEntries(
        ["authorization", "content-type", "idempotency-key"].flatMap((name) => {
          const value = request.headers[name];
          return typeof value === "string" ? [[name, value]] : [];
        }),
      ),
      body: chunks.length === 0 ? undefined : Buffer.concat(chunks),
    });
    const text = await forwarded.text();
    if (step === "lose-answer") {
      response.writeHead(503, { "Content-Type": "application/json", "Retry-After": "0" });
      response.end(JSON.stringify({ code: 503, error: "the answer was lost on the way" }));
      return;
    }
    response.writeHead(forwarded.status, { "Content-Type": forwarded.headers.get("content-type") ?? "application/json" }).end(text);
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => response.destroy(error as Error));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: FailingProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    plan: () => "forward",
    seen: [],
    reset() {
      proxy.plan = () => "forward";
      proxy.seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
