// The typed client as an app uses it: the bundle the Worker serves at
// /client.js, imported by a page in real Chromium, against wrangler dev.

import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, launchChromium } from "./chromium";
import { type Client, closeAllInPage, listenInPage, openClientPage, subscribeInPage, untilSeen } from "./client-page";
import { freshUid, publish } from "./publish";

const baseUrl = inject("baseUrl");

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await openClientPage(browser.context, baseUrl);
}, 60_000);

afterAll(() => browser?.close());
afterEach(() => closeAllInPage(page));

const S = "main";

describe("subscribe() from /client.js", () => {
  it("goes live, greets, counts unread and delivers typed messages for the names it listens to", async () => {
    const uid = freshUid("client");
    await subscribeInPage(page, S, { uid });
    await untilSeen(page, S, "the opening unread count", (s) => s.unread.length > 0);
    const like = await publish({ uid, event: "like", msg: { post: 9001 } });
    const plain = await publish({ uid, msg: "plain" });
    const now = await untilSeen(page, S, "the plain message", (s) => s.messages.length > 0);
    expect(now.changes.map((c) => c.state)).toEqual(["connecting", "live"]);
    expect(now.greetings).toEqual(["站内信链接成功！"]);
    expect(now.messages).toEqual([{ id: plain.id, uid, msg: "plain", ts: expect.any(Number), event: "message" }]);
    expect(now.messages.map((m) => m.id)).not.toContain(like.id);

    expect(await listenInPage(page, S, "like")).toBe("accepted");
    const second = await publish({ uid, event: "like", msg: { post: 9002 } });
    const after = await untilSeen(page, S, "the like after listen()", (s) => s.messages.length > 1);
    expect(after.messages[1]).toEqual({ id: second.id, uid, msg: { post: 9002 }, ts: expect.any(Number), event: "like" });
    expect(after.unread.at(-1)).toBe(after.unread[0]! + 3);
  });

  it('hands every event name to the onEvent catch-all, and to onMessage with events: "*"', async () => {
    const uid = freshUid("catch-all");
    await subscribeInPage(page, S, { uid, events: ["message"] });
    await untilSeen(page, S, "the opening unread count", (s) => s.unread.length > 0);
    const unlisted = await publish({ uid, event: "order.shipped", msg: { order: 7 } });
    const plain = await publish({ uid, msg: "plain" });
    const now = await untilSeen(page, S, "both messages in the catch-all", (s) => s.everything.length > 1);
    expect(now.everything).toEqual([
      { id: unlisted.id, uid, msg: { order: 7 }, ts: expect.any(Number), event: "order.shipped" },
      { id: plain.id, uid, msg: "plain", ts: expect.any(Number), event: "message" },
    ]);
    expect(now.messages.map((m) => m.id)).toEqual([plain.id]);

    const starUid = freshUid("star");
    await subscribeInPage(page, S, { uid: starUid, events: "*" });
    await untilSeen(page, S, "the opening unread count", (s) => s.unread.length > 0);
    const named = await publish({ uid: starUid, event: "comment", msg: "a comment" });
    const star = await untilSeen(page, S, "the named message", (s) => s.messages.length > 0);
    expect(star.messages.map((m) => [m.id, m.event])).toEqual([[named.id, "comment"]]);
  });

  it("refuses the hub's own event names in listen()", async () => {
    await subscribeInPage(page, S, { uid: freshUid("reserved") });
    for (const name of ["unread", "reset", "busy"]) expect(await listenInPage(page, S, name)).toContain("the hub's own event");
  });

  it("calls onReset with the hub's head when the resume point is unknown", async () => {
    const uid = freshUid("reset");
    const head = await publish({ uid, msg: "the newest message" });
    await subscribeInPage(page, S, { uid, lastEventId: "9999999999" });
    const now = await untilSeen(page, S, "a reset", (s) => s.resets.length > 0);
    expect(now.resets).toEqual([head.id]);
    expect(now.messages).toEqual([]);
    // After the reset the stream goes on from the head: the next message arrives.
    const next = await publish({ uid, msg: "after the reset" });
    const later = await untilSeen(page, S, "the message after the reset", (s) => s.messages.length > 0);
    expect(later.messages.map((m) => m.id)).toEqual([next.id]);
  });

  it("reads and marks the inbox, and reports API errors with their status and message", async () => {
    const uid = freshUid("inbox-api");
    const first = await publish({ uid, msg: "one" });
    const second = await publish({ uid, msg: "two" });
    const answers = await page.evaluate(async (uid) => {
      const client = (window as unknown as { edgeInbox: Client }).edgeInbox;
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
