// <edge-inbox-bell> as a site drops it in: one <script> tag for /widget.js and
// the element, on a page of the site (here served by the test, on the
// Worker's origin), in real Chromium against wrangler dev.
import type { Page } from "playwright-core";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { InboxPage } from "../../src/messages";
import { OUTPUT_DIR, useChromium } from "./chromium";
import { ICON_URL, serveIcons } from "./fake-cdn";
import { freshUid, publish } from "./publish";

const WAIT_MS = 15_000;
const baseUrl = inject("baseUrl");
const publishToken = inject("publishToken");

const browser = useChromium(serveIcons);

// Each open page holds a stream: one of the six connections Chromium allows an origin over HTTP/1.1.
afterEach(async () => {
  for (const page of browser.context.pages()) await page.close();
});

/** A site's page with the bell in its header, exactly as the README shows it. */
function sitePage(bellAttributes: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 8px 16px; border-bottom: 1px solid #ddd; }
  @media (prefers-color-scheme: dark) { body { background: #111318; color: #e6e8ec; } header { border-color: #333; } }
</style>
<script type="module" src="${baseUrl}/widget.js"></script>
</head>
<body>
<header><strong>Acme</strong><nav><a href="#">Home</a> <edge-inbox-bell ${bellAttributes}></edge-inbox-bell></nav></header>
<main><p>Your dashboard.</p><button id="elsewhere" type="button">Elsewhere</button></main>
</body>
</html>`;
}

async function openSite(uid: string, extra = ""): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.route(`${baseUrl}/acme/**`, (route) =>
    route.fulfill({ contentType: "text/html", body: sitePage(`uid="${uid}" base="${baseUrl}" ${extra}`) }),
  );
  await page.goto(`${baseUrl}/acme/dashboard`);
  return page;
}

const bell = "edge-inbox-bell .bell";
const badge = "edge-inbox-bell .badge";
const item = (id: string) => `edge-inbox-bell li[data-id="${id}"]`;

/** Until the bell lists the message, open or not. */
const untilListed = (page: Page, id: string) => page.waitForSelector(item(id), { state: "attached" });

async function inboxOf(uid: string, query = ""): Promise<InboxPage> {
  return (await (await fetch(`${baseUrl}/inbox?uid=${encodeURIComponent(uid)}&limit=100${query}`)).json()) as InboxPage;
}

/** Until the badge says what the server counts as unseen now (hidden at 0). */
async function untilBadgeMatchesServer(page: Page, uid: string, tag?: string): Promise<number> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const inbox = await inboxOf(uid, tag === undefined ? "" : `&tags=${tag}`);
    const unseen = tag === undefined ? inbox.unseen : inbox.byTag![tag]!.unseen;
    const shown = await page.$eval(badge, (element) => ((element as HTMLElement).hidden ? "0" : element.textContent));
    if (shown === String(unseen)) return unseen;
    if (Date.now() > deadline) throw new Error(`the badge says ${shown}, the server counts ${unseen} unseen`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What has the focus inside the bell: an entry's message id, the bell button, or the heading. */
const focusInBell = (page: Page) =>
  page.evaluate(() => {
    const active = document.querySelector("edge-inbox-bell")!.shadowRoot!.activeElement as HTMLElement | null;
    if (active === null) return document.activeElement?.id || document.activeElement?.tagName;
    return active.closest("li")?.dataset.id ?? active.className;
  });

describe("<edge-inbox-bell>", () => {
  it("shows the unseen badge, opens newest first with title, body, link and age, and marks what it showed seen", async () => {
    const uid = freshUid("bell");
    const like = await publish({
      uid,
      msg: { title: "New like", body: "Ana liked your post", url: "/posts/7", icon: ICON_URL },
    });
    const page = await openSite(uid);
    await untilListed(page, like.id);
    const before = await untilBadgeMatchesServer(page, uid);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(await page.getAttribute(bell, "aria-expanded")).toBe("false");
    expect(await page.getAttribute(bell, "aria-label")).toBe(`Notifications, ${before} new`);
    expect(await page.isHidden("edge-inbox-bell .panel")).toBe(true);

    const text = await publish({ uid, msg: "Your export is ready" });
    await untilListed(page, text.id);
    expect(await untilBadgeMatchesServer(page, uid)).toBe(before + 1);
    expect(await page.textContent("edge-inbox-bell [role=status]:not(.status)")).toBe("New notification: Your export is ready");
    await page.screenshot({ path: `${OUTPUT_DIR}/bell-badge.png`, clip: { x: 1040, y: 0, width: 240, height: 60 } });

    await page.click(bell);
    expect(await page.getAttribute(bell, "aria-expanded")).toBe("true");
    expect(await page.isVisible("edge-inbox-bell .panel")).toBe(true);
    const ids = await page.$$eval("edge-inbox-bell li", (items) => items.map((li) => (li as HTMLElement).dataset.id));
    expect(ids.slice(0, 2)).toEqual([text.id, like.id]);
    expect(await focusInBell(page)).toBe(text.id);
    expect(await page.textContent(`${item(like.id)} .title`)).toBe("New like");
    expect(await page.textContent(`${item(like.id)} .body`)).toBe("Ana liked your post");
    expect(await page.getAttribute(`${item(like.id)} a.entry`, "href")).toBe(`${baseUrl}/posts/7`);
    expect(await page.textContent(`${item(like.id)} time`)).toBe("now");
    expect(await page.textContent(`${item(text.id)} .title`)).toBe("Your export is ready");
    expect(await page.textContent(`${item(text.id)} .state`)).toBe(", unread");
    expect(await page.$eval(`${item(like.id)} img.icon`, (image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

    // Opened, everything it shows is seen: the badge goes, the messages stay unread.
    await page.waitForSelector(badge, { state: "hidden" });
    expect(await page.getAttribute(bell, "aria-label")).toBe("Notifications");
    const inbox = await inboxOf(uid);
    expect(inbox.unseen).toBe(0);
    for (const id of [like.id, text.id]) expect(inbox.messages.find((m) => m.id === id)).toMatchObject({ seen: true, read: false });
    await page.screenshot({ path: `${OUTPUT_DIR}/bell-light.png` });

    // A message that arrives while it is open is shown, and so seen at once.
    const live = await publish({ uid, msg: { title: "Arrived while open" } });
    await untilListed(page, live.id);
    await expect.poll(async () => (await inboxOf(uid)).messages.find((m) => m.id === live.id)?.seen, { timeout: WAIT_MS }).toBe(true);
    expect(await page.isHidden(badge)).toBe(true);
    await page.close();
  });

  it("marks a message read on click and follows its link; Mark all read marks the rest", async () => {
    const uid = freshUid("bell-read");
    const link = await publish({ uid, msg: { title: "Open me", url: "/acme/posts/7" } });
    const plain = [await publish({ uid, msg: "first" }), await publish({ uid, msg: "second" })];
    const page = await openSite(uid);
    await untilListed(page, plain[1]!.id);
    await page.click(bell);

    await page.click(`${item(plain[1]!.id)} button.entry`);
    await page.waitForSelector(`${item(plain[1]!.id)}[data-read="true"]`);
    await expect.poll(async () => (await inboxOf(uid)).messages.find((m) => m.id === plain[1]!.id)?.read).toBe(true);
    expect((await inboxOf(uid)).messages.find((m) => m.id === plain[0]!.id)?.read).toBe(false);

    // Reading a link's message goes to its url, with the read mark stored first.
    await page.click(`${item(link.id)} a.entry`);
    await page.waitForURL(`${baseUrl}/acme/posts/7`);
    expect((await inboxOf(uid)).messages.find((m) => m.id === link.id)?.read).toBe(true);

    // On the page it led to, Mark all read marks the rest.
    await untilListed(page, plain[0]!.id);
    await page.click(bell);
    await page.click("edge-inbox-bell .mark-all");
    await expect.poll(async () => (await inboxOf(uid)).unread, { timeout: WAIT_MS }).toBe(0);
    expect(await page.$$eval("edge-inbox-bell li[data-read=false]", (items) => items.length)).toBe(0);
    await page.waitForSelector("edge-inbox-bell .mark-all:disabled");
    await page.close();
  });

  it("works from the keyboard: Enter opens into the list, arrows move, Escape closes back to the bell, Tab out closes", async () => {
    const uid = freshUid("bell-keys");
    const sent = [await publish({ uid, msg: "one" }), await publish({ uid, msg: "two" }), await publish({ uid, msg: "three" })];
    const page = await openSite(uid);
    await untilListed(page, sent[2]!.id);
    await page.focus(bell);
    await page.keyboard.press("Enter");
    expect(await page.getAttribute(bell, "aria-expanded")).toBe("true");
    expect(await focusInBell(page)).toBe(sent[2]!.id);
    await page.keyboard.press("ArrowDown");
    expect(await focusInBell(page)).toBe(sent[1]!.id);
    await page.keyboard.press("End");
    const last = await page.$$eval("edge-inbox-bell li", (items) => (items.at(-1) as HTMLElement).dataset.id);
    expect(await focusInBell(page)).toBe(last);
    await page.keyboard.press("Home");
    expect(await focusInBell(page)).toBe(sent[2]!.id);
    // Enter on a message marks it read.
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${item(sent[2]!.id)}[data-read="true"]`);
    await page.screenshot({ path: `${OUTPUT_DIR}/bell-keyboard.png` });

    await page.keyboard.press("Escape");
    expect(await page.getAttribute(bell, "aria-expanded")).toBe("false");
    expect(await page.isHidden("edge-inbox-bell .panel")).toBe(true);
    expect(await focusInBell(page)).toBe("bell");

    // ArrowDown on the bell opens it too; Shift+Tab from the first control leaves it, and it closes.
    await page.keyboard.press("ArrowDown");
    expect(await page.getAttribute(bell, "aria-expanded")).toBe("true");
    await page.focus("#elsewhere");
    expect(await page.getAttribute(bell, "aria-expanded")).toBe("false");
    // A click outside closes it as well.
    await page.click(bell);
    await page.click("main p");
    expect(await page.getAttribute(bell, "aria-expanded")).toBe("false");

    // The accessible structure: a button that says what it controls, a labelled list of items.
    const tree = await page.evaluate(() => {
      const root = document.querySelector("edge-inbox-bell")!.shadowRoot!;
      const button = root.querySelector(".bell")!;
      const list = root.querySelector("ul")!;
      return {
        controls: root.getElementById(button.getAttribute("aria-controls")!)?.className,
        listRole: list.getAttribute("role"),
        listName: root.getElementById(list.getAttribute("aria-labelledby")!)?.textContent,
        items: list.querySelectorAll(":scope > li").length,
      };
    });
    expect(tree).toEqual({ controls: "panel", listRole: "list", listName: "Notifications", items: expect.any(Number) });
    expect(tree.items).toBeGreaterThanOrEqual(3);
    await page.close();
  });

  it("removes a retracted message, and with a tag shows only that tag's messages and its own badge", async () => {
    const uid = freshUid("bell-tag");
    const social = await publish({ uid, msg: { title: "Liked" }, tags: ["social"] });
    const system = await publish({ uid, msg: { title: "Maintenance" }, tags: ["system"] });
    const page = await openSite(uid, 'tag="social" label="Social"');
    await untilListed(page, social.id);
    expect(await page.$(item(system.id))).toBeNull();
    expect(await untilBadgeMatchesServer(page, uid, "social")).toBe(1);
    expect(await page.getAttribute(bell, "aria-label")).toBe("Social, 1 new");

    const more = await publish({ uid, msg: { title: "Liked again" }, tags: ["social"] });
    await publish({ uid, msg: { title: "Deploy" }, tags: ["system"] });
    await untilListed(page, more.id);
    expect(await untilBadgeMatchesServer(page, uid, "social")).toBe(2);

    const retracted = await fetch(`${baseUrl}/messages/${more.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${publishToken}` },
    });
    expect(retracted.status).toBe(200);
    await page.waitForSelector(item(more.id), { state: "detached" });
    expect(await untilBadgeMatchesServer(page, uid, "social")).toBe(1);

    // Opening marks the tag's messages seen, not the others.
    await page.click(bell);
    await untilBadgeMatchesServer(page, uid, "social");
    await page.waitForSelector(badge, { state: "hidden" });
    const byTag = (await inboxOf(uid, "&tags=social,system")).byTag!;
    expect(byTag.social!.unseen).toBe(0);
    expect(byTag.system!.unseen).toBe(2);
    await page.close();
  });

  it("shares one stream among the tabs of a browser", async () => {
    const uid = freshUid("bell-tabs");
    const pages = [await openSite(uid), await openSite(uid)];
    const tabs = async () =>
      (
        (await (await fetch(`${baseUrl}/stats?uid=${uid}`, { headers: { Authorization: `Bearer ${publishToken}` } })).json()) as {
          tabs: number;
        }
      ).tabs;
    await expect.poll(tabs, { timeout: WAIT_MS }).toBe(1);
    const sent = await publish({ uid, msg: "to both tabs" });
    for (const page of pages) await untilListed(page, sent.id);
    for (const page of pages) await page.close();
  });

  it("looks right in light, in dark (the system's or theme=dark) and at phone width", async () => {
    const uid = freshUid("bell-looks");
    await publish({ uid, msg: { title: "Welcome to Acme", body: "Set up your profile to get started.", url: "/acme/profile" } });
    await publish({ uid, msg: { title: "Ana liked your post", body: "“Shipping the bell today”", icon: ICON_URL } });
    const last = await publish({
      uid,
      msg: { title: "Maintenance tonight", body: "The site is read-only from 22:00 to 22:10." },
      tags: ["system"],
    });
    const page = await openSite(uid);
    await untilListed(page, last.id);
    const surface = () => page.$eval("edge-inbox-bell .panel", (panel) => getComputedStyle(panel).backgroundColor);

    await page.click(bell);
    await page.waitForSelector(badge, { state: "hidden" });
    expect(await surface()).toBe("rgb(255, 255, 255)");
    await page.screenshot({ path: `${OUTPUT_DIR}/bell-open-light.png` });

    await page.emulateMedia({ colorScheme: "dark" });
    expect(await surface()).toBe("rgb(29, 32, 39)");
    await page.screenshot({ path: `${OUTPUT_DIR}/bell-open-dark.png` });
    // theme="light" wins over the system's dark; theme="dark" over its light.
    await page.evaluate(() => document.querySelector("edge-inbox-bell")!.setAttribute("theme", "light"));
    expect(await surface()).toBe("rgb(255, 255, 255)");
    await page.emulateMedia({ colorScheme: "light" });
    await page.evaluate(() => document.querySelector("edge-inbox-bell")!.setAttribute("theme", "dark"));
    expect(await surface()).toBe("rgb(29, 32, 39)");
    await page.evaluate(() => document.querySelector("edge-inbox-bell")!.removeAttribute("theme"));

    // At phone width the panel spans the screen under the bell.
    await page.keyboard.press("Escape");
    await page.setViewportSize({ width: 375, height: 740 });
    await page.click(bell);
    const box = (await page.$("edge-inbox-bell .panel"))!;
    const panel = (await box.boundingBox())!;
    const button = (await (await page.$(bell))!.boundingBox())!;
    expect(panel.x).toBeGreaterThanOrEqual(0);
    expect(panel.x + panel.width).toBeLessThanOrEqual(375);
    expect(panel.width).toBeGreaterThan(340);
    expect(panel.y).toBeGreaterThanOrEqual(button.y + button.height);
    await page.screenshot({ path: `${OUTPUT_DIR}/bell-phone.png` });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: `${OUTPUT_DIR}/bell-phone-dark.png` });
    await page.close();
  });

  it("needs only a uid on the site that serves it, and says what is missing without one", async () => {
    const uid = freshUid("bell-plain");
    const sent = await publish({ uid, msg: "hello" });
    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.route(`${baseUrl}/plain/**`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<script type="module" src="/widget.js"></script><edge-inbox-bell uid="${uid}"></edge-inbox-bell><edge-inbox-bell id="no-uid"></edge-inbox-bell>`,
      }),
    );
    await page.goto(`${baseUrl}/plain/page`);
    await untilListed(page, sent.id);
    await page.click("#no-uid .bell");
    expect(await page.textContent("#no-uid .status")).toBe("Set the uid attribute to show its messages.");
    await page.close();
  });
});
