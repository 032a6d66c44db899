// The inbox half of the demo page: subscribe with the typed client to every
// event name, merge the live stream with the stored inbox (newest first, each
// id once), keep the unread badge in step with the hub's `unread` events, and
// say plainly why the stream is not live and when it tries again.
import { fetchInbox, InboxApiError, markRead, subscribe } from "/client.js";

const PAGE_SIZE = 20;
const SUBSCRIBER_TOKEN_KEY = "edge-inbox.subscriber-token";

/** What each reason the client gives is called on the page. */
const PROBLEMS = {
  network: "The connection failed",
  ended: "The server ended the stream",
  heartbeat: "The connection went silent",
  busy: "The hub is busy",
  "server-error": "The server had an error",
  "rate-limited": "Too many requests",
  "unexpected-answer": "The answer was not a stream",
  "token-refresh": "Renewing the subscriber token",
  "token-error": "No subscriber token",
};
const BUSY = {
  full: "The hub is full",
  overloaded: "The hub is overloaded",
  unavailable: "The hub is restarting or unreachable",
  error: "The hub failed",
};

const $ = (id) => document.getElementById(id);
const list = $("messages");
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

let subscription;
let target;
let olderBefore = null;
let countdown;

function readSettingsFromPage() {
  const params = new URLSearchParams(location.search);
  $("uid").value = params.get("uid") || "1";
  $("subscriber-token").value = sessionStorage.getItem(SUBSCRIBER_TOKEN_KEY) || "";
}

function connect() {
  const uid = $("uid").value.trim();
  const token = $("subscriber-token").value.trim();
  sessionStorage.setItem(SUBSCRIBER_TOKEN_KEY, token);
  history.replaceState(null, "", `${location.pathname}?${new URLSearchParams({ uid })}`);

  const previous = subscription;
  subscription = undefined;
  previous?.close();
  clearInbox();
  showError("");
  $("greeting").textContent = "";
  target = { url: location.origin, uid, token: token || undefined };

  // The stored inbox loads once the stream is live: anything older is in the
  // inbox, anything newer arrives live, and the overlap shows once. A stream
  // that is refused or busy first still gets the inbox shown, and loads it
  // again when it does go live, for what was published in between.
  let inboxLoaded = false;
  let loadedWhileDown = false;
  let mine;
  try {
    mine = subscribe({
      ...target,
      events: "*",
      onState: (state, change) => {
        if (subscription !== mine) return;
        showState(change);
        if (state === "live" && (!inboxLoaded || loadedWhileDown)) {
          inboxLoaded = true;
          loadedWhileDown = false;
          void loadInbox(null);
        } else if (change.reason !== undefined && change.reason !== "closed" && !inboxLoaded) {
          inboxLoaded = true;
          loadedWhileDown = true;
          void loadInbox(null);
        }
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
    showState({ state: "closed" });
    showError(error.message);
    return;
  }
  subscription = mine;
  showState(mine.change);
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
    if (before === null && olderBefore === null) olderBefore = page.next;
    if (before !== null) olderBefore = page.next;
    $("load-older").hidden = olderBefore === null;
    document.body.dataset.inbox = "loaded";
  } catch (error) {
    if (requestedFor !== target) return;
    document.body.dataset.inbox = "failed";
    showError(describe("Inbox", error));
  } finally {
    $("load-older").disabled = false;
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
  // Every row is reachable with Tab; Enter or Space marks it read, arrows move between rows.
  item.tabIndex = 0;

  const meta = document.createElement("div");
  meta.className = "meta";
  const readState = document.createElement("span");
  readState.className = "read-state";
  const event = document.createElement("span");
  event.className = "event";
  event.textContent = message.event;
  const time = document.createElement("time");
  time.dateTime = new Date(message.ts).toISOString();
  time.textContent = timeFormat.format(message.ts);
  const id = document.createElement("span");
  id.textContent = `#${message.id}`;
  meta.append(readState, event, time, id);

  const isText = typeof message.msg === "string";
  const body = document.createElement(isText ? "div" : "pre");
  body.className = "body";
  body.textContent = isText ? message.msg : JSON.stringify(message.msg, null, 2);
  item.append(meta, body);
  setRead(item, message.read);

  const newer = Number(message.id);
  const before = [...list.children].find((other) => Number(other.dataset.id) < newer);
  list.insertBefore(item, before ?? null);
  updateEmpty();
}

function setRead(item, read) {
  item.classList.toggle("unread", !read);
  item.querySelector(".read-state").textContent = read ? "read" : "unread";
}

function showUnread(unread) {
  const badge = $("unread");
  badge.textContent = String(unread);
  badge.dataset.count = String(unread);
  // Zero unread means every message is read, whichever tab marked it.
  if (unread === 0) for (const item of list.querySelectorAll("li.unread")) setRead(item, true);
  updateEmpty();
}

function showState(change) {
  const element = $("state");
  element.dataset.state = change.state;
  element.dataset.leader = String(change.leader ?? true);
  element.textContent = change.state;
  element.title = change.leader === false ? "another tab of this browser holds the stream and relays it here" : "this tab holds the stream";
  showStreamProblem(change);
}

/** The reason the stream is not live, in the server's words, and a countdown to the next try. */
function showStreamProblem(change) {
  clearInterval(countdown);
  const element = $("stream-problem");
  const reason = change.reason;
  if (change.state === "live" || reason === undefined || reason === "closed") {
    element.hidden = true;
    element.textContent = "";
    delete element.dataset.reason;
    return;
  }
  element.hidden = false;
  element.dataset.reason = reason;
  // A busy answer comes with 200: its status says nothing, its busy reason does.
  const status = change.status >= 300 ? change.status : undefined;
  const said = [status, change.message].filter((part) => part !== undefined && part !== "").join(" ");
  if (change.state === "closed") {
    element.textContent = `The stream was refused: ${said}. Check the uid and the subscriber token, then Connect again.`;
    return;
  }
  const label = (reason === "busy" ? BUSY[change.busy] : PROBLEMS[reason]) ?? reason;
  const problem = `${label}${said === "" ? "" : ` (${said})`}.`;
  const render = () => {
    const seconds = Math.ceil(((change.retryAt ?? 0) - Date.now()) / 1000);
    element.textContent = seconds > 0 ? `${problem} Retrying in ${seconds} s.` : `${problem} Connecting again…`;
  };
  render();
  if (change.state === "reconnecting") countdown = setInterval(render, 250);
}

function showError(text) {
  const element = $("inbox-error");
  element.textContent = text;
  element.hidden = text === "";
}

function updateEmpty() {
  $("empty").hidden = list.children.length > 0;
  $("keys-hint").hidden = list.children.length === 0;
  $("mark-all-read").disabled = list.children.length === 0 && $("unread").dataset.count === "0";
}

/** The newest id this page knows of: the stream's resume point (the hub's head) or the newest row. */
function inboxHead() {
  const ids = [subscription?.lastEventId, list.firstElementChild?.dataset.id].filter((id) => id !== undefined).map(Number);
  return ids.length === 0 ? undefined : String(Math.max(...ids));
}

/** Everything up to the inbox's head is read, shown on this page or not. */
async function markAllRead() {
  const head = inboxHead();
  if (head === undefined) return;
  try {
    const { unread } = await markRead(target, { upTo: head });
    for (const item of list.querySelectorAll("li.unread")) {
      if (Number(item.dataset.id) <= Number(head)) setRead(item, true);
    }
    showUnread(unread);
  } catch (error) {
    showError(describe("Mark all read", error));
  }
}

async function markOneRead(item) {
  try {
    const { unread } = await markRead(target, { ids: [item.dataset.id] });
    setRead(item, true);
    showUnread(unread);
  } catch (error) {
    showError(describe("Mark read", error));
  }
}

function onListKey(event) {
  const item = event.target.closest("li");
  if (item === null) return;
  const moves = {
    ArrowDown: item.nextElementSibling,
    ArrowUp: item.previousElementSibling,
    Home: list.firstElementChild,
    End: list.lastElementChild,
  };
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    if (item.classList.contains("unread")) void markOneRead(item);
  } else if (event.key in moves) {
    event.preventDefault();
    moves[event.key]?.focus();
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
list.addEventListener("keydown", onListKey);

readSettingsFromPage();
connect();
