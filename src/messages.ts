// The shapes that cross the wire, shared by the Worker, the hub and the browser client.

/** What a subscriber receives as the `data:` of a message event. */
export interface PushMessage<T = unknown> {
  /** The hub's cursor, a decimal string; also the SSE `id:`. */
  readonly id: string;
  /** The recipient, or null for a broadcast. */
  readonly uid: string | null;
  readonly msg: T;
  /** Milliseconds since the epoch, when the hub stored it. */
  readonly ts: number;
}

/** The `data:` of an `unread` event. */
export interface UnreadCount {
  readonly unread: number;
}

/** The `data:` of a `reset` event: the resume point the stream continues from. */
export interface ResetNotice {
  readonly lastEventId: string;
}

/** One row of `GET /inbox`. */
export interface InboxMessage<T = unknown> {
  readonly id: string;
  readonly event: string;
  readonly msg: T;
  readonly ts: number;
  readonly read: boolean;
}

export interface InboxPage<T = unknown> {
  readonly messages: InboxMessage<T>[];
  readonly unread: number;
  readonly next: string | null;
}

/** Why a stream was turned away for now: the hub is full, overloaded, restarting or failed. */
export type BusyReason = "full" | "overloaded" | "unavailable" | "error";

/**
 * The `data:` of a `busy` event: `/push` could not serve the stream right now.
 * The answer is still 200 so EventSource reconnects by itself after `retryMs`.
 */
export interface BusyNotice {
  readonly reason: BusyReason;
  readonly error: string;
  readonly retryMs: number;
}

/** The body of every non-2xx answer. */
export interface ApiError {
  readonly code: number;
  readonly error: string;
}

export interface PublishResult {
  readonly code: 0;
  readonly id: string;
  readonly delivered: number;
}

/** Events the hub generates itself; a publisher may not use these names. */
export const UNREAD_EVENT = "unread";
export const RESET_EVENT = "reset";
export const BUSY_EVENT = "busy";
export const RESERVED_EVENTS: readonly string[] = [UNREAD_EVENT, RESET_EVENT, BUSY_EVENT];
export const DEFAULT_EVENT = "message";
/** What a publisher may name an event: safe on an SSE `event:` line. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
