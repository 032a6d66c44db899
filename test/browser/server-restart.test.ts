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

async function openInbox(uid: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${server.baseUrl}/message?uid=${encodeURIComponent(uid)}`);
  await page.waitForSelector('#state[data-state="live"]');
  await page.waitForSelector('body[data-inbox="loaded"]');
  return page;
}

const shownBodies = (page: Page) => page.$$eval("#messages li .body", (bodies) => bodies.map((body) => body.textContent));

async function untilBodies(page: Page, bodies: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (wanted) => JSON.stringify([...document.querySelectorAll("#messages li .body")].map((b) => b.textContent)) === JSON.stringify(wanted),
    bodies,
    { timeout: WAIT_MS },
  );
}

describe("the inbox page when the server restarts", () => {
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
