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

/** The body of `POST /update` (and of the service binding's `publish`). */
export interface PublishRequest<T = unknown> {
  /** One recipient; a safe integer is taken as its decimal string. */
  readonly uid?: string | number;
  /** Several recipients (at most 1000). */
  readonly uids?: readonly (string | number)[];
  /** Everyone: wins over uid/uids. */
  readonly isAll?: boolean;
  /** The payload: any JSON value. */
  readonly msg: T;
  /** The SSE event name; default "message". */
  readonly event?: string;
  /** Idempotency key: a repeat with the same key answers the first result and stores nothing. */
  readonly key?: string;
}

export interface PublishResult {
  readonly code: 0;
  /** The message's id: the first recipient's, so a one-uid publish answers the id its streams see. */
  readonly id: string;
  /** How many open streams it was written to now. */
  readonly delivered: number;
  /**
   * With HUB_SHARDS > 1 each shard stores its own copy under its own id:
   * `ids[s]` is the id on shard `s`, null where no recipient lives.
   */
  readonly ids?: readonly (string | null)[];
}

/** A subscriber token for one uid (`POST /token`, or signed by the SDK or the service binding). */
export interface SubscriberToken {
  readonly uid: string;
  readonly token: string;
  /** Unix seconds after which the Worker refuses it. */
  readonly exp: number;
}

/** The answer of `POST /token`. */
export interface TokenResult extends SubscriberToken {
  readonly code: 0;
}

/** Why the hub closed streams: the client left, read too slowly, was replaced by a newer tab, or its token expired. */
export type DropReason = "gone" | "slow" | "replaced" | "expired";

/** One hub object's counters since it started. */
export interface ShardStats {
  readonly streams: number;
  readonly users: number;
  readonly published: number;
  readonly delivered: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/** `GET /stats`: the sums over every shard, and each shard's own. */
export interface InboxStats extends ShardStats {
  readonly shards: readonly ShardStats[];
}

/** `GET /stats?uid=`: whether a uid has open streams right now. */
export interface Presence {
  readonly uid: string;
  readonly online: boolean;
  readonly tabs: number;
}

/**
 * What another Worker on the same account may call through a service binding
 * to the `InboxService` entrypoint: publishing without HTTP and without a
 * token. Each method answers what its route answers: the result, or the
 * route's `{code, error}` for a refusal (check with `"error" in answer`).
 */
export interface InboxBinding {
  /** As `POST /update`. */
  publish<T>(request: PublishRequest<T>): Promise<PublishResult | ApiError>;
  /** As `POST /token`: needs SUBSCRIBE_SECRET; ttl in seconds, 1 to 86400, default 3600. */
  signSubscriberToken(uid: string | number, ttl?: number): Promise<TokenResult | ApiError>;
  /** As `GET /stats`. */
  stats(): Promise<InboxStats | ApiError>;
}

/** Events the hub generates itself; a publisher may not use these names. */
export const UNREAD_EVENT = "unread";
export const RESET_EVENT = "reset";
export const BUSY_EVENT = "busy";
export const RESERVED_EVENTS: readonly string[] = [UNREAD_EVENT, RESET_EVENT, BUSY_EVENT];
export const DEFAULT_EVENT = "message";
/** What a publisher may name an event: safe on an SSE `event:` line. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
