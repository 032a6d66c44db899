// With SUBSCRIBE_SECRET set: the demo page asks for a subscriber token,
// explains the refusal, and works once given a token signed by a backend;
// the bell gets its tokens from the site's backend through getToken.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs example, kept free of types so it can be pasted anywhere.
import { signInboxToken } from "../../examples/sign-token.mjs";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";
import { type Browser, launchChromium } from "./chromium";
import { freshUid, publishTo } from "./publish";
import { browserTestVars } from "./server-vars.ts";

const WAIT_MS = 20_000;
const publishToken = `secure-${randomBytes(12).toString("hex")}`;
const subscribeSecret = `secret-${randomBytes(12).toString("hex")}`;

let server: WranglerDev;
let browser: Browser;

beforeAll(async () => {
  server = await startWranglerDev({ vars: { ...browserTestVars(publishToken), SUBSCRIBE_SECRET: subscribeSecret } });
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 30_000);

it("refuses the page without a token, with the reason, and goes live once given one", async () => {
  const uid = freshUid("secure");
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${server.baseUrl}/message?uid=${uid}`);
  await page.waitForSelector('#state[data-state="closed"]');
  await page.waitForFunction(() => document.getElementById("inbox-error")?.textContent?.includes(" 401 "));
  expect(await page.textContent("#inbox-error")).toContain("needs a subscriber token");

  await page.fill("#subscriber-token", signInboxToken(subscribeSecret, uid, 600) as string);
  await page.click("#connect button[type=submit]");
  await page.waitForSelector('#state[data-state="live"]');
  await publishTo(server.baseUrl, publishToken, { uid, msg: "only for the token holder" });
  await page.waitForFunction(() => document.querySelector("#messages li .body")?.textContent === "only for the token holder");
  await page.close();
}, 60_000);

it("lets the bell fetch its token from the site's backend, set before /widget.js loads", async () => {
  const uid = freshUid("secure-bell");
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  let tokensGiven = 0;
  // The site's backend: it knows who is logged in and signs a token for them.
  await page.route(`${server.baseUrl}/acme/inbox-token`, (route) => {
    tokensGiven++;
    return route.fulfill({ contentType: "text/plain", body: signInboxToken(subscribeSecret, uid, 600) as string });
  });
  await page.route(`${server.baseUrl}/acme/home`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<edge-inbox-bell uid="${uid}"></edge-inbox-bell>
<script>document.querySelector("edge-inbox-bell").getToken = () => fetch("/acme/inbox-token").then((r) => r.text());</script>
<script type="module" src="/widget.js"></script>`,
    }),
  );
  const sent = await publishTo(server.baseUrl, publishToken, { uid, msg: { title: "For the token holder" } });
  await page.goto(`${server.baseUrl}/acme/home`);
  await page.waitForSelector(`edge-inbox-bell li[data-id="${sent.id}"]`, { state: "attached" });
  expect(await page.isVisible("edge-inbox-bell .badge")).toBe(true);
  await page.click("edge-inbox-bell .bell");
  // Marking seen is an inbox call with the same token: the badge goes.
  await page.waitForSelector("edge-inbox-bell .badge", { state: "hidden" });
  expect(await page.isHidden("edge-inbox-bell .status")).toBe(true);
  // One token for the stream and every inbox call (shared per getToken).
  expect(tokensGiven).toBe(1);
  await page.close();
}, 60_000);
