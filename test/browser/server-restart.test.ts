// The page across a restart of the server itself: this file runs its own
// `wrangler dev`, stops it under the open page and starts it again on the
// same port, once with its storage kept and once with it wiped.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";
import { type Browser, launchChromium } from "./chromium";
import { byNewest, openDemo, shownIds, untilShown, untilState } from "./demo-page";
import { freshUid, publishTo } from "./publish";
import { browserTestVars } from "./server-vars.ts";

// The page's backoff window doubles while the server is down (from its 2–4 s
// retry:, up to 30 s): a slow restart can leave it waiting most of a window.
const WAIT_MS = 40_000;
const publishToken = `restart-${randomBytes(12).toString("hex")}`;
const vars = browserTestVars(publishToken);
const stateDir = mkdtempSync(join(tmpdir(), "edge-inbox-restart-"));

let server: WranglerDev;
let browser: Browser;

beforeAll(async () => {
  server = await startWranglerDev({ vars, stateDir });
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

const publish = (body: Record<string, unknown>) => publishTo(server.baseUrl, publishToken, body);

async function restart({ wipeStorage }: { wipeStorage: boolean }): Promise<void> {
  await server.stop();
  if (wipeStorage) {
    rmSync(stateDir, { recursive: true, force: true });
  }
  server = await startWranglerDev({ vars, port: server.port, stateDir });
}

const openInbox = (uid: string) => openDemo(browser.context, server.baseUrl, uid, { waitMs: WAIT_MS });

const shownBodies = (page: Page) => page.$$eval("#messages li .body", (bodies) => bodies.map((body) => body.textContent));

async function untilBodies(page: Page, bodies: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (wanted) => JSON.stringify([...document.querySelectorAll("#messages li .body")].map((b) => b.textContent)) === JSON.stringify(wanted),
    bodies,
    { timeout: WAIT_MS },
  );
}

describe("the inbox page when the server restarts", () => {
  it("resumes a stream that has seen no message yet: what is published before it reconnects shows, each once", async () => {
    const page = await openInbox(freshUid("first-message"));
    const uid = new URL(page.url()).searchParams.get("uid")!;
    expect(await shownIds(page)).toEqual([]);
    // Only the stream may bring the messages: the stored inbox is not read again.
    await page.route("**/inbox?*", (route) => route.abort());
    // The page's reconnects are held until the messages are stored, as on a slow network.
    let stored!: () => void;
    const allStored = new Promise<void>((resolve) => (stored = resolve));
    await page.route("**/push?*", async (route) => {
      await allStored;
      await route.continue();
    });
    const resumedFrom: (string | undefined)[] = [];
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/push") resumedFrom.push(request.headers()["last-event-id"]);
    });

    await restart({ wipeStorage: false });
    const sent = [await publish({ uid, msg: "one" }), await publish({ uid, msg: { title: "two" } }), await publish({ uid, msg: "three" })];
    stored();
    const ids = sent.map((m) => m.id);
    await untilShown(page, ids);
    await untilState(page, "live");
    const after = await publish({ uid, msg: "live again" });
    await untilShown(page, [after.id]);
    expect(await shownIds(page)).toEqual(byNewest([...ids, after.id]));
    // Every reconnect named the resume point the opening bytes gave, before any message.
    expect(resumedFrom.length).toBeGreaterThan(0);
    for (const id of resumedFrom) expect(id).toMatch(/^[0-9]+$/);
    expect(Number(resumedFrom.at(-1))).toBeLessThan(Number(ids[0]));
    await page.close();
  });

  it("reconnects to the restarted server and shows each message once", async () => {
    const page = await openInbox(freshUid("restart"));
    const uid = new URL(page.url()).searchParams.get("uid")!;
    await publish({ uid, msg: "before the restart" });
    await untilBodies(page, ["before the restart"]);

    await restart({ wipeStorage: false });
    await publish({ uid, msg: "after the restart" });
    await untilBodies(page, ["after the restart", "before the restart"]);
    await page.waitForSelector('#state[data-state="live"]');
    expect(await shownBodies(page)).toEqual(["after the restart", "before the restart"]);
    await page.close();
  });

  it("reloads its inbox when the server lost the history it would resume from", async () => {
    const page = await openInbox(freshUid("reset"));
    const uid = new URL(page.url()).searchParams.get("uid")!;
    await publish({ uid, msg: "lost 1" });
    await publish({ uid, msg: "lost 2" });
    await untilBodies(page, ["lost 2", "lost 1"]);

    // The page resumes from an id the new server never issued: the hub answers
    // `reset`, and the page reloads its (now empty) inbox instead of keeping stale rows.
    await restart({ wipeStorage: true });
    await untilBodies(page, []);
    await page.waitForSelector('#state[data-state="live"]');
    await publish({ uid, msg: "new history" });
    await untilBodies(page, ["new history"]);
    expect(await page.textContent("#unread")).toBe("1");
    await page.close();
  });
});
