// The bell's DOM: the button with its badge, the panel with its heading,
// "Mark all read", a status line and the list of messages. Builders only:
// what to show comes from the element (bell-element.ts).
import { readMessageContent, relativeTime } from "../client/message-content";
import type { InboxMessage } from "../messages";
import { BELL_STYLES } from "./bell-styles";

/** The parts of the bell the element updates. */
export interface BellParts {
  readonly button: HTMLButtonElement;
  readonly badge: HTMLElement;
  readonly panel: HTMLElement;
  readonly heading: HTMLElement;
  readonly markAll: HTMLButtonElement;
  readonly status: HTMLElement;
  readonly list: HTMLUListElement;
  readonly empty: HTMLElement;
  /** Said by screen readers as it changes: messages that arrive while the panel is closed. */
  readonly announcer: HTMLElement;
}

/** A row of the list: an inbox row, or a live message not yet seen nor read. */
export type BellMessage = Pick<InboxMessage, "id" | "msg" | "ts" | "broadcast" | "seen" | "read">;

const BELL_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/></svg>';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

export function buildBell(root: ShadowRoot, label: string): BellParts {
  const style = document.createElement("style");
  style.textContent = BELL_STYLES;

  const button = element("button", "bell");
  button.type = "button";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "panel");
  button.innerHTML = BELL_ICON;
  const badge = element("span", "badge");
  badge.setAttribute("aria-hidden", "true");
  badge.hidden = true;
  button.append(badge);

  const panel = element("section", "panel");
  panel.id = "panel";
  panel.hidden = true;
  panel.setAttribute("aria-labelledby", "heading");
  const head = element("div", "head");
  const heading = element("h2", "", label);
  heading.id = "heading";
  heading.tabIndex = -1;
  const markAll = element("button", "mark-all", "Mark all read");
  markAll.type = "button";
  head.append(heading, markAll);
  const status = element("p", "status");
  status.setAttribute("role", "status");
  status.hidden = true;
  const list = element("ul", "list");
  // list-style: none makes Safari drop the list's role; say it.
  list.setAttribute("role", "list");
  list.setAttribute("aria-labelledby", "heading");
  const empty = element("p", "empty", "No notifications yet.");
  panel.append(head, status, list, empty);

  const announcer = element("p", "visually-hidden");
  announcer.setAttribute("role", "status");
  root.replaceChildren(style, button, panel, announcer);
  return { button, badge, panel, heading, markAll, status, list, empty, announcer };
}

/** What a screen reader and the rows call a message: its title, else its body, else its id. */
export function messageName(message: Pick<InboxMessage, "id" | "msg">): string {
  const content = readMessageContent(message.msg, document.baseURI);
  return (content?.title ?? content?.body ?? `Message ${message.id}`).slice(0, 80);
}

/**
 * One message: a link to its url (or a button without one) holding the
 * icon, the title, the body (any other JSON as its text), the age and
 * whether it went to everyone; a dot and the title's weight say unread.
 */
export function messageItem(message: BellMessage, now: number): HTMLLIElement {
  const item = element("li", "");
  item.dataset.id = message.id;
  item.dataset.ts = String(message.ts);
  const content = readMessageContent(message.msg, document.baseURI);
  const entry = content?.url === undefined ? element("button", "entry") : element("a", "entry");
  if (entry instanceof HTMLAnchorElement) entry.href = content!.url!;
  else entry.type = "button";

  if (content?.icon !== undefined) {
    const icon = element("img", "icon");
    icon.src = content.icon;
    icon.alt = "";
    entry.append(icon);
  }
  const text = element("span", "text");
  if (content?.title !== undefined) text.append(element("span", "title", content.title));
  const body = content === undefined ? JSON.stringify(message.msg) : content.body;
  if (body !== undefined) text.append(element("span", content?.title === undefined ? "title" : "body", body));
  const meta = element("span", "meta");
  const time = element("time", "", relativeTime(message.ts, now));
  time.dateTime = new Date(message.ts).toISOString();
  meta.append(time);
  if (message.broadcast) meta.append(" · to everyone");
  text.append(meta);
  const state = element("span", "visually-hidden state");
  entry.append(text, element("span", "dot"), state);
  item.append(entry);
  setItemState(item, message);
  return item;
}

export function setItemState(item: HTMLElement, { seen, read }: { seen: boolean; read: boolean }): void {
  item.dataset.seen = String(seen || read);
  item.dataset.read = String(read);
  item.querySelector(".state")!.textContent = read ? "" : ", unread";
}

/** The ages in words go stale while the panel is open. */
export function refreshAges(list: HTMLElement, now: number): void {
  for (const item of list.querySelectorAll<HTMLElement>("li")) {
    item.querySelector("time")!.textContent = relativeTime(Number(item.dataset.ts), now);
  }
}

/** The badge shows unseen messages; past 99 it says so without growing. */
export function showBadge(parts: BellParts, unseen: number, label: string): void {
  parts.badge.hidden = unseen === 0;
  parts.badge.textContent = unseen > 99 ? "99+" : String(unseen);
  parts.button.setAttribute("aria-label", unseen === 0 ? label : `${label}, ${unseen} new`);
}
