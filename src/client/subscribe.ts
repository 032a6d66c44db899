// subscribe(): one EventSource for one uid, its events handed out typed.
//
// EventSource dispatches a named event only to listeners registered under
// that name, and a publisher may name events freely. So the subscription
// listens to the names in `events` (default ["message"]) and to any name
// added later with `listen(name)`; the hub's own `unread` and `reset` are
// always heard. Resume is the browser's: EventSource reconnects by itself and
// sends `Last-Event-ID`, and the hub replays what was missed. Ids only grow on
// a uid's stream, so anything at or below the newest id seen is a duplicate
// and is dropped here.
import {
  DEFAULT_EVENT,
  EVENT_NAME_PATTERN,
  type PushMessage,
  RESERVED_EVENTS,
  RESET_EVENT,
  type ResetNotice,
  UNREAD_EVENT,
  type UnreadCount,
} from "../messages";
import { endpoint, type InboxTarget } from "./endpoint";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "closed";

/** A delivered message with the name it was published under. */
export interface ReceivedMessage<T = unknown> extends PushMessage<T> {
  /** "message" unless the publisher named the event. */
  readonly event: string;
}

export interface SubscribeOptions<T = unknown> extends InboxTarget {
  /** Event names to deliver to onMessage; default ["message"]. */
  readonly events?: readonly string[];
  /** Start after this id (a page that already shows messages up to it). */
  readonly lastEventId?: string;
  readonly onMessage?: (message: ReceivedMessage<T>) => void;
  /** The uid's unread count: once on every connect, then on every change. */
  readonly onUnread?: (unread: number) => void;
  /** The resume point was too old or unknown: reload the inbox with fetchInbox. */
  readonly onReset?: (lastEventId: string) => void;
  /** The text the hub greets every connection with. */
  readonly onGreeting?: (text: string) => void;
  readonly onState?: (state: ConnectionState) => void;
}

export interface Subscription {
  readonly state: ConnectionState;
  /** The newest message id delivered so far. */
  readonly lastEventId: string | undefined;
  /** The event names delivered to onMessage. */
  readonly events: readonly string[];
  /** Deliver events of this name too, from now on. */
  listen(event: string): void;
  /** Stop for good: the connection closes and no callback runs again. */
  close(): void;
}

export function subscribe<T = unknown>(options: SubscribeOptions<T>): Subscription {
  const source = new EventSource(endpoint(options, "/push", { lastEventId: options.lastEventId }));
  const events: string[] = [];
  let state: ConnectionState = "connecting";
  let newestId = options.lastEventId === undefined ? 0 : Number(options.lastEventId) || 0;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    options.onState?.(next);
  };

  const onNamedEvent = (event: Event) => {
    const { type, data } = event as MessageEvent;
    const message = parsePushMessage<T>(String(data));
    if (message === undefined) {
      // The greeting is the one `message` event that is not a message: it has no id.
      if (type === DEFAULT_EVENT) options.onGreeting?.(String(data));
      return;
    }
    const id = Number(message.id);
    if (id <= newestId) return;
    newestId = id;
    options.onMessage?.({ ...message, event: type });
  };

  const listen = (name: string) => {
    if (!EVENT_NAME_PATTERN.test(name)) throw new TypeError(`event name ${JSON.stringify(name)} must match ${EVENT_NAME_PATTERN}`);
    if (RESERVED_EVENTS.includes(name)) throw new TypeError(`"${name}" is the hub's own event; use onUnread / onReset`);
    if (events.includes(name)) return;
    events.push(name);
    source.addEventListener(name, onNamedEvent);
  };

  source.addEventListener("open", () => setState("live"));
  source.addEventListener("error", () => setState(source.readyState === EventSource.CLOSED ? "closed" : "reconnecting"));
  source.addEventListener(UNREAD_EVENT, (event) => {
    const count = parseJson<UnreadCount>((event as MessageEvent).data);
    if (typeof count?.unread === "number") options.onUnread?.(count.unread);
  });
  source.addEventListener(RESET_EVENT, (event) => {
    const notice = parseJson<ResetNotice>((event as MessageEvent).data);
    if (typeof notice?.lastEventId !== "string") return;
    // The stream now continues from the hub's head, which may be below what we saw.
    newestId = Number(notice.lastEventId);
    options.onReset?.(notice.lastEventId);
  });
  for (const name of options.events ?? [DEFAULT_EVENT]) listen(name);

  return {
    get state() {
      return state;
    },
    get lastEventId() {
      return newestId === 0 ? undefined : String(newestId);
    },
    events,
    listen,
    close() {
      source.close();
      setState("closed");
    },
  };
}

function parseJson<T>(text: unknown): Partial<T> | undefined {
  try {
    const value: unknown = JSON.parse(String(text));
    return typeof value === "object" && value !== null ? (value as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

function parsePushMessage<T>(text: string): PushMessage<T> | undefined {
  const value = parseJson<PushMessage<T>>(text);
  if (typeof value?.id !== "string" || typeof value.ts !== "number" || !("msg" in value)) return undefined;
  return { id: value.id, uid: value.uid ?? null, msg: value.msg as T, ts: value.ts };
}
