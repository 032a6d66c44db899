// One subscription's view of the stream: which events reach which callback,
// and the resume point. Every tab keeps its own, whether it holds the stream
// or hears it relayed, so each tab drops what it has already delivered.
//
// Ids only grow on a uid's stream (the hub's cursor), so the newest id seen
// is the resume point and anything at or below it is a duplicate. The hub's
// opening `unread` event carries its head as id: a fresh stream has a resume
// point from its first event on.
import { EVENT_NAME_PATTERN, type PushMessage, RESERVED_EVENTS } from "../messages";
import { type Frame, readFrame } from "./frames";

/** A delivered message with the name it was published under. */
export interface ReceivedMessage<T = unknown> extends PushMessage<T> {
  /** "message" unless the publisher named the event. */
  readonly event: string;
}

export interface DeliveryCallbacks<T> {
  /** Event names delivered to onMessage, or "*" for every name; default ["message"]. */
  readonly events?: readonly string[] | "*";
  /** Start after this id (a page that already shows messages up to it). */
  readonly lastEventId?: string;
  readonly onMessage?: (message: ReceivedMessage<T>) => void;
  /** Every message, whatever its event name, listed or not. */
  readonly onEvent?: (message: ReceivedMessage<T>) => void;
  /** The uid's unread count: once on every connect, then on every change. */
  readonly onUnread?: (unread: number) => void;
  /** The resume point was too old or unknown: reload the inbox with fetchInbox. */
  readonly onReset?: (lastEventId: string) => void;
  /** The text the hub greets every connection with. */
  readonly onGreeting?: (text: string) => void;
}

/** What a tab joining a stream another tab holds needs to catch up. */
export interface DeliverySnapshot {
  readonly lastEventId: string | undefined;
  readonly unread: number | undefined;
  readonly greeting: string | undefined;
}

export class Delivery<T> {
  private newestId: number | undefined;
  private unread: number | undefined;
  private greeting: string | undefined;
  private readonly names: Set<string> | "*";

  constructor(private readonly callbacks: DeliveryCallbacks<T>) {
    this.newestId = parseId(callbacks.lastEventId);
    this.names = callbacks.events === "*" ? "*" : new Set();
    if (callbacks.events !== "*") for (const name of callbacks.events ?? ["message"]) this.listen(name);
  }

  get lastEventId(): string | undefined {
    return this.newestId === undefined ? undefined : String(this.newestId);
  }

  get events(): readonly string[] | "*" {
    return this.names === "*" ? "*" : [...this.names];
  }

  listen(name: string): void {
    if (!EVENT_NAME_PATTERN.test(name)) throw new TypeError(`event name ${JSON.stringify(name)} must match ${EVENT_NAME_PATTERN}`);
    if (RESERVED_EVENTS.includes(name)) {
      throw new TypeError(`"${name}" is the hub's own event; use onUnread / onReset / onState`);
    }
    if (this.names !== "*") this.names.add(name);
  }

  receive(frame: Frame): void {
    const meaning = readFrame<T>(frame);
    switch (meaning.kind) {
      case "message": {
        const id = Number(meaning.message.id);
        if (this.newestId !== undefined && id <= this.newestId) return;
        this.newestId = id;
        const message: ReceivedMessage<T> = { ...meaning.message, event: meaning.event };
        if (this.names === "*" || this.names.has(meaning.event)) safely(this.callbacks.onMessage, message);
        safely(this.callbacks.onEvent, message);
        return;
      }
      case "unread": {
        const head = parseId(frame.id);
        if (head !== undefined) this.newestId = Math.max(head, this.newestId ?? 0);
        this.unread = meaning.unread;
        safely(this.callbacks.onUnread, meaning.unread);
        return;
      }
      case "reset":
        // The stream now continues from the hub's head, which may be below what we saw.
        this.newestId = parseId(meaning.lastEventId);
        safely(this.callbacks.onReset, meaning.lastEventId);
        return;
      case "greeting":
        this.greeting = meaning.text;
        safely(this.callbacks.onGreeting, meaning.text);
        return;
    }
  }

  snapshot(): DeliverySnapshot {
    return { lastEventId: this.lastEventId, unread: this.unread, greeting: this.greeting };
  }

  /**
   * Catch up with the tab that holds the stream. Behind it (a tab that was
   * frozen, or one that asked for an older lastEventId) means messages this
   * tab can no longer get: the same as a hub `reset`.
   */
  adopt(snapshot: DeliverySnapshot): void {
    const theirs = parseId(snapshot.lastEventId);
    if (theirs !== undefined && (this.newestId === undefined || theirs > this.newestId)) {
      const behind = this.newestId !== undefined;
      this.newestId = theirs;
      if (behind) safely(this.callbacks.onReset, String(theirs));
    }
    if (snapshot.greeting !== undefined && this.greeting === undefined) {
      this.greeting = snapshot.greeting;
      safely(this.callbacks.onGreeting, snapshot.greeting);
    }
    if (snapshot.unread !== undefined) {
      this.unread = snapshot.unread;
      safely(this.callbacks.onUnread, snapshot.unread);
    }
  }
}

function parseId(id: string | undefined): number | undefined {
  return id !== undefined && /^(0|[1-9][0-9]{0,15})$/.test(id) ? Number(id) : undefined;
}

/** An app callback that throws must not break the stream: its error is rethrown on its own, as a listener's would be. */
export function safely<A extends unknown[]>(callback: ((...args: A) => void) | undefined, ...args: A): void {
  if (callback === undefined) return;
  try {
    callback(...args);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
