// The typed client inside a real page: the bundle the Worker serves at
// /client.js, imported by a module script as an app would. Subscriptions are
// kept by name in the page (window.subscriptions); their callbacks record
// everything into window.seen[name], which the tests read.
import type { BrowserContext, Page } from "playwright-core";

/** The bundle's exports are the module's in src/client, so the page side is typed too. */
export type Client = typeof import("../../src/client/index");
type StateChange = import("../../src/client/index").StateChange;
type Subscription = import("../../src/client/index").Subscription;

export type Message = { id: string; uid: string | null; msg: unknown; ts: number; event: string };

/** What one in-page subscription recorded. */
export interface Seen {
  /** Every StateChange, stamped with the page's clock. */
  changes: Array<StateChange & { at: number }>;
  greetings: string[];
  unread: number[];
  /** onMessage: the listed names. */
  messages: Message[];
  /** onEvent: every name. */
  everything: Message[];
  resets: string[];
}

export interface InPageOptions {
  readonly uid: string;
  readonly token?: string;
  readonly events?: string[] | "*";
  readonly lastEventId?: string;
  /** Use window.getSubscriberToken(uid), which the test exposes, as getToken. */
  readonly getToken?: boolean;
  readonly shareAcrossTabs?: boolean;
  readonly heartbeatTimeoutMs?: number;
}

type PageWindow = {
  edgeInbox: Client;
  subscriptions: Record<string, Subscription>;
  seen: Record<string, Seen>;
  getSubscriberToken?: (uid: string) => Promise<string>;
};

export const WAIT_MS = 15_000;

/** A page of the Worker's origin (through whatever baseUrl points at) with the client loaded. */
export async function openClientPage(context: BrowserContext, baseUrl: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  // Any document of the origin will do: the client's requests are same-origin then.
  await page.goto(`${baseUrl}/client.js`);
  await page.addScriptTag({
    type: "module",
    content: 'import * as client from "/client.js"; Object.assign(window, { edgeInbox: client, subscriptions: {}, seen: {} });',
  });
  await page.waitForFunction(() => "edgeInbox" in window);
  return page;
}

/** subscribe() in the page under `name`; a subscription of that name already there is closed first. */
export async function subscribeInPage(page: Page, name: string, options: InPageOptions): Promise<void> {
  await page.evaluate(
    ({ name, options }) => {
      const page = window as unknown as PageWindow;
      page.subscriptions[name]?.close();
      const seen: Seen = { changes: [], greetings: [], unread: [], messages: [], everything: [], resets: [] };
      page.seen[name] = seen;
      const { getToken, ...rest } = options;
      page.subscriptions[name] = page.edgeInbox.subscribe({
        url: location.origin,
        ...rest,
        ...(getToken && { getToken: () => page.getSubscriberToken!(options.uid) }),
        onState: (_state, change) => seen.changes.push({ ...change, at: Date.now() }),
        onGreeting: (text) => seen.greetings.push(text),
        onUnread: (unread) => seen.unread.push(unread),
        onMessage: (message) => seen.messages.push(message as Message),
        onEvent: (message) => seen.everything.push(message as Message),
        onReset: (lastEventId) => seen.resets.push(lastEventId),
      });
    },
    { name, options },
  );
}

export const seenIn = (page: Page, name: string): Promise<Seen> =>
  page.evaluate((name) => (window as unknown as PageWindow).seen[name]!, name);

/** Poll the page until `ready` holds; the error shows what was seen. */
export async function untilSeen(page: Page, name: string, what: string, ready: (seen: Seen) => boolean, waitMs = WAIT_MS): Promise<Seen> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const seen = await seenIn(page, name);
    if (ready(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const isLive = (seen: Seen): boolean => seen.changes.at(-1)?.state === "live";

/** Close every subscription of the page: an open stream holds one of the six connections Chromium allows an origin over HTTP/1.1. */
export async function closeAllInPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const subscription of Object.values((window as unknown as PageWindow).subscriptions)) subscription.close();
  });
}

export async function closeInPage(page: Page, name: string): Promise<void> {
  await page.evaluate((name) => (window as unknown as PageWindow).subscriptions[name]?.close(), name);
}

/** Call a subscription's listen() in the page; answers the error's text when it throws. */
export function listenInPage(page: Page, name: string, event: string): Promise<string> {
  return page.evaluate(
    ({ name, event }) => {
      try {
        (window as unknown as PageWindow).subscriptions[name]!.listen(event);
        return "accepted";
      } catch (error) {
        return String(error);
      }
    },
    { name, event },
  );
}
