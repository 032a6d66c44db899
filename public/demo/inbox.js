// The inbox half of the demo page: subscribe with the typed client to every
// event name, merge the live stream with the stored inbox (newest first, each
// id once), and keep it in step with the hub: the unseen badge and unread
// count from `unread` events, rows leaving on `retract`, and the rows' own
// seen/read/archived state re-read whenever the counts change (another tab
// may have changed them). Views: the inbox, unread, archived, and one tag.
import { archive, deleteMessages, fetchInbox, InboxApiError, markRead, markSeen, subscribe, unarchive } from "/client.js";
import { messageRow, refreshTimes, setRowState } from "./rows.js";
import { watchSeen } from "./seen.js";
import { showState } from "./status.js";

const PAGE_SIZE = 20;
/** GET /inbox answers at most 100 rows, and counts at most 5 tags per call. */
const MAX_PAGE = 100;
const MAX_COUNTED_TAGS = 5;
/** Counts change in bursts (a publish, then a mark): one re-read per burst. */
const REFRESH_DELAY_MS = 250;
const SUBSCRIBER_TOKEN_KEY = "edge-inbox.subscriber-token";
const EMPTY_TEXT = { all: "No messages yet.", unread: "Nothing unread.", archived: "Nothing archived." };
const ACTIONS = {
  archive: { call: archive, done: "Archived" },
  unarchive: { call: unarchive, done: "Moved back to the inbox" },
  delete: { call: deleteMessages, done: "Deleted" },
};

const $ = (id) => document.getElementById(id);
const list = $("messages");
const seen = watchSeen((ids) => void markShownSeen(ids));

let subscription;
let target;
/** Which rows the list shows: a status of GET /inbox, and maybe one tag. */
let view = { status: "all", tag: null };
/** Bumped whenever the list starts over, so an answer for an older view is dropped. */
let viewVersion = 0;
let olderBefore = null;
/** Tags met so far, in order; the first few get their own counts. */
let knownTags = new Set();
let countsByTag = {};
let refreshTimer;
/** Bumped by every change this page makes: a re-read that began before one may show the state before it. */
let changesMade = 0;

function readSettingsFromPage() {
  const params = new URLSearchParams(location.search);
  $("uid").value = params.get("uid") || "1";
  $("subscriber-token").value = sessionStorage.getItem(SUBSCRIBER_TOKEN_KEY) || "";
}

function connect() {
  const uid = $("uid").value.trim();
  const token = $("subscriber-token").value.trim();
  sessionStorage.setItem(SUBSCRIBER_TOKEN_KEY, token);
  const params = new URLSearchParams(location.search);
  params.set("uid", uid);
  history.replaceState(null, "", `${location.pathname}?${params}`);

  const previous = subscription;
  subscription = undefined;
  previous?.close();
  knownTags = new Set((params.get("tags") ?? "").split(",").filter(Boolean));
  countsByTag = {};
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
          void loadView();
        } else if (change.reason !== undefined && change.reason !== "closed" && !inboxLoaded) {
          inboxLoaded = true;
          loadedWhileDown = true;
          void loadView();
        }
      },
      onGreeting: (text) => {
        if (subscription === mine) $("greeting").textContent = text;
      },
      onMessage: (message) => subscription === mine && showLive(message),
      onCounts: (counts) => {
        if (subscription !== mine) return;
        showCounts(counts);
        scheduleRefresh();
      },
      onRetract: (id) => subscription === mine && removeRow(list.querySelector(`li[data-id="${id}"]`)),
      onReset: () => {
        // The hub could not replay what we missed: start over from the inbox.
        if (subscription === mine) void loadView();
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

/** The view from its first page: the list starts over. */
async function loadView() {
  const version = ++viewVersion;
  clearInbox();
  document.body.dataset.inbox = "loading";
  try {
    const page = await fetchPage({ limit: PAGE_SIZE });
    if (version !== viewVersion) return;
    for (const message of page.messages) showMessage(message);
    olderBefore = page.next;
    document.body.dataset.inbox = "loaded";
    showError("");
    afterPage(page);
  } catch (error) {
    if (version !== viewVersion) return;
    document.body.dataset.inbox = "failed";
    showError(describe("Inbox", error));
  }
}

async function loadOlder() {
  const version = viewVersion;
  $("load-older").disabled = true;
  try {
    const page = await fetchPage({ before: olderBefore, limit: PAGE_SIZE });
    if (version !== viewVersion) return;
    for (const message of page.messages) showMessage(message);
    olderBefore = page.next;
    afterPage(page);
  } catch (error) {
    if (version === viewVersion) showError(describe("Older messages", error));
  } finally {
    $("load-older").disabled = false;
  }
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh(), REFRESH_DELAY_MS);
}

/**
 * Read the rows the list shows again and bring them in step: new state,
 * rows that left the view (archived, deleted, retracted elsewhere) removed,
 * rows that were missed added. Only rows the answer covers are judged: from
 * its oldest row up to the newest id this page knew of when it asked.
 */
async function refresh() {
  if (document.body.dataset.inbox !== "loaded") return;
  const version = viewVersion;
  const changesBefore = changesMade;
  const head = Number(subscription?.lastEventId ?? 0);
  try {
    const page = await fetchPage({ limit: Math.min(MAX_PAGE, Math.max(PAGE_SIZE, list.children.length)) });
    // Stale: the change made meanwhile sends new counts, and with them another re-read.
    if (version !== viewVersion || changesBefore !== changesMade) return;
    const listed = new Set(page.messages.map((message) => message.id));
    const ids = page.messages.map((message) => Number(message.id));
    const from = page.next === null ? 0 : Math.min(...ids);
    const upTo = Math.max(head, ...ids);
    for (const item of [...list.children]) {
      const id = Number(item.dataset.id);
      if (id >= from && id <= upTo && !listed.has(item.dataset.id)) removeRow(item);
    }
    for (const message of page.messages) showMessage(message);
    showError("");
    afterPage(page);
  } catch (error) {
    if (version === viewVersion) showError(describe("Inbox", error));
  }
}

function fetchPage(page) {
  return fetchInbox(target, {
    ...page,
    before: page.before ?? undefined,
    status: view.status,
    tag: view.tag ?? undefined,
    tags: [...knownTags].slice(0, MAX_COUNTED_TAGS),
  });
}

function afterPage(page) {
  showCounts(page);
  countsByTag = { ...countsByTag, ...page.byTag };
  renderTags();
  $("load-older").hidden = olderBefore === null;
}

function describe(what, error) {
  if (error instanceof InboxApiError) return `${what}: ${error.status} ${error.message}`;
  return `${what}: ${error.message} (is the server running?)`;
}

function clearInbox() {
  for (const item of list.children) seen.forget(item);
  list.replaceChildren();
  olderBefore = null;
  $("load-older").hidden = true;
  $("empty").textContent = view.tag === null ? EMPTY_TEXT[view.status] : `Nothing tagged ${view.tag}.`;
  updateEmpty();
}

const inView = (message) => view.status !== "archived" && (view.tag === null || (message.tags ?? []).includes(view.tag));

/** A message from the stream: new, so neither seen nor read. */
function showLive(message) {
  learnTags(message.tags);
  if (inView(message)) showMessage(message);
}

/** Insert a message at its place by id, newest on top; a row already shown takes the state given. */
function showMessage(message) {
  const shown = list.querySelector(`li[data-id="${message.id}"]`);
  if (shown !== null) {
    if ("read" in message) setRowState(shown, message);
    if (shown.dataset.seen === "false") seen.recheck();
    return;
  }
  learnTags(message.tags);
  const item = messageRow(message, view.status === "archived");
  const newer = Number(message.id);
  const before = [...list.children].find((other) => Number(other.dataset.id) < newer);
  list.insertBefore(item, before ?? null);
  if (view.status !== "archived") seen.observe(item);
  updateEmpty();
}

/** Remove a row; focus inside it moves to the next row (or the previous, or the heading). */
function removeRow(item) {
  if (item === null) return;
  const hadFocus = item.contains(document.activeElement);
  const next = item.nextElementSibling ?? item.previousElementSibling;
  seen.forget(item);
  item.remove();
  if (hadFocus) (next ?? $("inbox-title")).focus();
  updateEmpty();
}

function learnTags(tags = []) {
  const before = knownTags.size;
  for (const tag of tags) knownTags.add(tag);
  if (knownTags.size !== before) {
    renderTags();
    // The new tag's count comes with the next read of the inbox.
    if (knownTags.size <= MAX_COUNTED_TAGS) scheduleRefresh();
  }
}

function showCounts({ unread, unseen }) {
  $("unseen").textContent = String(unseen);
  $("unseen-badge").dataset.count = String(unseen);
  $("unread").textContent = String(unread);
  updateEmpty();
}

/** The view buttons and one chip per known tag, each with its unread count. */
function renderTags() {
  const chips = [...knownTags].map((tag) => {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip";
    chip.dataset.tag = tag;
    chip.setAttribute("aria-pressed", String(view.tag === tag));
    chip.append(tag);
    const unread = countsByTag[tag]?.unread;
    if (unread !== undefined) {
      const count = document.createElement("span");
      count.className = "chip-count";
      count.dataset.count = String(unread);
      count.textContent = String(unread);
      const words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = " unread";
      count.append(words);
      chip.append(" ", count);
    }
    return chip;
  });
  $("tag-chips").replaceChildren(...chips);
  $("tags").hidden = chips.length === 0;
  for (const button of document.querySelectorAll("#views button")) {
    button.setAttribute("aria-pressed", String(button.dataset.status === view.status));
  }
}

function showView(next) {
  view = next;
  renderTags();
  void loadView();
}

function showError(text) {
  const element = $("inbox-error");
  element.textContent = text;
  element.hidden = text === "";
}

function announce(text) {
  $("announce").textContent = text;
}

function updateEmpty() {
  $("empty").hidden = list.children.length > 0;
  $("keys-hint").hidden = list.children.length === 0;
  $("mark-all-read").disabled = $("unread").textContent === "0";
}

/** The newest id this page knows of: the stream's resume point (the hub's head) or the newest row. */
function inboxHead() {
  const ids = [subscription?.lastEventId, list.firstElementChild?.dataset.id].filter((id) => id !== undefined).map(Number);
  return ids.length === 0 ? undefined : String(Math.max(...ids));
}

// Marks show at once and are then sent: the hub's new counts may reach the
// page before the call's answer does, and must not find the rows behind them.
// A failed call says so and reads the rows again.

/** Everything up to the inbox's head is read, shown on this page or not. */
async function markAllRead() {
  const head = inboxHead();
  if (head === undefined) return;
  await sendChange(
    "Mark all read",
    () => markRead(target, { upTo: head }),
    () => {
      for (const item of list.querySelectorAll("li.unread")) {
        if (Number(item.dataset.id) <= Number(head)) setRowState(item, { seen: true, read: true });
      }
    },
  );
  announce("Everything is read.");
}

function markOneRead(item) {
  return sendChange(
    "Mark read",
    () => markRead(target, { ids: [item.dataset.id] }),
    () => setRowState(item, { seen: true, read: true }),
  );
}

function markShownSeen(ids) {
  return sendChange(
    "Mark seen",
    () => markSeen(target, { ids }),
    () => {
      for (const id of ids) {
        const item = list.querySelector(`li[data-id="${id}"]`);
        if (item !== null && item.dataset.seen === "false") setRowState(item, { seen: true, read: false });
      }
    },
  );
}

/** Whether the server took the change. */
async function sendChange(what, call, show) {
  changesMade++;
  show();
  try {
    showCounts(await call());
    return true;
  } catch (error) {
    showError(describe(what, error));
    scheduleRefresh();
    return false;
  }
}

async function act(item, name) {
  const { call, done } = ACTIONS[name];
  changesMade++;
  try {
    const counts = await call(target, { ids: [item.dataset.id] });
    removeRow(item);
    showCounts(counts);
    announce(`${done}: ${item.dataset.name}`);
  } catch (error) {
    showError(describe(done, error));
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
  if ((event.key === "Enter" || event.key === " ") && event.target === item) {
    event.preventDefault();
    if (item.classList.contains("unread")) void markOneRead(item);
  } else if (event.key in moves) {
    event.preventDefault();
    moves[event.key]?.focus();
  }
}

function onListClick(event) {
  const item = event.target.closest("li");
  if (item === null) return;
  const button = event.target.closest("button[data-action]");
  if (button !== null) {
    void act(item, button.dataset.action);
    return;
  }
  // Anywhere else, the link included (it opens in a new tab): the message is read.
  if (item.classList.contains("unread")) void markOneRead(item);
}

$("connect").addEventListener("submit", (event) => {
  event.preventDefault();
  connect();
});
$("mark-all-read").addEventListener("click", () => void markAllRead());
$("load-older").addEventListener("click", () => olderBefore !== null && void loadOlder());
$("views").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-status]");
  if (button !== null && button.dataset.status !== view.status) showView({ ...view, status: button.dataset.status });
});
$("tags").addEventListener("click", (event) => {
  const chip = event.target.closest("button[data-tag]");
  if (chip !== null) showView({ ...view, tag: view.tag === chip.dataset.tag ? null : chip.dataset.tag });
});
list.addEventListener("click", onListClick);
list.addEventListener("keydown", onListKey);
setInterval(() => refreshTimes(list), 30_000);

readSettingsFromPage();
connect();
