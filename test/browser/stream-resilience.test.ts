// The client where networks and servers misbehave, in real Chromium against
// the real Worker: its own `wrangler dev` in secure mode (subscriber tokens
// required), reached through a TCP proxy (tcp-proxy.ts) that can answer for
// the server, drop connections, or go silent without closing.
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs example, kept free of types so it can be pasted anywhere.
import { signInboxToken } from "../../examples/sign-token.mjs";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";
import { type Browser, launchChromium } from "./chromium";
import { closeAllInPage, isLive, openClientPage, type Seen, seenIn, subscribeInPage, untilSeen } from "./client-page";
import { freshUid, publishTo } from "./publish";
import { browserTestVars, HEARTBEAT_MS } from "./server-vars.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

const OUTPUT_DIR = "test-output";
const MAX_STREAMS = 6;
const publishToken = `resilience-${randomBytes(12).toString("hex")}`;
const subscribeSecret = `secret-${randomBytes(12).toString("hex")}`;

let server: WranglerDev;
let proxy: TcpProxy;
let browser: Browser;
let page: Page;
let tokensGiven = 0;

beforeAll(async () => {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  server = await startWranglerDev({
    vars: {
      ...browserTestVars(publishToken),
      SUBSCRIBE_SECRET: subscribeSecret,
      // Short backoff windows keep the retry tests quick; a small hub lets one test fill it.
      RETRY_MS: "500",
      MAX_STREAMS: String(MAX_STREAMS),
    },
  });
  proxy = await startTcpProxy(server.port);
  browser = await launchChromium();
  page = await openClientPage(browser.context, proxy.baseUrl);
  // getToken() in the page asks the backend, as an app's would: POST /token with the publisher token.
  await page.exposeFunction("getSubscriberToken", async (uid: string) => {
    tokensGiven++;
    return (await mintToken(uid, 3)).token;
  });
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.stop();
}, 30_000);

afterEach(() => closeAllInPage(page));

const publish = (body: Record<string, unknown>) => publishTo(server.baseUrl, publishToken, body);

async function mintToken(uid: string, ttl: number): Promise<{ token: string; exp: number }> {
  const response = await fetch(`${server.baseUrl}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${publishToken}` },
    body: JSON.stringify({ uid, ttl }),
  });
  if (response.status !== 200) throw new Error(`POST /token answered ${response.status}`);
  return (await response.json()) as { token: string; exp: number };
}

/**
 * Open streams straight to the server (not through the proxy) until the hub
 * holds MAX_STREAMS, and still does a few heartbeats later, when the streams
 * of earlier tests' closed pages are surely gone.
 */
async function fillTheHub(): Promise<AbortController[]> {
  const fillers: AbortController[] = [];
  const openStreams = async () =>
    (
      (await (await fetch(`${server.baseUrl}/stats`, { headers: { Authorization: `Bearer ${publishToken}` } })).json()) as {
        streams: number;
      }
    ).streams;
  for (let round = 0; round < 5; round++) {
    const before = fillers.length;
    while ((await openStreams()) < MAX_STREAMS) {
      const uid = freshUid("filler");
      const filler = new AbortController();
      const response = await fetch(`${server.baseUrl}/push?uid=${uid}`, {
        headers: { Authorization: `Bearer ${(await mintToken(uid, 600)).token}` },
        signal: filler.signal,
      });
      fillers.push(filler);
      // The opening bytes: the hub has registered the stream by then.
      await response.body!.getReader().read();
    }
    if (round > 0 && fillers.length === before) return fillers;
    await sleep(3 * HEARTBEAT_MS);
  }
  throw new Error("the hub did not stay full");
}

/** A live subscription of a fresh uid in the page (named by its uid) that has received one message. */
async function liveWithOneMessage(label: string): Promise<{ uid: string; before: { id: string } }> {
  const uid = freshUid(label);
  const { token } = await mintToken(uid, 600);
  await subscribeInPage(page, uid, { uid, token });
  await untilSeen(page, uid, "live", isLive);
  const before = await publish({ uid, msg: `before: ${label}` });
  await untilSeen(page, uid, "the first message", (s) => s.messages.length === 1);
  return { uid, before };
}

/** The demo page for uid through the proxy, its subscriber token already typed in. */
async function openDemo(uid: string): Promise<Page> {
  const demo = await browser.context.newPage();
  await demo.addInitScript((token) => sessionStorage.setItem("edge-inbox.subscriber-token", token), (await mintToken(uid, 600)).token);
  await demo.goto(`${proxy.baseUrl}/message?uid=${uid}`);
  return demo;
}

const pushesOf = (uid: string) => proxy.requests.filter((r) => r.target.startsWith(`/push?uid=${uid}`));
const reconnects = (seen: Seen) => seen.changes.filter((c) => c.state === "reconnecting");
const ids = (seen: Seen) => seen.messages.map((m) => m.id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the subscriber token", () => {
  it("travels only in the Authorization header, never in a URL", async () => {
    const uid = freshUid("header");
    const { token } = await mintToken(uid, 600);
    const sent: Array<{ url: string; authorization: string | undefined }> = [];
    const record = async (request: import("playwright-core").Request) =>
      sent.push({ url: request.url(), authorization: (await request.allHeaders()).authorization });
    page.on("request", record);
    try {
      await subscribeInPage(page, uid, { uid, token });
      await untilSeen(page, uid, "live", isLive);
      const message = await publish({ uid, msg: "for the header" });
      await untilSeen(page, uid, "the message", (s) => s.messages.length > 0);
      const inbox = await page.evaluate(
        async ({ uid, token }) => {
          const { fetchInbox, markRead } = (window as unknown as { edgeInbox: typeof import("../../src/client/index") }).edgeInbox;
          const target = { url: location.origin, uid, token };
          const page = await fetchInbox(target);
          await markRead(target, { upTo: page.messages[0]!.id });
          return page.messages.map((m) => m.id);
        },
        { uid, token },
      );
      expect(inbox).toEqual([message.id]);
    } finally {
      page.off("request", record);
    }
    const paths = sent.map((s) => new URL(s.url).pathname);
    expect(paths).toEqual(expect.arrayContaining(["/push", "/inbox", "/inbox/read"]));
    for (const request of sent) {
      expect(request.url).not.toContain(token);
      expect(request.url).not.toContain("token=");
      expect(request.authorization).toBe(`Bearer ${token}`);
    }
  });

  it("is renewed through getToken() before it expires mid-stream; messages around each expiry arrive once", async () => {
    const uid = freshUid("expiring");
    const givenBefore = tokensGiven;
    // 3 s tokens, renewed about a second before they expire: several renewals while messages flow.
    await subscribeInPage(page, uid, { uid, getToken: true });
    await untilSeen(page, uid, "live", isLive);
    const published: string[] = [];
    const until = Date.now() + 7000;
    while (Date.now() < until) {
      published.push((await publish({ uid, msg: `tick ${published.length}` })).id);
      await sleep(150);
    }
    const seen = await untilSeen(page, uid, "every message", (s) => s.messages.length >= published.length);
    expect(ids(seen)).toEqual(published);
    const renewals = seen.changes.filter((c) => c.reason === "token-refresh");
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    expect(tokensGiven - givenBefore).toBeGreaterThanOrEqual(3);
    // Renewed ahead of time: the hub never had to end a stream for an expired token, nothing was refused.
    expect(seen.changes.filter((c) => c.reason === "ended" || c.status === 401)).toEqual([]);
    expect(seen.changes.map((c) => c.state)).not.toContain("reconnecting");
  });

  it("is renewed through getToken() when the hub refuses it with 401", async () => {
    const uid = freshUid("refused-token");
    // Not expired by its own word, so the client sends it: the hub finds the signature wrong.
    const forged = signInboxToken("not-the-secret", uid, 600) as string;
    await subscribeInPage(page, uid, { uid, token: forged, getToken: true });
    const seen = await untilSeen(page, uid, "live", isLive);
    expect(seen.changes.map((c) => [c.state, c.reason, c.status])).toEqual([
      ["connecting", undefined, undefined],
      ["connecting", "token-refresh", 401],
      ["live", undefined, undefined],
    ]);
    expect(pushesOf(uid)).toHaveLength(2);
  });
});

describe("retries", () => {
  it("retries a 503 after its Retry-After, with jittered delays in growing windows", async () => {
    const uids = [freshUid("503-a"), freshUid("503-b")];
    const body = JSON.stringify({ code: 503, error: "the load balancer has no healthy origin" });
    for (const uid of uids) {
      proxy.intercept(`/push?uid=${uid}`, { status: 503, headers: { "Retry-After": "1" }, body }, 3);
      const { token } = await mintToken(uid, 600);
      // Two independent clients, so their random draws can be compared.
      await subscribeInPage(page, uid, { uid, token, shareAcrossTabs: false });
    }
    const delays: number[][] = [];
    for (const uid of uids) {
      const seen = await untilSeen(page, uid, "live after three 503s", isLive, 20_000);
      const retries = reconnects(seen);
      expect(retries.map((c) => [c.reason, c.status, c.message, c.failures])).toEqual([
        ["server-error", 503, "the load balancer has no healthy origin", 1],
        ["server-error", 503, "the load balancer has no healthy origin", 2],
        ["server-error", 503, "the load balancer has no healthy origin", 3],
      ]);
      // Retry-After (1 s) plus a draw from the window, which doubles from the 1 s default base.
      retries.forEach((change, n) => {
        expect(change.retryInMs).toBeGreaterThanOrEqual(1000);
        expect(change.retryInMs).toBeLessThanOrEqual(1000 + 1000 * 2 ** n);
      });
      // The client waited what it said: the proxy saw the requests that far apart.
      const at = pushesOf(uid).map((r) => r.at);
      expect(at).toHaveLength(4);
      retries.forEach((change, n) => {
        expect(at[n + 1]! - at[n]!).toBeGreaterThanOrEqual(change.retryInMs! - 50);
      });
      delays.push(retries.map((c) => c.retryInMs!));
    }
    expect(delays[0]).not.toEqual(delays[1]);
  });

  it("retries a dropped connection with growing windows and resumes: nothing lost, nothing twice", async () => {
    const { uid, before } = await liveWithOneMessage("dropped");

    // The live connection is cut and the next two attempts are dropped on arrival:
    // what is published now can only reach the page by resuming with Last-Event-ID.
    proxy.intercept(`/push?uid=${uid}`, "drop", 2);
    expect(proxy.cut(`/push?uid=${uid}`)).toBe(1);
    const missed = [await publish({ uid, msg: "missed 1" }), await publish({ uid, msg: "missed 2" })];
    const seen = await untilSeen(page, uid, "live again with the missed messages", (s) => isLive(s) && s.messages.length >= 3, 30_000);
    const retries = reconnects(seen);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.every((c) => c.reason === "network")).toBe(true);
    expect(retries.map((c) => c.failures)).toEqual(retries.map((_, n) => n + 1));
    const after = await publish({ uid, msg: "after" });
    const final = await untilSeen(page, uid, "the message after", (s) => s.messages.length >= 4);
    expect(ids(final)).toEqual([before.id, ...missed.map((m) => m.id), after.id]);
  });

  it("retries the hub's busy answer no sooner than it asks, and goes live once there is room", async () => {
    const fillers = await fillTheHub();
    const uid = freshUid("busy");
    const { token } = await mintToken(uid, 600);
    await subscribeInPage(page, uid, { uid, token });
    const demo = await openDemo(freshUid("busy-demo"));
    try {
      const seen = await untilSeen(page, uid, "two busy answers", (s) => reconnects(s).length >= 2, 30_000);
      const retries = reconnects(seen);
      for (const change of retries) {
        expect(change).toMatchObject({ reason: "busy", busy: "full", status: 200, message: expect.stringMatching(/MAX_STREAMS \(6\)/) });
        // The hub asks for at least a second when full; the client's jitter comes on top.
        expect(change.retryInMs).toBeGreaterThanOrEqual(1000);
      }
      // The client waited what it said before each retry the proxy has seen so far.
      const at = pushesOf(uid).map((r) => r.at);
      expect(at.length).toBeGreaterThanOrEqual(2);
      for (let n = 0; n + 1 < at.length; n++) expect(at[n + 1]! - at[n]!).toBeGreaterThanOrEqual(retries[n]!.retryInMs! - 50);
      await demo.waitForSelector('#stream-problem[data-reason="busy"]');
      await demo.waitForSelector('body[data-inbox="loaded"]');
      expect(await demo.textContent("#stream-problem")).toMatch(
        /^The hub is full \(this hub holds MAX_STREAMS \(6\) streams; retrying by itself\)\. (Retrying in \d+ s|Connecting again…)\.?$/,
      );
      await demo.screenshot({ path: `${OUTPUT_DIR}/demo-hub-busy.png` });
    } finally {
      for (const filler of fillers) filler.abort();
    }
    await untilSeen(page, uid, "live once the hub has room", isLive, 30_000);
    await demo.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
    await demo.close();
  });

  it("stops for good on a 403, a 400 and a 401 without getToken(), saying why", async () => {
    const forbidden = freshUid("forbidden");
    const { token } = await mintToken(forbidden, 600);
    proxy.intercept(`/push?uid=${forbidden}`, { status: 403, body: JSON.stringify({ code: 403, error: "blocked by the firewall" }) }, 1);
    await subscribeInPage(page, forbidden, { uid: forbidden, token });
    const badUid = "x".repeat(129);
    await subscribeInPage(page, "bad-uid", { uid: badUid });
    const tokenless = freshUid("tokenless");
    await subscribeInPage(page, tokenless, { uid: tokenless });

    const closedWith = async (name: string) =>
      (await untilSeen(page, name, "closed", (s) => s.changes.at(-1)?.state === "closed")).changes.at(-1);
    expect(await closedWith(forbidden)).toMatchObject({ reason: "forbidden", status: 403, message: "blocked by the firewall" });
    expect(await closedWith("bad-uid")).toMatchObject({ reason: "bad-request", status: 400, message: "uid must be 1 to 128 characters" });
    expect(await closedWith(tokenless)).toMatchObject({
      reason: "unauthorized",
      status: 401,
      message: expect.stringMatching(/needs a subscriber token/),
    });
    // Longer than any backoff window would be: still one request each.
    await sleep(2500);
    for (const uid of [forbidden, badUid, tokenless]) expect(pushesOf(uid)).toHaveLength(1);
    for (const name of [forbidden, "bad-uid", tokenless]) expect((await seenIn(page, name)).changes.at(-1)?.state).toBe("closed");
  });
});

describe("the heartbeat watchdog", () => {
  it("aborts a half-open connection and resumes from the last id", async () => {
    const { uid, before } = await liveWithOneMessage("half-open");

    // The connection stays open but nothing passes either way: to the browser, a quiet stream.
    expect(proxy.freeze(`/push?uid=${uid}`)).toBe(1);
    const frozenAt = Date.now();
    const during = [await publish({ uid, msg: "while silent 1" }), await publish({ uid, msg: "while silent 2" })];
    const seen = await untilSeen(page, uid, "the silent messages", (s) => s.messages.length >= 3);
    const detected = reconnects(seen).find((c) => c.reason === "heartbeat");
    expect(detected).toBeDefined();
    // 2.5 × the hub's stated heartbeat after the last byte, which came at most one heartbeat before the freeze.
    expect(detected!.at - frozenAt).toBeGreaterThanOrEqual(1.5 * HEARTBEAT_MS - 100);
    expect(detected!.at - frozenAt).toBeLessThan(2.5 * HEARTBEAT_MS + 1500);
    expect(ids(seen)).toEqual([before.id, ...during.map((m) => m.id)]);
  });
});

describe("the demo page", () => {
  it("shows why the stream is refused and when it retries, loads the inbox meanwhile, then goes live", async () => {
    const uid = freshUid("demo-503");
    const stored = await publish({ uid, msg: "stored before the outage" });
    const body = JSON.stringify({ code: 503, error: "the origin is down for maintenance" });
    proxy.intercept(`/push?uid=${uid}`, { status: 503, headers: { "Retry-After": "4" }, body }, 1);
    const demo = await openDemo(uid);
    await demo.waitForSelector('#stream-problem[data-reason="server-error"]');
    await demo.waitForSelector(`#messages li[data-id="${stored.id}"]`);
    expect(await demo.textContent("#state")).toBe("reconnecting");
    expect(await demo.textContent("#stream-problem")).toMatch(
      /^The server had an error \(503 the origin is down for maintenance\)\. Retrying in [45] s\.$/,
    );
    await demo.screenshot({ path: `${OUTPUT_DIR}/demo-stream-refused.png` });
    await demo.waitForSelector('#state[data-state="live"]', { timeout: 15_000 });
    expect(await demo.isHidden("#stream-problem")).toBe(true);
    await demo.close();
  });
});
