// The typed client as an app uses it: the bundle the Worker serves at
// /client.js, imported by a page in real Chromium, against wrangler dev.

import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, launchChromium } from "./chromium";
import { type Client, closeAllInPage, listenInPage, openClientPage, subscribeInPage, untilSeen } from "./client-page";
import { freshUid, publish } from "./publish";

const baseUrl = inject("baseUrl");
const publishToken = inject("publishToken");

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
    for (const name of ["unread", "reset", "busy", "retract"]) expect(await listenInPage(page, S, name)).toContain("the hub's own event");
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

  it("hands out both counts, a message's tags and expiry, and a retract, and drives every inbox state", async () => {
    const uid = freshUid("states");
    await subscribeInPage(page, S, { uid });
    const opening = await untilSeen(page, S, "the opening counts", (s) => s.counts.length > 0);
    // Broadcasts other tests sent are in every inbox: counts are compared with the opening ones.
    const base = opening.counts[0]!;
    const plus = (unread: number, unseen: number) => ({ unread: base.unread + unread, unseen: base.unseen + unseen });
    const tagged = await publish({ uid, msg: { title: "New like", body: "Ana liked your post" }, tags: ["social"], ttl: 600 });
    const plain = await publish({ uid, msg: "plain", tags: ["system"] });
    const now = await untilSeen(page, S, "both messages counted", (s) => s.messages.length === 2 && s.counts.length === 3);
    expect(now.messages[0]).toEqual({
      id: tagged.id,
      uid,
      msg: { title: "New like", body: "Ana liked your post" },
      ts: expect.any(Number),
      event: "message",
      tags: ["social"],
      expiresAt: expect.any(Number),
    });
    expect(now.counts).toEqual([plus(0, 0), plus(1, 1), plus(2, 2)]);

    const answers = await page.evaluate(
      async ({ uid, tagged, plain }) => {
        const client = (window as unknown as { edgeInbox: Client }).edgeInbox;
        const target = { url: location.origin, uid };
        const seen = await client.markSeen(target, { ids: [tagged] });
        const social = await client.fetchInbox(target, { tag: "social", tags: ["social", "system"] });
        const archived = await client.archive(target, { ids: [plain] });
        const archivedPage = await client.fetchInbox(target, { status: "archived" });
        const unarchived = await client.unarchive(target, { upTo: plain });
        const read = await client.markRead(target, { ids: [tagged] });
        const deleted = await client.deleteMessages(target, { ids: [plain] });
        const left = await client.fetchInbox(target, { status: "all" });
        return { seen, social, archived, archivedPage, unarchived, read, deleted, left };
      },
      { uid, tagged: tagged.id, plain: plain.id },
    );
    expect(answers.seen).toEqual(plus(2, 1));
    expect(answers.social.messages.map((m) => [m.id, m.seen, m.read])).toEqual([[tagged.id, true, false]]);
    expect(answers.social.byTag).toEqual({ social: { unread: 1, unseen: 0 }, system: { unread: 1, unseen: 1 } });
    expect(answers.archived).toEqual(plus(1, 0));
    expect(answers.archivedPage.messages.map((m) => m.id)).toEqual([plain.id]);
    expect(answers.unarchived).toEqual(plus(2, 1));
    expect(answers.read).toEqual(plus(1, 1));
    expect(answers.deleted).toEqual(plus(0, 0));
    expect(answers.left.messages.map((m) => m.id)).toContain(tagged.id);
    expect(answers.left.messages.map((m) => m.id)).not.toContain(plain.id);
    // Every change reached the stream too, in order.
    const live = await untilSeen(page, S, "the counts of every change", (s) => s.counts.length >= 8);
    expect(live.counts.slice(3)).toEqual([answers.seen, answers.archived, answers.unarchived, answers.read, answers.deleted]);

    const retracted = await fetch(`${baseUrl}/messages/${tagged.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${publishToken}` },
    });
    expect(retracted.status).toBe(200);
    const after = await untilSeen(page, S, "the retract", (s) => s.retracts.length > 0);
    expect(after.retracts).toEqual([`retracted:${tagged.id}`]);
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
