// One stream per browser: the tabs of one origin that subscribe to the same
// uid elect a leader with a Web Lock; the leader holds the stream and relays
// every event and state change over a BroadcastChannel; the others deliver
// what it relays. The lock passes on by itself when the leader's tab closes
// or crashes; a leader steps down when its page is frozen or put in the
// back/forward cache; and a leader silent past the limit (a hung tab) has its
// lock stolen. The next leader resumes from the newest id it has seen, and
// every tab drops what it already delivered: nothing lost, nothing twice.
import type { Connection } from "./connection";
import type { DeliverySnapshot } from "./delivery";
import { type Frame, readFrame } from "./frames";
import type { StateChange } from "./state";

/** How often a leader says it is alive, on top of relaying the stream. */
const ALIVE_EVERY_MS = 1000;
/** A leader silent for this long (or its stream's silence limit, if longer) is taken over. */
const MIN_LEADER_SILENCE_MS = 5000;

/** What the group needs from the subscription of its tab. */
export interface GroupMember {
  /** Hold the stream: open a connection that reports to `relay`, carrying on the backoff the last leader was in. */
  lead(relay: StreamSink, continueBackoff: { failures: number; retryAt?: number } | undefined): Connection;
  /** A frame or state for this tab's own callbacks. */
  deliver(frame: Frame): void;
  show(change: StateChange): void;
  snapshot(): DeliverySnapshot;
  adopt(snapshot: DeliverySnapshot): void;
}

export interface StreamSink {
  frame(frame: Frame): void;
  state(change: Omit<StateChange, "leader">): void;
  alive(): void;
}

type GroupMessage =
  | { readonly type: "hello"; readonly from: string }
  | { readonly type: "snapshot"; readonly to: string; readonly snapshot: DeliverySnapshot; readonly state: StateChange | undefined }
  | { readonly type: "frame"; readonly frame: Frame }
  | { readonly type: "state"; readonly change: StateChange }
  | { readonly type: "alive"; readonly silenceLimitMs: number };

// The browser APIs used, typed here: the Worker's type library has neither.
interface LockManager {
  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<void>): Promise<void>;
}
interface Channel {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}
type ChannelConstructor = new (name: string) => Channel;
interface PageEvents {
  addEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
  removeEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
}

const browser = globalThis as unknown as {
  navigator?: { locks?: LockManager };
  BroadcastChannel?: ChannelConstructor;
  document?: PageEvents;
  addEventListener?: PageEvents["addEventListener"];
  removeEventListener?: PageEvents["removeEventListener"];
};

/** Web Locks and BroadcastChannel exist (any current browser, on https or localhost). */
export const tabGroupsSupported = (): boolean => browser.navigator?.locks !== undefined && browser.BroadcastChannel !== undefined;

/** A page of a browser: where several tabs can share one stream (Node has the APIs but no tabs). */
export const inBrowserPage = (): boolean => browser.document !== undefined && tabGroupsSupported();

export class TabGroup {
  private readonly id = Math.random().toString(36).slice(2);
  private readonly locks: LockManager;
  private readonly channel: Channel;
  private closed = false;
  /** Frozen or in the back/forward cache: may neither lead nor wait for the lock. */
  private suspended = false;
  private waiting: AbortController | undefined;
  private leading: { connection: Connection; release: () => void; aliveTimer: ReturnType<typeof setInterval> } | undefined;
  private lastAliveSent = 0;
  private lastHeard = Date.now();
  private leaderSilenceLimitMs = MIN_LEADER_SILENCE_MS;
  private leaderState: StateChange | undefined;
  private readonly watchTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly name: string,
    private readonly member: GroupMember,
  ) {
    this.locks = browser.navigator!.locks!;
    this.channel = new browser.BroadcastChannel!(name);
    this.channel.onmessage = ({ data }) => this.hear(data as GroupMessage);
    this.watchTimer = setInterval(() => this.watchLeader(), ALIVE_EVERY_MS);
    browser.document?.addEventListener("freeze", this.suspend);
    browser.document?.addEventListener("resume", this.wakeUp);
    browser.addEventListener?.("pagehide", this.suspend);
    browser.addEventListener?.("pageshow", this.wakeUp);
    this.join();
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stepDown();
    this.waiting?.abort();
    clearInterval(this.watchTimer);
    this.channel.close();
    browser.document?.removeEventListener("freeze", this.suspend);
    browser.document?.removeEventListener("resume", this.wakeUp);
    browser.removeEventListener?.("pagehide", this.suspend);
    browser.removeEventListener?.("pageshow", this.wakeUp);
  }

  /** Ask the leader, if there is one, for where it stands; and queue for the lock. */
  private join(): void {
    this.lastHeard = Date.now();
    this.post({ type: "hello", from: this.id });
    this.queue(false);
  }

  private queue(steal: boolean): void {
    this.waiting?.abort();
    const waiting = new AbortController();
    this.waiting = waiting;
    const held = this.locks.request(this.name, steal ? { steal: true } : { signal: waiting.signal }, () => this.lead(waiting));
    held.catch(() => {
      // Aborted while waiting (we left or stole), or stolen while leading: then
      // follow, asking where the stream stands, since what the new leader
      // relayed while we still led was not delivered here.
      if (this.leading !== undefined && this.waiting === waiting) {
        this.stepDown();
        if (!this.closed && !this.suspended) this.join();
      }
    });
  }

  /** Holds the lock until the promise resolves. */
  private lead(waiting: AbortController): Promise<void> {
    if (this.closed || this.suspended || this.waiting !== waiting) return Promise.resolve();
    return new Promise((release) => {
      const previous = this.leaderState;
      const continueBackoff =
        previous === undefined || previous.state === "live" ? undefined : { failures: previous.failures, retryAt: previous.retryAt };
      const connection = this.member.lead(this.relay, continueBackoff);
      const aliveTimer = setInterval(() => this.sayAlive(), ALIVE_EVERY_MS);
      this.leading = { connection, release, aliveTimer };
      this.sayAlive();
    });
  }

  private stepDown(): void {
    const leading = this.leading;
    if (leading === undefined) return;
    this.leading = undefined;
    clearInterval(leading.aliveTimer);
    leading.connection.close();
    leading.release();
    this.lastHeard = Date.now();
    if (!this.closed) this.member.show({ state: "connecting", failures: 0, leader: false });
  }

  private readonly relay: StreamSink = {
    frame: (frame) => {
      this.member.deliver(frame);
      this.post({ type: "frame", frame });
    },
    state: (change) => {
      this.member.show({ ...change, leader: true });
      if (change.state === "closed") {
        // Refused for good with this tab's uid and token: let the next tab try with its own.
        this.close();
        return;
      }
      this.leaderState = { ...change, leader: false };
      this.post({ type: "state", change: this.leaderState });
    },
    alive: () => {
      if (Date.now() - this.lastAliveSent >= ALIVE_EVERY_MS) this.sayAlive();
    },
  };

  private sayAlive(): void {
    if (this.leading === undefined) return;
    this.lastAliveSent = Date.now();
    this.post({ type: "alive", silenceLimitMs: this.leading.connection.silenceLimitMs });
  }

  private hear(message: GroupMessage): void {
    if (this.closed) return;
    if (message.type === "hello") {
      if (this.leading !== undefined) {
        this.post({ type: "snapshot", to: message.from, snapshot: this.member.snapshot(), state: this.leaderState });
      }
      return;
    }
    // Two leaders for a moment: one stole the lock from a hung tab that has not
    // noticed yet. Each takes the other's messages (ids make repeats harmless,
    // and the hung one misses nothing) but only its own stream's state and counts.
    if (this.leading !== undefined) {
      if (message.type === "frame" && readFrame(message.frame).kind === "message") this.member.deliver(message.frame);
      return;
    }
    this.lastHeard = Date.now();
    switch (message.type) {
      case "frame":
        this.member.deliver(message.frame);
        return;
      case "state":
        this.leaderState = message.change;
        this.member.show(message.change);
        return;
      case "alive":
        this.leaderSilenceLimitMs = Math.max(MIN_LEADER_SILENCE_MS, message.silenceLimitMs);
        return;
      case "snapshot":
        if (message.to !== this.id) return;
        this.member.adopt(message.snapshot);
        if (message.state !== undefined) {
          this.leaderState = message.state;
          this.member.show(message.state);
        }
        return;
    }
  }

  /** A lock held by a tab that says nothing is held by a hung tab: take it. */
  private watchLeader(): void {
    if (this.leading !== undefined || this.suspended || Date.now() - this.lastHeard < this.leaderSilenceLimitMs) return;
    this.lastHeard = Date.now();
    this.queue(true);
  }

  private readonly suspend = (): void => {
    if (this.closed || this.suspended) return;
    this.suspended = true;
    this.stepDown();
    this.waiting?.abort();
    this.waiting = undefined;
  };

  private readonly wakeUp = (): void => {
    if (this.closed || !this.suspended) return;
    this.suspended = false;
    this.join();
  };

  private post(message: GroupMessage): void {
    this.channel.postMessage(message);
  }
}
