// One stream per browser: pages of one origin subscribed to the same uid
// elect a leader (Web Locks) that holds the stream and relays it to the
// others (BroadcastChannel). Real Chromium, one browser context, real Worker.
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Browser, launchChromium } from "./chromium";
import { isLive, openClientPage, type Seen, seenIn, subscribeInPage, untilSeen } from "./client-page";
import { freshUid, publish } from "./publish";

const OUTPUT_DIR = "test-output";
const baseUrl = inject("baseUrl");
const publishToken = inject("publishToken");

let browser: Browser;

beforeAll(async () => {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  browser = await launchChromium();
}, 60_000);

afterAll(() => browser?.close());

const S = "tab";

/** GET /stats?uid=: how many streams the hub holds for the uid. */
async function streamsOf(uid: string): Promise<number> {
  const response = await fetch(`${baseUrl}/stats?uid=${encodeURIComponent(uid)}`, { headers: { Authorization: `Bearer ${publishToken}` } });
  return ((await response.json()) as { tabs: number }).tabs;
}

async function untilStreams(uid: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await streamsOf(uid)) !== count) {
    if (Date.now() > deadline) throw new Error(`the hub does not hold ${count} stream(s) for ${uid}: ${await streamsOf(uid)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const leads = (seen: Seen) => seen.changes.at(-1)?.leader === true;
const ids = (seen: Seen) => seen.messages.map((m) => m.id);

async function leaderOf(pages: readonly Page[]): Promise<Page[]> {
  const leaders: Page[] = [];
  for (const page of pages) if (leads(await seenIn(page, S))) leaders.push(page);
  return leaders;
}

describe("tabs of one uid", () => {
  it("share one stream; every tab gets every message once; a closed leader hands over with nothing lost or doubled", async () => {
    const uid = freshUid("tabs");
    const pages = await openTabs(uid, 4);
    await untilStreams(uid, 1);
    expect(await leaderOf(pages)).toHaveLength(1);

    const first = [
      await publish({ uid, msg: "one" }),
      await publish({ uid, event: "like", msg: "two" }),
      await publish({ uid, msg: "three" }),
    ];
    // The like is not a listed name: onMessage sees the other two.
    const firstIds = [first[0]!.id, first[2]!.id];
    for (const page of pages) expect(ids(await untilSeen(page, S, "the first messages", (s) => s.messages.length >= 2))).toEqual(firstIds);

    const [leader] = await leaderOf(pages);
    const others = pages.filter((page) => page !== leader);
    const closedAt = Date.now();
    await leader!.close();
    // Published while the stream passes to another tab: some before it is back, some after.
    const handover: string[] = [];
    for (let i = 0; i < 6; i++) {
      handover.push((await publish({ uid, msg: `during the handover ${i}` })).id);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const wanted = [...firstIds, ...handover];
    for (const page of others) {
      const seen = await untilSeen(page, S, "every message", (s) => s.messages.length >= wanted.length);
      expect(ids(seen)).toEqual(wanted);
      // The unlisted "like" went to the catch-all only, once.
      expect(seen.everything.filter((m) => m.id === first[1]!.id)).toHaveLength(1);
    }
    const newLeaders = await leaderOf(others);
    expect(newLeaders).toHaveLength(1);
    const tookOver = (await seenIn(newLeaders[0]!, S)).changes.find((c) => c.leader && c.state === "live" && c.at > closedAt);
    expect(tookOver!.at - closedAt).toBeLessThan(2000);
    await untilStreams(uid, 1);
    for (const page of others) await page.close();
    await untilStreams(uid, 0);
  });

  it("relay both counts and every retract to the tabs that follow", async () => {
    const uid = freshUid("tabs-counts");
    const pages = await openTabs(uid, 2);
    await untilStreams(uid, 1);
    const sent = await publish({ uid, msg: "soon retracted" });
    await fetch(`${baseUrl}/inbox/seen`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ uid, ids: [sent.id] }),
    });
    await fetch(`${baseUrl}/messages/${sent.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${publishToken}` } });
    for (const page of pages) {
      const seen = await untilSeen(page, S, "the retract and the recount", (s) => s.retracts.length > 0 && s.counts.length >= 4);
      expect(seen.retracts).toEqual([`retracted:${sent.id}`]);
      // Relative to the opening counts: broadcasts other tests sent are in every inbox.
      const [base] = seen.counts;
      expect(seen.counts.map((c) => [c.unread - base!.unread, c.unseen - base!.unseen])).toEqual([
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 0],
      ]);
    }
    for (const page of pages) await page.close();
  });

  it("pass the stream on at once when the leader's page is frozen, and the resumed tab catches up", async () => {
    const uid = freshUid("frozen");
    const pages = await openTabs(uid, 2);
    const [leader] = await leaderOf(pages);
    const follower = pages.find((page) => page !== leader)!;
    // Chromium freezes only background tabs, which a headless test cannot make:
    // the page gets the lifecycle events a freeze and a resume fire.
    const frozenAt = Date.now();
    await leader!.evaluate(() => document.dispatchEvent(new Event("freeze")));
    const during = await publish({ uid, msg: "while the leader is frozen" });
    const seen = await untilSeen(follower, S, "the message", (s) => s.messages.length >= 1);
    expect(ids(seen)).toEqual([during.id]);
    const tookOver = seen.changes.find((c) => c.leader && c.state === "live" && c.at > frozenAt);
    expect(tookOver!.at - frozenAt).toBeLessThan(2000);
    await untilStreams(uid, 1);

    await leader!.evaluate(() => document.dispatchEvent(new Event("resume")));
    const after = await publish({ uid, msg: "after the resume" });
    const resumed = await untilSeen(leader!, S, "the message after the resume", (s) => s.messages.some((m) => m.id === after.id));
    // A frozen tab's tasks wait, they are not dropped: what was relayed meanwhile arrives on resume.
    expect(ids(resumed)).toEqual([during.id, after.id]);
    expect(resumed.resets).toEqual([]);
    expect(leads(resumed)).toBe(false);
    await untilStreams(uid, 1);
    for (const page of pages) await page.close();
  });

  it("take the lock from a leader that hangs, and the hung tab steps down when it wakes", async () => {
    const uid = freshUid("hung");
    const pages = await openTabs(uid, 2);
    const [leader] = await leaderOf(pages);
    const follower = pages.find((page) => page !== leader)!;
    // Its main thread blocked: no JavaScript runs there, as in a frozen tab, and the lock stays held.
    const hungAt = Date.now();
    await leader!.evaluate(() => {
      setTimeout(() => {
        const until = Date.now() + 8000;
        while (Date.now() < until);
      }, 0);
    });
    const during = await publish({ uid, msg: "while the leader hangs" });
    const seen = await untilSeen(follower, S, "the message", (s) => s.messages.length >= 1);
    expect(ids(seen)).toEqual([during.id]);
    const tookOver = seen.changes.find((c) => c.leader && c.state === "live" && c.at > hungAt);
    // The follower waits out the silence limit (5 s here) before it steals the lock.
    expect(tookOver!.at - hungAt).toBeGreaterThanOrEqual(4000);
    expect(tookOver!.at - hungAt).toBeLessThan(8000);

    const after = await publish({ uid, msg: "after the hang" });
    // Awake, it finds its lock taken and follows: it has missed nothing and repeated nothing.
    const woken = await untilSeen(
      leader!,
      S,
      "the woken tab following, with the message after the hang",
      (s) => !leads(s) && s.messages.some((m) => m.id === after.id),
      20_000,
    );
    expect(ids(woken)).toEqual([during.id, after.id]);
    expect(woken.resets).toEqual([]);
    expect(leads(await seenIn(follower, S))).toBe(true);
    expect(ids(await seenIn(follower, S))).toEqual([during.id, after.id]);
    await untilStreams(uid, 1);
    for (const page of pages) await page.close();
  });
});

describe("the demo page in two tabs", () => {
  it("holds one stream, says which tab relays it, and a read mark in one tab reaches the other", async () => {
    const uid = freshUid("demo-tabs");
    const tabs: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const tab = await browser.context.newPage();
      await tab.goto(`${baseUrl}/message?uid=${uid}`);
      await tab.waitForSelector('#state[data-state="live"]');
      await tab.waitForSelector('body[data-inbox="loaded"]');
      tabs.push(tab);
    }
    await untilStreams(uid, 1);
    const roles = await Promise.all(tabs.map((tab) => tab.getAttribute("#state", "data-leader")));
    expect([...roles].sort()).toEqual(["false", "true"]);
    // Broadcasts other test files published count too: counts are compared as differences.
    const before = Number(await tabs[0]!.textContent("#unread"));
    const sent = [await publish({ uid, msg: "to both tabs" }), await publish({ uid, event: "like", msg: { from: "42" } })];
    for (const tab of tabs) {
      for (const message of sent) await tab.waitForSelector(`#messages li[data-id="${message.id}"]`);
      await tab.waitForFunction((n) => document.getElementById("unread")?.textContent === String(n), before + 2);
    }
    const follower = tabs[roles.indexOf("false")]!;
    const leader = tabs[roles.indexOf("true")]!;
    expect(await follower.textContent("#state")).toBe("live");
    expect(await follower.evaluate(() => getComputedStyle(document.getElementById("state")!, "::after").content)).toBe('" · shared"');
    await follower.screenshot({ path: `${OUTPUT_DIR}/demo-shared-tab.png` });
    await leader.click(`#messages li[data-id="${sent[1]!.id}"]`);
    await follower.waitForFunction((n) => document.getElementById("unread")?.textContent === String(n), before + 1);
    await follower.click("#mark-all-read");
    await leader.waitForFunction(() => document.getElementById("unread")?.textContent === "0");
    for (const tab of tabs) await tab.close();
  });
});

async function openTabs(uid: string, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await openClientPage(browser.context, baseUrl);
    await subscribeInPage(page, S, { uid });
    await untilSeen(page, S, "live", isLive);
    pages.push(page);
  }
  return pages;
}
