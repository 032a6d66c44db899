// A real EventSource in Chromium meets a full hub: the answer is 200 with a
// `busy` event, so the browser keeps reconnecting by itself (a non-200 would
// close it for good) and goes live once a stream leaves.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type HeldStream, holdStream } from "../support/full-hub.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";
import { type Browser, launchChromium } from "./chromium";
import { freshUid, publishTo } from "./publish";
import { browserTestVars } from "./server-vars.ts";

const WAIT_MS = 30_000;
const publishToken = `full-${randomBytes(12).toString("hex")}`;
let server: WranglerDev;
let browser: Browser;

beforeAll(async () => {
  server = await startWranglerDev({ vars: { ...browserTestVars(publishToken), MAX_STREAMS: "2", RETRY_MS: "500" } });
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 30_000);

interface EventSourceLog {
  entries: string[];
  closedForGood: boolean;
}

it("keeps a browser's EventSource reconnecting through busy answers until it goes live", async () => {
  const held: HeldStream[] = [await holdStream(server.baseUrl, freshUid("filler")), await holdStream(server.baseUrl, freshUid("filler"))];
  const uid = freshUid("waiting");
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  // Any page of the server's origin that opens no stream of its own.
  await page.goto(`${server.baseUrl}/openapi.json`);
  await page.evaluate((url) => {
    const log: EventSourceLog = { entries: [], closedForGood: false };
    Object.assign(window, { esLog: log });
    const source = new EventSource(url);
    source.addEventListener("busy", (event) => log.entries.push(`busy ${(event as MessageEvent).data}`));
    source.addEventListener("message", (event) => log.entries.push(`message ${event.data}`));
    source.addEventListener("error", () => {
      log.entries.push(`error readyState=${source.readyState}`);
      if (source.readyState === EventSource.CLOSED) log.closedForGood = true;
    });
  }, `/push?uid=${uid}`);

  const log = () => page.evaluate(() => (window as unknown as { esLog: EventSourceLog }).esLog);
  await page.waitForFunction(() => (window as unknown as { esLog: EventSourceLog }).esLog.entries.some((e) => e.startsWith("busy ")));
  // The busy stream ended and EventSource is reconnecting, not closed.
  await page.waitForFunction(() => (window as unknown as { esLog: EventSourceLog }).esLog.entries.includes("error readyState=0"));
  const busy = JSON.parse((await log()).entries.find((e) => e.startsWith("busy "))!.slice(5)) as { reason: string; retryMs: number };
  expect(busy.reason).toBe("full");

  await held[0]!.close();
  await page.waitForFunction(() => (window as unknown as { esLog: EventSourceLog }).esLog.entries.includes("message 站内信链接成功！"));
  const sent = await publishTo(server.baseUrl, publishToken, { uid, msg: "you are in" });
  await page.waitForFunction(
    (id) =>
      (window as unknown as { esLog: EventSourceLog }).esLog.entries.some((e) => e.startsWith("message ") && e.includes(`"id":"${id}"`)),
    sent.id,
  );
  expect((await log()).closedForGood).toBe(false);
  await page.close();
  await held[1]!.close();
}, 90_000);
