// <edge-inbox-bell uid="42" base="https://inbox.example.com">: a bell with
// the unseen badge and a dropdown of the newest messages, built on the typed
// client, so the tabs of a browser share one stream. Opening it marks what
// it shows seen; a click on a message marks it read (and follows its url);
// "Mark all read" marks everything up to the newest. A disclosure button
// (aria-expanded) and a list; Escape, a click outside or Tab past the end
// closes it; arrows move between messages.
import { fetchInbox, markRead, markSeen } from "../client/inbox-api";
import type { GetToken, InboxCounts, InboxMessage, InboxTarget, ReceivedMessage, StateChange, Subscription } from "../client/index";
import { subscribe } from "../client/subscribe";
import { type BellMessage, type BellParts, buildBell, messageItem, messageName, refreshAges, setItemState, showBadge } from "./bell-view";

const DEFAULT_LIMIT = 20;
const DEFAULT_LABEL = "Notifications";
/** Counts change in bursts (a publish, then a mark): one re-read per burst. */
const RELOAD_DELAY_MS = 250;
/** A click on a link waits this long at most for its read mark before leaving the page. */
const READ_BEFORE_LEAVING_MS = 1000;
const AGE_REFRESH_MS = 30_000;

// In Node (the package is imported there too) there is no HTMLElement to extend: the class is then inert.
const ElementBase = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

export class InboxBell extends ElementBase {
  static readonly observedAttributes = ["uid", "base", "token", "tag", "limit", "label"];

  #parts: BellParts | undefined;
  #subscription: Subscription | undefined;
  #target: InboxTarget | undefined;
  #getToken: GetToken | undefined;
  #messages: BellMessage[] = [];
  #counts: InboxCounts = { unread: 0, unseen: 0 };
  #wasLive = false;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  #ageTimer: ReturnType<typeof setInterval> | undefined;
  /** Bumped by every start and every change this bell makes, so an older answer is not shown over it. */
  #version = 0;

  /** Gives a subscriber token, as the client's getToken (called when there is none, after a 401, before expiry). */
  get getToken(): GetToken | undefined {
    return this.#getToken;
  }
  set getToken(getToken: GetToken | undefined) {
    this.#getToken = getToken;
    this.#restart();
  }

  /** The uid's counts as the bell last heard them. */
  get counts(): InboxCounts {
    return this.#counts;
  }

  get isOpen(): boolean {
    return this.#parts?.panel.hidden === false;
  }

  connectedCallback(): void {
    this.#adoptEarlyGetToken();
    if (this.#parts === undefined) this.#build();
    this.#restart();
  }

  disconnectedCallback(): void {
    this.close({ focusBell: false });
    this.#stop();
  }

  attributeChangedCallback(name: string, previous: string | null, next: string | null): void {
    if (previous === next || this.#parts === undefined) return;
    if (name === "label") {
      this.#parts.heading.textContent = this.#label;
      showBadge(this.#parts, this.#counts.unseen, this.#label);
      return;
    }
    this.#restart();
  }

  /** Open the panel: the list is read again, what it shows is marked seen, and the focus moves into it. */
  open(): void {
    const parts = this.#parts;
    if (parts === undefined || this.isOpen) return;
    this.#place(parts);
    parts.panel.hidden = false;
    parts.button.setAttribute("aria-expanded", "true");
    for (const item of parts.list.querySelectorAll<HTMLElement>("li")) item.classList.toggle("fresh", item.dataset.seen === "false");
    this.#focusItem(0);
    this.#markShownSeen();
    void this.#load();
    document.addEventListener("pointerdown", this.#onOutsidePointer, true);
    this.#ageTimer = setInterval(() => refreshAges(parts.list, Date.now()), AGE_REFRESH_MS);
  }

  close({ focusBell = true }: { focusBell?: boolean } = {}): void {
    const parts = this.#parts;
    if (parts === undefined || !this.isOpen) return;
    const hadFocus = this.shadowRoot!.activeElement !== null;
    parts.panel.hidden = true;
    parts.button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", this.#onOutsidePointer, true);
    clearInterval(this.#ageTimer);
    if (focusBell && hadFocus) parts.button.focus();
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }

  /**
   * A page script that ran before /widget.js set `getToken` on the element
   * while it was still plain HTML: that own property hides the class's
   * accessor. Take its value over and drop it.
   */
  #adoptEarlyGetToken(): void {
    if (!Object.hasOwn(this, "getToken")) return;
    const early = this as { getToken?: GetToken };
    const getToken = early.getToken;
    delete early.getToken;
    this.#getToken = getToken;
  }

  get #label(): string {
    return this.getAttribute("label") || DEFAULT_LABEL;
  }

  get #tag(): string | undefined {
    return this.getAttribute("tag") || undefined;
  }

  get #limit(): number {
    const limit = Number(this.getAttribute("limit"));
    return Number.isInteger(limit) && limit >= 1 && limit <= 100 ? limit : DEFAULT_LIMIT;
  }

  #build(): void {
    const root = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const parts = buildBell(root, this.#label);
    this.#parts = parts;
    showBadge(parts, 0, this.#label);
    parts.button.addEventListener("click", () => this.toggle());
    parts.button.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown") return;
      event.preventDefault();
      this.open();
    });
    parts.markAll.addEventListener("click", () => void this.#markAllRead());
    parts.list.addEventListener("click", (event) => this.#onItemClick(event));
    parts.panel.addEventListener("keydown", (event) => this.#onPanelKey(event));
    this.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.isOpen) {
        event.stopPropagation();
        this.close();
      }
    });
    // Tab past the last control, or focus moving anywhere else on the page, closes it.
    this.addEventListener("focusout", (event) => {
      if (event.relatedTarget !== null && !this.contains(event.relatedTarget as Node)) this.close({ focusBell: false });
    });
  }

  #stop(): void {
    this.#version++;
    this.#subscription?.close();
    this.#subscription = undefined;
    this.#target = undefined;
    clearTimeout(this.#reloadTimer);
  }

  /** (Re)subscribe for the uid and base the attributes name now. */
  #restart(): void {
    if (!this.isConnected || this.#parts === undefined) return;
    this.#stop();
    this.#messages = [];
    this.#render();
    const uid = this.getAttribute("uid");
    if (uid === null || uid === "") {
      this.#showStatus("Set the uid attribute to show its messages.");
      return;
    }
    const token = this.getAttribute("token") || undefined;
    const target: InboxTarget = {
      url: this.getAttribute("base") || location.origin,
      uid,
      ...(token !== undefined && { token }),
      ...(this.#getToken !== undefined && { getToken: this.#getToken }),
    };
    this.#target = target;
    this.#wasLive = false;
    try {
      this.#subscription = subscribe({
        ...target,
        events: "*",
        onState: (_state, change) => this.#onState(change),
        onCounts: (counts) => this.#onCounts(counts),
        onMessage: (message) => this.#onMessage(message),
        onRetract: (id) => this.#remove(id),
        onReset: () => void this.#load(),
      });
    } catch (error) {
      this.#showStatus(error instanceof Error ? error.message : String(error));
    }
  }

  #onState(change: StateChange): void {
    if (change.state === "live") {
      this.#showStatus("");
      // Live for the first time, or again: the newest messages as the inbox has them.
      if (!this.#wasLive) void this.#load();
      this.#wasLive = true;
      return;
    }
    if (change.reason === undefined || change.reason === "closed") return;
    this.#wasLive = false;
    this.#showStatus(change.state === "closed" ? `Not connected: ${change.message ?? change.reason}` : "Reconnecting…");
  }

  #onCounts(counts: InboxCounts): void {
    this.#counts = counts;
    this.#parts!.markAll.disabled = counts.unread === 0;
    // With a tag, the badge is that tag's count, which only the inbox answers.
    if (this.#tag === undefined) showBadge(this.#parts!, counts.unseen, this.#label);
    else this.#scheduleLoad();
  }

  #onMessage(message: ReceivedMessage): void {
    const tag = this.#tag;
    if (tag !== undefined && !(message.tags ?? []).includes(tag)) return;
    if (this.#messages.some((shown) => shown.id === message.id)) return;
    const row: BellMessage = {
      id: message.id,
      msg: message.msg,
      ts: message.ts,
      broadcast: message.uid === null,
      seen: false,
      read: false,
    };
    this.#messages = [row, ...this.#messages].slice(0, this.#limit);
    this.#render();
    if (this.isOpen) {
      this.#parts!.list.querySelector(`li[data-id="${message.id}"]`)?.classList.add("fresh");
      this.#markShownSeen();
    } else {
      this.#parts!.announcer.textContent = `New notification: ${messageName(message)}`;
    }
  }

  #scheduleLoad(): void {
    clearTimeout(this.#reloadTimer);
    this.#reloadTimer = setTimeout(() => void this.#load(), RELOAD_DELAY_MS);
  }

  /** The newest messages (of the tag) and, with a tag, its counts for the badge. */
  async #load(): Promise<void> {
    const target = this.#target;
    if (target === undefined) return;
    const version = this.#version;
    const tag = this.#tag;
    try {
      const page = await fetchInbox(target, { limit: this.#limit, ...(tag !== undefined && { tag, tags: [tag] }) });
      if (version !== this.#version) return;
      this.#messages = page.messages.map(({ id, msg, ts, broadcast, seen, read }: InboxMessage) => ({
        id,
        msg,
        ts,
        broadcast,
        seen,
        read,
      }));
      this.#render();
      const counts = tag === undefined ? page : (page.byTag?.[tag] ?? page);
      showBadge(this.#parts!, counts.unseen, this.#label);
      this.#parts!.markAll.disabled = counts.unread === 0;
      if (this.isOpen) this.#markShownSeen();
    } catch (error) {
      if (version === this.#version)
        this.#showStatus(`Could not load the notifications: ${error instanceof Error ? error.message : error}`);
    }
  }

  /** The list from #messages; the focus stays on the message it was on. */
  #render(): void {
    const parts = this.#parts!;
    const focusedId = (this.shadowRoot!.activeElement?.closest("li") as HTMLElement | null)?.dataset.id;
    const fresh = new Set([...parts.list.querySelectorAll<HTMLElement>("li.fresh")].map((item) => item.dataset.id));
    const now = Date.now();
    parts.list.replaceChildren(
      ...this.#messages.map((message) => {
        const item = messageItem(message, now);
        if (this.isOpen && (fresh.has(message.id) || !message.seen)) item.classList.add("fresh");
        return item;
      }),
    );
    parts.empty.hidden = this.#messages.length > 0;
    if (focusedId !== undefined) parts.list.querySelector<HTMLElement>(`li[data-id="${focusedId}"] .entry`)?.focus();
  }

  #remove(id: string): void {
    if (!this.#messages.some((message) => message.id === id)) return;
    const index = this.#messages.findIndex((message) => message.id === id);
    const hadFocus = this.shadowRoot!.activeElement?.closest("li")?.getAttribute("data-id") === id;
    this.#messages = this.#messages.filter((message) => message.id !== id);
    this.#render();
    if (hadFocus) this.#focusItem(Math.min(index, this.#messages.length - 1));
  }

  /** Whatever the open panel shows that is not seen yet becomes seen. */
  #markShownSeen(): void {
    const ids = this.#messages.filter((message) => !message.seen).map((message) => message.id);
    if (ids.length === 0) return;
    void this.#change((target) => markSeen(target, { ids }), ids, { seen: true, read: false });
  }

  async #markAllRead(): Promise<void> {
    const ids = this.#messages.map((message) => message.id);
    // Everything up to the newest id the stream has seen; with a tag, only that tag's messages shown.
    const head = [this.#subscription?.lastEventId, ids[0]].filter((id) => id !== undefined).map(Number);
    const tagged = this.#tag !== undefined;
    if (!tagged && head.length === 0) return;
    const done = await this.#change((target) => markRead(target, tagged ? { ids } : { upTo: String(Math.max(...head)) }), ids, {
      seen: true,
      read: true,
    });
    if (done) this.#parts!.announcer.textContent = "All notifications marked read.";
  }

  /**
   * Show a change at once, then send it; the hub's counts may arrive before
   * the answer and must not find the rows behind them. Whether it was taken.
   */
  async #change(send: (target: InboxTarget) => Promise<InboxCounts>, ids: readonly string[], state: { seen: boolean; read: boolean }) {
    const target = this.#target;
    if (target === undefined) return false;
    this.#version++;
    const changed = new Set(ids);
    this.#messages = this.#messages.map((message) =>
      changed.has(message.id) ? { ...message, seen: message.seen || state.seen, read: message.read || state.read } : message,
    );
    for (const item of this.#parts!.list.querySelectorAll<HTMLElement>("li")) {
      const message = this.#messages.find((shown) => shown.id === item.dataset.id);
      if (message !== undefined && changed.has(message.id)) setItemState(item, message);
    }
    try {
      const counts = await send(target);
      if (this.#tag === undefined) this.#onCounts(counts);
      else this.#scheduleLoad();
      return true;
    } catch (error) {
      this.#showStatus(`Could not save that: ${error instanceof Error ? error.message : error}`);
      this.#scheduleLoad();
      return false;
    }
  }

  #onItemClick(event: MouseEvent): void {
    const entry = (event.target as Element).closest<HTMLElement>(".entry");
    const id = entry?.closest("li")?.dataset.id;
    if (entry === null || entry === undefined || id === undefined) return;
    const read = this.#change((target) => markRead(target, { ids: [id] }), [id], { seen: true, read: true });
    // A plain click on a link leaves the page: let the read mark go out first (a new tab needs no wait).
    if (entry instanceof HTMLAnchorElement && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      const href = entry.href;
      void Promise.race([read, new Promise((resolve) => setTimeout(resolve, READ_BEFORE_LEAVING_MS))]).then(() => location.assign(href));
    }
  }

  #onPanelKey(event: KeyboardEvent): void {
    const entries = [...this.#parts!.list.querySelectorAll<HTMLElement>(".entry")];
    const at = entries.indexOf(this.shadowRoot!.activeElement as HTMLElement);
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: entries.length - 1 };
    if (!(event.key in moves) || entries.length === 0) return;
    event.preventDefault();
    const next = moves[event.key]!;
    entries[Math.max(0, Math.min(entries.length - 1, at === -1 && event.key === "ArrowUp" ? entries.length - 1 : next))]!.focus();
  }

  #focusItem(index: number): void {
    const entries = this.#parts!.list.querySelectorAll<HTMLElement>(".entry");
    (entries[index] ?? this.#parts!.heading).focus();
  }

  /** Right-aligned under the bell unless that runs off the left edge; on a phone, under it at full width. */
  #place(parts: BellParts): void {
    const bell = parts.button.getBoundingClientRect();
    const width = Math.min(24 * 16, window.innerWidth - 16);
    parts.panel.classList.toggle("start", bell.right - width < 8);
    this.style.setProperty("--edge-inbox-panel-top", `${Math.round(bell.bottom + 6)}px`);
  }

  #showStatus(text: string): void {
    this.#parts!.status.textContent = text;
    this.#parts!.status.hidden = text === "";
  }

  readonly #onOutsidePointer = (event: PointerEvent): void => {
    if (!event.composedPath().includes(this)) this.close({ focusBell: false });
  };
}
