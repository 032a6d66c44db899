// The typed client as an app uses it: the bundle the Worker serves at
// /client.js, imported by a page in real Chromium, against wrangler dev.

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, launchChromium } from "./chromium";
import { freshUid, publish } from "./publish";

/** The bundle's exports are the module's in src/client, so the page side is typed too. */
type Client = typeof import("../../src/client/index");
type PageWindow = { edgeInbox: Client; subscription?: ReturnType<Client["subscribe"]>; seen: Seen };

const WAIT_MS = 15_000;
const baseUrl = inject("baseUrl");

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  // Any document of the Worker's origin will do: the client and EventSource are same-origin then.
  await page.goto(`${baseUrl}/client.js`);
  // As an app would: a module script imports the client (window.edgeInbox for the test to reach).
  await page.addScriptTag({ type: "module", content: 'import * as client from "/client.js"; window.edgeInbox = client;' });
  await page.waitForFunction(() => "edgeInbox" in window);
}, 60_000);

afterAll(() => browser?.close());

/** What the in-page subscription recorded; `window.seen` in the page. */
interface Seen {
  states: string[];
  greetings: string[];
  unread: number[];
  messages: Array<{ id: string; uid: string | null; msg: unknown; ts: number; event: string }>;
  resets: string[];
}

/** subscribe() inside the page; the subscription is window.subscription, its callbacks fill window.seen. */
async function subscribeInPage(options: { uid: string; events?: string[]; lastEventId?: string }): Promise<void> {
  await page.evaluate(async (options) => {
    const page = window as unknown as PageWindow;
    const client = page.edgeInbox;
    page.subscription?.close();
    const seen: Seen = { states: [], greetings: [], unread: [], messages: [], resets: [] };
    page.seen = seen;
    page.subscription = client.subscribe({
      url: location.origin,
      ...options,
      onState: (state: string) => seen.states.push(state),
      onGreeting: (text: string) => seen.greetings.push(text),
      onUnread: (unread: number) => seen.unread.push(unread),
      onMessage: (message) => seen.messages.push(message),
      onReset: (lastEventId: string) => seen.resets.push(lastEventId),
    });
  }, options);
}

const seen = () => page.evaluate(() => (window as unknown as PageWindow).seen);

async function until(what: string, ready: (seen: Seen) => boolean): Promise<Seen> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const now = await seen();
    if (ready(now)) return now;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(now)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("subscribe() from /client.js", () => {
  it("goes live, greets, counts unread and delivers typed messages for the names it listens to", async () => {
    const uid = freshUid("client");
    await subscribeInPage({ uid });
    await until("the opening unread count", (s) => s.unread.length > 0);
    const like = await publish({ uid, event: "like", msg: { post: 9001 } });
    const plain = await publish({ uid, msg: "plain" });
    const now = await until("the plain message", (s) => s.messages.length > 0);
    expect(now.states).toEqual(["live"]);
    expect(now.greetings).toEqual(["站内信链接成功！"]);
    expect(now.messages).toEqual([{ id: plain.id, uid, msg: "plain", ts: expect.any(Number), event: "message" }]);
    expect(now.messages.map((m) => m.id)).not.toContain(like.id);

    await page.evaluate(() => (window as unknown as PageWindow).subscription!.listen("like"));
    const second = await publish({ uid, event: "like", msg: { post: 9002 } });
    const after = await until("the like after listen()", (s) => s.messages.length > 1);
    expect(after.messages[1]).toEqual({ id: second.id, uid, msg: { post: 9002 }, ts: expect.any(Number), event: "like" });
    expect(after.unread.at(-1)).toBe(after.unread[0]! + 3);
  });

  it("refuses the hub's own event names in listen()", async () => {
    await subscribeInPage({ uid: freshUid("reserved") });
    const problem = await page.evaluate(() => {
      try {
        (window as unknown as PageWindow).subscription!.listen("unread");
        return "accepted";
      } catch (error) {
        return String(error);
      }
    });
    expect(problem).toContain("the hub's own event");
  });

  it("calls onReset with the hub's head when the resume point is unknown", async () => {
    const uid = freshUid("reset");
    const head = await publish({ uid, msg: "the newest message" });
    await subscribeInPage({ uid, lastEventId: "9999999999" });
    const now = await until("a reset", (s) => s.resets.length > 0);
    expect(now.resets).toEqual([head.id]);
    expect(now.messages).toEqual([]);
    // After the reset the stream goes on from the head: the next message arrives.
    const next = await publish({ uid, msg: "after the reset" });
    const later = await until("the message after the reset", (s) => s.messages.length > 0);
    expect(later.messages.map((m) => m.id)).toEqual([next.id]);
  });

  it("reads and marks the inbox, and reports API errors with their status and message", async () => {
    const uid = freshUid("inbox-api");
    const first = await publish({ uid, msg: "one" });
    const second = await publish({ uid, msg: "two" });
    const answers = await page.evaluate(async (uid) => {
      const client = (window as unknown as PageWindow).edgeInbox;
      const target = { url: location.origin, uid };
      const page = await client.fetchInbox(target, { limit: 1 });
      const older = await client.fetchInbox(target, { before: page.next ?? undefined, limit: 1 });
      const marked = await client.markRead(target, { upTo: page.messages[0]!.id });
      let error: { name: string; status: number; message: string } | null = null;
      try {
        await client.fetchInbox(target, { limit: 0 });
      } catch (caught) {
        if (caught instanceof client.InboxApiError) error = { name: caught.name, status: caught.status, message: caught.message };
      }
      return { page, older, marked, error };
    }, uid);
    expect(answers.page.messages.map((m) => m.id)).toEqual([second.id]);
    expect(answers.older.messages.map((m) => m.id)).toEqual([first.id]);
    expect(answers.page.unread).toBeGreaterThanOrEqual(2);
    // upTo the newest id: everything older is read too, broadcasts included.
    expect(answers.marked.unread).toBe(0);
    expect(answers.error).toEqual({ name: "InboxApiError", status: 400, message: "limit must be a whole number from 1 to 100" });
  });
});
