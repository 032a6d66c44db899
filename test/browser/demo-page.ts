// The demo page at /message as the browser tests drive it: open it for a uid
// and wait until it is live with its stored inbox loaded, then read what a
// person sees in its list.
import type { BrowserContext, Page } from "playwright-core";

export const WAIT_MS = 15_000;

/** The page for uid, live, its stored inbox loaded (and so its counts settled). */
export async function openDemo(
  context: BrowserContext,
  baseUrl: string,
  uid: string,
  { waitMs = WAIT_MS, viewport }: { waitMs?: number; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(waitMs);
  if (viewport !== undefined) await page.setViewportSize(viewport);
  await page.goto(`${baseUrl}/message?uid=${encodeURIComponent(uid)}`);
  await untilState(page, "live");
  await page.waitForSelector('body[data-inbox="loaded"]');
  return page;
}

export const untilState = (page: Page, state: string) => page.waitForSelector(`#state[data-state="${state}"]`);

/** The ids of the messages the page lists, top to bottom. */
export const shownIds = (page: Page) => page.$$eval("#messages li", (items) => items.map((item) => (item as HTMLElement).dataset.id!));

/** The same, without the broadcasts (the page marks them) that earlier tests sent to everyone. */
export const ownIds = (page: Page) =>
  page.$$eval("#messages li:not(:has(.broadcast))", (items) => items.map((item) => (item as HTMLElement).dataset.id!));

export async function untilShown(page: Page, ids: readonly string[]): Promise<void> {
  await page.waitForFunction((wanted) => wanted.every((id) => document.querySelector(`#messages li[data-id="${id}"]`) !== null), ids);
}

export async function untilGone(page: Page, ids: readonly string[]): Promise<void> {
  await page.waitForFunction((gone) => gone.every((id) => document.querySelector(`#messages li[data-id="${id}"]`) === null), ids);
}

/** The unread count the page shows. */
export const unreadShown = async (page: Page) => Number(await page.textContent("#unread"));

export async function untilUnread(page: Page, count: number): Promise<void> {
  await page.waitForFunction((wanted) => document.getElementById("unread")?.textContent === String(wanted), count);
}

/** The badge: messages not seen yet. */
export async function untilUnseen(page: Page, count: number): Promise<void> {
  await page.waitForFunction((wanted) => document.getElementById("unseen")?.textContent === String(wanted), count);
}

export const byNewest = (ids: readonly string[]) => [...ids].sort((a, b) => Number(b) - Number(a));
