// The inbox half of the demo page: subscribe with the typed client, merge the
// live stream with the stored inbox (newest first, each id once), keep the
// unread badge in step with the hub's `unread` events.
import { fetchInbox, InboxApiError, markRead, subscribe } from "/client.js";

const PAGE_SIZE = 20;
const SUBSCRIBER_TOKEN_KEY = "edge-inbox.subscriber-token";

const $ = (id) => document.getElementById(id);
const list = $("messages");
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

let subscription;
let target;
let olderBefore = null;

function readSettingsFromPage() {
  const params = new URLSearchParams(location.search);
  $("uid").value = params.get("uid") || "1";
  $("events").value = params.get("events") || "message";
  $("subscriber-token").value = sessionStorage.getItem(SUBSCRIBER_TOKEN_KEY) || "";
}

function eventNames() {
  const names = $("events")
    .value.split(/[\s,]+/)
    .filter(Boolean);
  return names.length > 0 ? [...new Set(names)] : ["message"];
}

function connect() {
  const uid = $("uid").value.trim();
  const token = $("subscriber-token").value.trim();
  const events = eventNames();
  sessionStorage.setItem(SUBSCRIBER_TOKEN_KEY, token);
  const params = new URLSearchParams({ uid });
  if (events.join(",") !== "message") params.set("events", events.join(","));
  history.replaceState(null, "", `${location.pathname}?${params}`);

  const previous = subscription;
  subscription = undefined;
  previous?.close();
  clearInbox();
  showError("");
  $("greeting").textContent = "";
  target = { url: location.origin, uid, token: token || undefined };

  let inboxLoaded = false;
  let mine;
  try {
    mine = subscribe({
      ...target,
      events,
      onState: (state) => {
        if (subscription !== mine) return;
        showState(state);
        // Load the stored inbox once the stream is live: anything older is in
        // the inbox, anything newer arrives live, and the overlap shows once.
        if (state === "live" && !inboxLoaded) {
          inboxLoaded = true;
          void loadInbox(null);
        }
        if (state === "closed") void explainRefusal();
      },
      onGreeting: (text) => {
        if (subscription === mine) $("greeting").textContent = text;
      },
      onMessage: (message) => subscription === mine && showMessage({ ...message, read: false }),
      onUnread: (unread) => subscription === mine && showUnread(unread),
      onReset: () => {
        if (subscription !== mine) return;
        // The hub could not replay what we missed: start over from the inbox.
        clearInbox();
        void loadInbox(null);
      },
    });
  } catch (error) {
    showState("closed");
    showError(error.message);
    return;
  }
  subscription = mine;
  showState(mine.state);
}

async function loadInbox(before) {
  const requestedFor = target;
  $("load-older").disabled = true;
  if (before === null) document.body.dataset.inbox = "loading";
  try {
    const page = await fetchInbox(requestedFor, { before: before ?? undefined, limit: PAGE_SIZE });
    if (requestedFor !== target) return;
    for (const message of page.messages) showMessage(message);
    showUnread(page.unread);
    olderBefore = page.next;
    $("load-older").hidden = page.next === null;
    document.body.dataset.inbox = "loaded";
  } catch (error) {
    if (requestedFor !== target) return;
    document.body.dataset.inbox = "failed";
    showError(describe("Inbox", error));
  } finally {
    $("load-older").disabled = false;
  }
}

/**
 * EventSource never tells why a stream was refused. /inbox takes the same uid
 * and token, so its answer carries the API's reason (400 bad uid, 401 token).
 */
async function explainRefusal() {
  const advice = "Check the uid and the subscriber token, then Connect again.";
  showError(`The stream was refused or cannot be reached. ${advice}`);
  try {
    await fetchInbox(target, { limit: 1 });
  } catch (error) {
    if (error instanceof InboxApiError) showError(`The stream was refused: ${error.status} ${error.message}. ${advice}`);
  }
}

function describe(what, error) {
  if (error instanceof InboxApiError) return `${what}: ${error.status} ${error.message}`;
  return `${what}: ${error.message} (is the server running?)`;
}

function clearInbox() {
  list.replaceChildren();
  olderBefore = null;
  $("load-older").hidden = true;
  showUnread(0);
  updateEmpty();
}

/** Insert a message at its place by id, newest on top; an id already shown is skipped. */
function showMessage(message) {
  if (list.querySelector(`li[data-id="${message.id}"]`)) return;
  const item = document.createElement("li");
  item.dataset.id = message.id;
  item.dataset.event = message.event;
  if (!message.read) item.classList.add("unread");

  const meta = document.createElement("div");
  meta.className = "meta";
  const event = document.createElement("span");
  event.className = "event";
  event.textContent = message.event;
  const time = document.createElement("time");
  time.dateTime = new Date(message.ts).toISOString();
  time.textContent = timeFormat.format(message.ts);
  const id = document.createElement("span");
  id.textContent = `#${message.id}`;
  meta.append(event, time, id);

  const isText = typeof message.msg === "string";
  const body = document.createElement(isText ? "div" : "pre");
  body.className = "body";
  body.textContent = isText ? message.msg : JSON.stringify(message.msg, null, 2);
  item.append(meta, body);

  const newer = Number(message.id);
  const before = [...list.children].find((other) => Number(other.dataset.id) < newer);
  list.insertBefore(item, before ?? null);
  updateEmpty();
}

function showUnread(unread) {
  const badge = $("unread");
  badge.textContent = String(unread);
  badge.dataset.count = String(unread);
  // Zero unread means every message is read, whichever tab marked it.
  if (unread === 0) for (const item of list.querySelectorAll("li.unread")) item.classList.remove("unread");
}

function showState(state) {
  const element = $("state");
  element.dataset.state = state;
  element.textContent = state;
}

function showError(text) {
  const element = $("inbox-error");
  element.textContent = text;
  element.hidden = text === "";
}

function updateEmpty() {
  $("empty").hidden = list.children.length > 0;
  $("mark-all-read").disabled = list.children.length === 0;
}

async function markAllRead() {
  const newest = list.firstElementChild?.dataset.id;
  if (newest === undefined) return;
  try {
    const { unread } = await markRead(target, { upTo: newest });
    for (const item of list.querySelectorAll("li.unread")) {
      if (Number(item.dataset.id) <= Number(newest)) item.classList.remove("unread");
    }
    showUnread(unread);
  } catch (error) {
    showError(describe("Mark all read", error));
  }
}

async function markOneRead(item) {
  try {
    const { unread } = await markRead(target, { ids: [item.dataset.id] });
    item.classList.remove("unread");
    showUnread(unread);
  } catch (error) {
    showError(describe("Mark read", error));
  }
}

$("connect").addEventListener("submit", (event) => {
  event.preventDefault();
  connect();
});
$("mark-all-read").addEventListener("click", () => void markAllRead());
$("load-older").addEventListener("click", () => olderBefore !== null && void loadInbox(olderBefore));
list.addEventListener("click", (event) => {
  const item = event.target.closest("li.unread");
  if (item) void markOneRead(item);
});

readSettingsFromPage();
connect();
