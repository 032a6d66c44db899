// The demo inbox at /message in real headless Chromium, against `wrangler dev`
// on local workerd (started by global-setup.ts). Messages are published over
// HTTP exactly as a backend would; the test reads what the page shows.
import { describe, expect, inject, it } from "vitest";
import { OUTPUT_DIR, useChromium } from "./chromium";
import { byNewest, openDemo, ownIds, shownIds, unreadShown, untilShown, untilState, untilUnread, WAIT_MS } from "./demo-page";
import { freshUid, publish } from "./publish";

const baseUrl = inject("baseUrl");
const PUBLISH_TOKEN = inject("publishToken");

const browser = useChromium();

const openInbox = (uid: string) => openDemo(browser.context, baseUrl, uid);

describe("the inbox page at /message", () => {
  it("shows the greeting, the stored inbox and live messages newest first, with the unread badge", async () => {
    const uid = freshUid("inbox");
    const stored = await publish({ uid, msg: "sent while the page was closed" });
    const page = await openInbox(uid);
    await untilShown(page, [stored.id]);
    expect(await page.textContent("#greeting")).toBe("站内信链接成功！");
    const startUnread = await unreadShown(page);
    expect(startUnread).toBeGreaterThanOrEqual(1);

    const first = await publish({ uid, msg: "hello from the backend" });
    const broadcast = await publish({ isAll: true, msg: { text: "maintenance at 22:00" } });
    const like = await publish({ uids: [uid, freshUid("someone-else")], event: "like", msg: { from: "42" } });
    const elsewhere = await publish({ uid: freshUid("someone-else"), msg: "not for this inbox" });
    await untilShown(page, [first.id, broadcast.id, like.id]);
    await untilUnread(page, startUnread + 3);

    const ids = await shownIds(page);
    expect(ids).not.toContain(elsewhere.id);
    expect(ids.slice(0, 4)).toEqual([like.id, broadcast.id, first.id, stored.id]);
    expect(await page.getAttribute(`li[data-id="${like.id}"]`, "data-event")).toBe("like");
    expect(await page.textContent(`li[data-id="${like.id}"] .body`)).toContain('"from": "42"');
    expect(await page.textContent(`li[data-id="${first.id}"] .body`)).toBe("hello from the backend");
    expect(await page.textContent(`li[data-id="${first.id}"] time`)).not.toBe("");
    expect(await page.$$eval("#messages li.unread", (items) => items.length)).toBeGreaterThanOrEqual(4);

    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.click("#mark-all-read");
    await untilUnread(page, 0);
    expect(await page.$$eval("#messages li.unread", (items) => items.length)).toBe(0);
    await page.close();
  });

  it("shows messages of every event name, each with its name", async () => {
    const uid = freshUid("names");
    const page = await openInbox(uid);
    const startUnread = await unreadShown(page);
    const like = await publish({ uid, event: "like", msg: "a like" });
    const shipped = await publish({ uid, event: "order.shipped", msg: { order: 7 } });
    const plain = await publish({ uid, msg: "a plain message" });
    await untilShown(page, [like.id, shipped.id, plain.id]);
    expect(await ownIds(page)).toEqual([plain.id, shipped.id, like.id]);
    expect(await page.getAttribute(`li[data-id="${shipped.id}"]`, "data-event")).toBe("order.shipped");
    expect(await page.textContent(`li[data-id="${shipped.id}"] .event`)).toBe("order.shipped");
    await untilUnread(page, startUnread + 3);
    await page.close();
  });

  it("marks everything up to the inbox's head read, also what the page does not show", async () => {
    const uid = freshUid("head");
    const stored = [await publish({ uid, msg: "stored 1" }), await publish({ uid, msg: "stored 2" })];
    // The stored inbox fails to load: the page shows no rows, only the live badge.
    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.route("**/inbox?*", (route) => route.abort());
    await page.goto(`${baseUrl}/message?uid=${encodeURIComponent(uid)}`);
    await page.waitForSelector('body[data-inbox="failed"]');
    // The count comes from the stream's own unread event.
    await page.waitForFunction(() => Number(document.getElementById("unread")?.textContent) >= 2);
    expect(await ownIds(page)).toEqual([]);
    await page.click("#mark-all-read");
    await untilUnread(page, 0);
    const inbox = (await (await fetch(`${baseUrl}/inbox?uid=${encodeURIComponent(uid)}`)).json()) as {
      unread: number;
      messages: Array<{ id: string; read: boolean }>;
    };
    expect(inbox.unread).toBe(0);
    for (const message of stored) expect(inbox.messages.find((m) => m.id === message.id)?.read).toBe(true);
    await page.close();
  });

  it("lets a keyboard reach every row and its actions, mark rows read and archive one", async () => {
    const uid = freshUid("keys");
    const page = await openInbox(uid);
    const sent = [await publish({ uid, msg: "first" }), await publish({ uid, msg: "second" }), await publish({ uid, msg: "third" })];
    await untilShown(
      page,
      sent.map((m) => m.id),
    );
    const startUnread = await unreadShown(page);
    /** The row holding the focus, and what has it: the row itself or one of its buttons. */
    const focused = () =>
      page.evaluate(() => {
        const active = document.activeElement as HTMLElement;
        return { row: active.closest("li")?.dataset.id, on: active.tagName === "LI" ? "row" : active.textContent };
      });
    await page.focus("#messages li:first-child");
    expect(await focused()).toEqual({ row: sent[2]!.id, on: "row" });
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toEqual({ row: sent[1]!.id, on: "row" });
    await page.keyboard.press("Enter");
    await page.waitForSelector(`li[data-id="${sent[1]!.id}"]:not(.unread)`);
    await untilUnread(page, startUnread - 1);
    expect(await page.textContent(`li[data-id="${sent[1]!.id}"] .read-state`)).toBe("read");
    expect(await page.textContent(`li[data-id="${sent[2]!.id}"] .read-state`)).toMatch(/^(new, )?unread$/);
    // Tab goes through the row's actions, then on to the next row; Space marks that one too.
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual({ row: sent[1]!.id, on: "Archive" });
    expect(await page.evaluate(() => document.activeElement!.getAttribute("aria-label"))).toBe("Archive: second");
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual({ row: sent[1]!.id, on: "Delete" });
    await page.keyboard.press("Tab");
    expect(await focused()).toEqual({ row: sent[0]!.id, on: "row" });
    await page.keyboard.press(" ");
    await page.waitForSelector(`li[data-id="${sent[0]!.id}"]:not(.unread)`);
    await untilUnread(page, startUnread - 2);
    await page.keyboard.press("Home");
    expect(await focused()).toEqual({ row: sent[2]!.id, on: "row" });
    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-keyboard.png` });

    // Archived from the keyboard: the row leaves, and the focus goes to the next row rather than nowhere.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`li[data-id="${sent[2]!.id}"]`, { state: "detached" });
    expect(await focused()).toEqual({ row: sent[1]!.id, on: "row" });
    expect(await page.textContent("#announce")).toBe("Archived: third");
    await page.close();
  });

  it("reconnects after the server drops the stream and shows what it missed, once", async () => {
    const uid = freshUid("resume");
    const page = await openInbox(uid);
    const before = await publish({ uid, msg: "before the drop" });
    await untilShown(page, [before.id]);

    // Every reason the page shows, however briefly: a reconnect drawn near 0 ms leaves the notice up for a frame or two.
    await page.evaluate(() => {
      const notice = document.getElementById("stream-problem")!;
      const reasons: string[] = [];
      Object.assign(window, { reasonsShown: reasons });
      new MutationObserver(() => notice.dataset.reason && reasons.push(notice.dataset.reason)).observe(notice, { attributes: true });
    });
    // A second stream of the same uid: with MAX_STREAMS_PER_UID=1 the hub closes the page's.
    const intruder = new AbortController();
    const stream = await fetch(`${baseUrl}/push?uid=${encodeURIComponent(uid)}`, { signal: intruder.signal });
    const reader = stream.body!.getReader();
    const readIntruder = (async () => {
      try {
        for (;;) {
          const { done } = await reader.read();
          if (done) break;
        }
      } catch {
        // Aborted at the end of the test, or closed when the page came back.
      }
    })();
    try {
      await page.waitForFunction(() => (window as unknown as { reasonsShown: string[] }).reasonsShown.includes("ended"));
      // Published while the page is away or coming back: live or by resuming, each shows once.
      const missed = [await publish({ uid, msg: "missed 1" }), await publish({ uid, msg: "missed 2" })];
      await untilShown(
        page,
        missed.map((m) => m.id),
      );
      await untilState(page, "live");

      const after = await publish({ uid, msg: "after the resume" });
      await untilShown(page, [after.id]);
      const ids = await ownIds(page);
      expect(ids).toEqual(byNewest([before.id, ...missed.map((m) => m.id), after.id]));
      const all = await shownIds(page);
      expect(new Set(all).size).toBe(all.length);
    } finally {
      intruder.abort();
      await readIntruder;
    }
    await page.close();
  });

  it("sends from its own panel and shows the API's error message", async () => {
    const uid = freshUid("panel");
    const page = await openInbox(uid);
    await page.fill("#publisher-token", "wrong-token");
    await page.fill("#msg", "typed on the page");
    await page.click('#send button[type="submit"]');
    await page.waitForSelector('#send-result[data-ok="false"]');
    expect(await page.textContent("#send-result")).toMatch(/^401 /);
    expect(await ownIds(page)).toEqual([]);

    await page.fill("#publisher-token", PUBLISH_TOKEN);
    await page.click('#send button[type="submit"]');
    await page.waitForSelector('#send-result[data-ok="true"]');
    const sentId = /#(\d+)/.exec((await page.textContent("#send-result")) ?? "")?.[1];
    expect(sentId).toBeDefined();
    await untilShown(page, [sentId!]);
    expect(await page.textContent(`li[data-id="${sentId}"] .body`)).toBe("typed on the page");
    // The token lives in this tab's session storage, nowhere else.
    expect(await page.evaluate(() => sessionStorage.getItem("edge-inbox.publisher-token"))).toBe(PUBLISH_TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.close();
  });

  it("pages older messages in from GET /inbox", async () => {
    const uid = freshUid("paging");
    const published: string[] = [];
    for (let i = 0; i < 23; i++) published.push((await publish({ uid, msg: `old ${i}` })).id);
    const page = await openInbox(uid);
    await untilShown(page, published.slice(-20));
    await page.waitForSelector("#load-older:not([hidden])");
    await page.click("#load-older");
    await untilShown(page, published);
    expect((await shownIds(page)).filter((id) => published.includes(id))).toEqual(byNewest(published));
    await page.close();
  });

  it("shows a refused stream as closed, with the API's reason", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${baseUrl}/message?uid=${"x".repeat(129)}`);
    await untilState(page, "closed");
    expect(await page.textContent("#stream-problem")).toBe(
      "The stream was refused: 400 uid must be 1 to 128 characters. Check the uid and the subscriber token, then Connect again.",
    );
    await page.close();
  });
});
