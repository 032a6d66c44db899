// One message as a row of the demo's list: the recommended shape
// {title, body, url, icon} rendered (a string as the body, any other JSON as
// data), its age in words, broadcast and tags marked, and its seen and read
// state on data attributes, in words for screen readers and as a dot and a
// "New" pill for everyone else.
import { readMessageContent, relativeTime } from "/client.js";

const absoluteTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** `message`: an inbox row, or a live message (its `uid` is null for a broadcast). `archivedView` picks the actions. */
export function messageRow(message, archivedView) {
  const item = document.createElement("li");
  item.dataset.id = message.id;
  item.dataset.event = message.event;
  item.dataset.ts = String(message.ts);
  // Every row is reachable with Tab; Enter or Space marks it read, arrows move between rows.
  item.tabIndex = 0;

  const content = readMessageContent(message.msg, location.href);
  // What screen readers and announcements call it.
  item.dataset.name = (content?.title ?? content?.body ?? `#${message.id}`).slice(0, 60);
  const dot = document.createElement("span");
  dot.className = "dot";
  item.append(dot);
  if (content?.icon !== undefined) {
    const icon = document.createElement("img");
    icon.className = "icon";
    icon.src = content.icon;
    icon.alt = "";
    item.append(icon);
  }
  const main = document.createElement("div");
  main.className = "main";
  main.append(headLine(message, content));
  // The body has a line of its own under a title; without one it leads the row, and data shows as JSON.
  if (content === undefined) main.append(textOf("pre", "body", JSON.stringify(message.msg, null, 2)));
  else if (content.title !== undefined && content.body !== undefined) main.append(textOf("div", "body", content.body));
  main.append(metaLine(message, archivedView, item.dataset.name));
  item.append(main);
  setRowState(item, message);
  return item;
}

/** The title (bold; a link to `url`), or else the body; then "New" while unseen, and the age. */
function headLine(message, content) {
  const head = document.createElement("div");
  head.className = "row-head";
  const lead =
    content?.title !== undefined
      ? textOf("strong", "title", content.title)
      : content === undefined
        ? null
        : textOf("span", "body", content.body ?? "");
  if (content?.url !== undefined) {
    const link = document.createElement("a");
    link.className = "link";
    link.href = content.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.append(lead ?? "Open link");
    head.append(link);
  } else if (lead !== null) {
    head.append(lead);
  }
  const time = document.createElement("time");
  time.dateTime = new Date(message.ts).toISOString();
  time.title = absoluteTime.format(message.ts);
  time.textContent = relativeTime(message.ts, Date.now());
  head.append(textOf("span", "new", "New"), time);
  return head;
}

function textOf(tag, className, text) {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
}

function metaLine(message, archivedView, name) {
  const meta = document.createElement("div");
  meta.className = "meta";
  const readState = document.createElement("span");
  readState.className = "read-state";
  meta.append(readState);
  if (message.event !== "message") meta.append(textOf("span", "event", message.event));
  if (message.broadcast ?? message.uid === null) meta.append(textOf("span", "broadcast", "to everyone"));
  for (const tag of message.tags ?? []) meta.append(textOf("span", "tag", tag));
  meta.append(textOf("span", "id", `#${message.id}`));
  const actions = document.createElement("span");
  actions.className = "actions";
  actions.append(
    archivedView ? action("unarchive", "Unarchive", name) : action("archive", "Archive", name),
    action("delete", "Delete", name),
  );
  meta.append(actions);
  return meta;
}

function action(name, label, messageName) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "quiet small";
  button.dataset.action = name;
  button.textContent = label;
  button.setAttribute("aria-label", `${label}: ${messageName}`);
  return button;
}

/** Seen and read, from an inbox row (or a live message: neither yet). Read implies seen. */
export function setRowState(item, { seen = false, read = false }) {
  item.dataset.seen = String(seen || read);
  item.dataset.read = String(read);
  item.classList.toggle("unread", !read);
  item.querySelector(".read-state").textContent = read ? "read" : seen ? "unread" : "new, unread";
}

/** The ages in words go stale: "now" becomes "5 minutes ago". */
export function refreshTimes(list) {
  const now = Date.now();
  for (const item of list.children) item.querySelector("time").textContent = relativeTime(Number(item.dataset.ts), now);
}
