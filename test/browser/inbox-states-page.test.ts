// The demo page's inbox states in real Chromium (issue 12): the recommended
// message shape, seen versus read, archive and the Archived view, delete, tag
// chips with their counts, retract, and changes made elsewhere followed.
import { describe, expect, inject, it } from "vitest";
import type { InboxPage } from "../../src/messages";
import { OUTPUT_DIR, useChromium } from "./chromium";
import { openDemo, ownIds, shownIds, unreadShown, untilGone, untilShown, untilUnread, untilUnseen } from "./demo-page";
import { ICON_URL, serveIcons } from "./fake-cdn";
import { freshUid, publish } from "./publish";

const baseUrl = inject("baseUrl");
const publishToken = inject("publishToken");
// Tall enough for every row of a fresh uid's inbox (its own and the run's broadcasts) to be on screen.
const TALL = { width: 1280, height: 2400 };

const browser = useChromium(serveIcons);

const openInbox = (uid: string) => openDemo(browser.context, baseUrl, uid);

async function inboxOf(uid: string, query = ""): Promise<InboxPage> {
  return (await (await fetch(`${baseUrl}/inbox?uid=${encodeURIComponent(uid)}&limit=100${query}`)).json()) as InboxPage;
}

const row = (id: string) => `#messages li[data-id="${id}"]`;

describe("the demo page's inbox", () => {
  it("renders the recommended shape: the title in bold, the body, a link, an icon, its age, broadcasts marked", async () => {
    const uid = freshUid("shape");
    const page = await openInbox(uid);
    const like = await publish({
      uid,
      msg: { title: "New like", body: "Ana liked your post", url: "/posts/7", icon: ICON_URL },
      tags: ["social"],
    });
    const text = await publish({ uid, msg: "a plain text message" });
    const unsafe = await publish({ uid, msg: { title: "Click me", url: "javascript:alert(1)" } });
    const data = await publish({ uid, event: "order.shipped", msg: { order: 7 } });
    const everyone = await publish({ isAll: true, msg: { title: "Maintenance at 22:00", body: "About ten minutes." } });
    await untilShown(page, [like.id, text.id, unsafe.id, data.id, everyone.id]);

    const link = await page.$(`${row(like.id)} a.link`);
    expect(await link!.textContent()).toBe("New like");
    expect(await link!.getAttribute("href")).toBe(`${baseUrl}/posts/7`);
    const title = await page.$(`${row(like.id)} a.link strong.title`);
    expect(Number(await title!.evaluate((element) => getComputedStyle(element).fontWeight))).toBeGreaterThanOrEqual(600);
    expect(await page.textContent(`${row(like.id)} .body`)).toBe("Ana liked your post");
    expect(await page.getAttribute(`${row(like.id)} img.icon`, "src")).toBe(ICON_URL);
    expect(await page.$eval(`${row(like.id)} img.icon`, (image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await page.textContent(`${row(like.id)} time`)).toBe("now");
    expect(await page.textContent(`${row(like.id)} .tag`)).toBe("social");

    // A string is the body, with no title; a javascript: link is never rendered.
    expect(await page.$(`${row(text.id)} .title`)).toBeNull();
    expect(await page.textContent(`${row(text.id)} .body`)).toBe("a plain text message");
    expect(await page.$(`${row(unsafe.id)} a`)).toBeNull();
    expect(await page.textContent(`${row(unsafe.id)} strong.title`)).toBe("Click me");
    // Any other JSON is shown as data, with its event name.
    expect(await page.textContent(`${row(data.id)} pre.body`)).toContain('"order": 7');
    expect(await page.textContent(`${row(data.id)} .event`)).toBe("order.shipped");
    expect(await page.textContent(`${row(everyone.id)} .broadcast`)).toBe("to everyone");
    expect(await page.$(`${row(like.id)} .broadcast`)).toBeNull();

    // Stored rows render the same as live ones.
    await page.reload();
    await page.waitForSelector('body[data-inbox="loaded"]');
    expect(await page.textContent(`${row(like.id)} a.link`)).toBe("New like");
    expect(await page.textContent(`${row(everyone.id)} .broadcast`)).toBe("to everyone");
    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-shapes.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-shapes-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-shapes-phone.png`, fullPage: true });
    await page.close();
  });

  it("counts unseen in its badge and unread beside it; what stays on screen becomes seen, and stays unread until opened", async () => {
    const uid = freshUid("seen");
    const page = await openDemo(browser.context, baseUrl, uid, { viewport: TALL });
    // Everything this fresh inbox holds is on screen: after a second it is all seen.
    await untilUnseen(page, 0);
    const unreadBefore = await unreadShown(page);

    const sent = await publish({ uid, msg: { title: "Seen, not read" } });
    await untilShown(page, [sent.id]);
    expect(await page.getAttribute(row(sent.id), "data-seen")).toBe("false");
    await untilUnread(page, unreadBefore + 1);
    await page.waitForSelector(`${row(sent.id)}[data-seen="true"]`);
    await untilUnseen(page, 0);
    expect(await page.getAttribute(row(sent.id), "data-read")).toBe("false");
    expect(await unreadShown(page)).toBe(unreadBefore + 1);
    expect((await inboxOf(uid)).messages.find((m) => m.id === sent.id)).toMatchObject({ seen: true, read: false });

    await page.click(`${row(sent.id)} .title`);
    await page.waitForSelector(`${row(sent.id)}[data-read="true"]`);
    await untilUnread(page, unreadBefore);
    expect((await inboxOf(uid)).messages.find((m) => m.id === sent.id)).toMatchObject({ seen: true, read: true });
    await page.close();
  });

  it("keeps what it does not show unseen: a message outside the tag in view raises the badge and stays unseen", async () => {
    const uid = freshUid("unshown");
    await publish({ uid, msg: "tagged", tags: ["social"] });
    const page = await openDemo(browser.context, baseUrl, uid, { viewport: TALL });
    await untilUnseen(page, 0);
    await page.click('#tag-chips button[data-tag="social"]');
    await page.waitForSelector('#tag-chips button[data-tag="social"][aria-pressed="true"]');
    const elsewhere = await publish({ uid, msg: "not in this view", tags: ["system"] });
    await untilUnseen(page, 1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await page.$(row(elsewhere.id))).toBeNull();
    expect(await page.textContent("#unseen")).toBe("1");
    expect((await inboxOf(uid)).unseen).toBe(1);
    await page.close();
  });

  it("archives a row into the Archived view, unarchives it back, and deletes for this uid only", async () => {
    const uid = freshUid("archive");
    const other = freshUid("archive-other");
    const page = await openInbox(uid);
    const kept = await publish({ uid, msg: "kept" });
    const shared = await publish({ uids: [uid, other], msg: { title: "To both" } });
    await untilShown(page, [kept.id, shared.id]);

    await page.click(`${row(shared.id)} button[data-action="archive"]`);
    await untilGone(page, [shared.id]);
    expect(await page.textContent("#announce")).toBe("Archived: To both");
    expect((await inboxOf(uid)).messages.map((m) => m.id)).not.toContain(shared.id);

    await page.click('#views button[data-status="archived"]');
    await page.waitForSelector('#views button[data-status="archived"][aria-pressed="true"]');
    await untilShown(page, [shared.id]);
    expect(await ownIds(page)).toEqual([shared.id]);
    expect(await page.textContent(`${row(shared.id)} button[data-action="unarchive"]`)).toBe("Unarchive");
    // A message published now is not archived: it does not join this view.
    const live = await publish({ uid, msg: "arrives while Archived is shown" });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await page.$(row(live.id))).toBeNull();
    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-archived.png` });

    await page.click(`${row(shared.id)} button[data-action="unarchive"]`);
    await untilGone(page, [shared.id]);
    await page.waitForSelector("#empty:not([hidden])");
    expect(await page.textContent("#empty")).toBe("Nothing archived.");
    await page.click('#views button[data-status="all"]');
    await untilShown(page, [live.id, shared.id, kept.id]);

    await page.click(`${row(shared.id)} button[data-action="delete"]`);
    await untilGone(page, [shared.id]);
    expect((await inboxOf(uid)).messages.map((m) => m.id)).not.toContain(shared.id);
    expect((await inboxOf(other)).messages.map((m) => m.id)).toContain(shared.id);
    await page.close();
  });

  it("shows a chip per tag with its unread count, and lists one tag's messages, live ones included", async () => {
    const uid = freshUid("chips");
    const social = [await publish({ uid, msg: "like 1", tags: ["social"] }), await publish({ uid, msg: "like 2", tags: ["social"] })];
    const system = await publish({ uid, msg: "maintenance", tags: ["system", "ops"] });
    const page = await openInbox(uid);
    const chipCount = (tag: string) => page.getAttribute(`#tag-chips button[data-tag="${tag}"] .chip-count`, "data-count");
    await page.waitForFunction(() => document.querySelectorAll("#tag-chips .chip-count").length === 3);
    expect(await page.$$eval("#tag-chips button", (chips) => chips.map((chip) => (chip as HTMLElement).dataset.tag))).toEqual([
      "ops",
      "system",
      "social",
    ]);
    expect([await chipCount("social"), await chipCount("system"), await chipCount("ops")]).toEqual(["2", "1", "1"]);

    await page.click('#tag-chips button[data-tag="social"]');
    await page.waitForSelector('#tag-chips button[data-tag="social"][aria-pressed="true"]');
    await page.waitForFunction((count) => document.querySelectorAll("#messages li").length === count, 2);
    expect(await shownIds(page)).toEqual([social[1]!.id, social[0]!.id]);
    const more = await publish({ uid, msg: "like 3", tags: ["social"] });
    const notShown = await publish({ uid, msg: "deploy", tags: ["ops"] });
    await untilShown(page, [more.id]);
    await page.waitForFunction(
      () => document.querySelector('#tag-chips button[data-tag="social"] .chip-count')?.getAttribute("data-count") === "3",
    );
    expect(await chipCount("ops")).toBe("2");
    expect(await page.$(row(notShown.id))).toBeNull();

    // Reading one lowers its tag's count; pressing the chip again shows every tag.
    await page.click(`${row(more.id)} .body`);
    await page.waitForFunction(
      () => document.querySelector('#tag-chips button[data-tag="social"] .chip-count')?.getAttribute("data-count") === "2",
    );
    await page.screenshot({ path: `${OUTPUT_DIR}/inbox-tags.png` });
    await page.click('#tag-chips button[data-tag="social"]');
    await untilShown(page, [system.id, notShown.id]);
    await page.close();
  });

  it("removes a row the publisher retracts, and follows what another tab or device changed", async () => {
    const uid = freshUid("follow");
    const page = await openInbox(uid);
    const sent = [
      await publish({ uid, msg: "to retract" }),
      await publish({ uid, msg: "archived elsewhere" }),
      await publish({ uid, msg: "read elsewhere" }),
    ];
    await untilShown(
      page,
      sent.map((m) => m.id),
    );
    const unread = await unreadShown(page);
    const retracted = await fetch(`${baseUrl}/messages/${sent[0]!.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${publishToken}` },
    });
    expect(retracted.status).toBe(200);
    await untilGone(page, [sent[0]!.id]);
    await untilUnread(page, unread - 1);

    // Another device of the uid archives one and reads another: only the counts come live; the page reads its rows again.
    const post = (path: string, body: unknown) =>
      fetch(`${baseUrl}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    await post("/inbox/archive", { uid, ids: [sent[1]!.id] });
    await post("/inbox/read", { uid, ids: [sent[2]!.id] });
    await untilGone(page, [sent[1]!.id]);
    await page.waitForSelector(`${row(sent[2]!.id)}[data-read="true"]:not(.unread)`);
    await untilUnread(page, unread - 3);
    await page.close();
  });
});
