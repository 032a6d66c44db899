// The shapes that cross the wire, shared by the Worker, the hub and the browser client.

/**
 * The recommended shape of `msg`. Any JSON may be published; this one the
 * demo page and the bell render well: the title in bold, the body below, the
 * message a link to `url`, with `icon` beside it. Every field is optional.
 */
export interface MessageContent {
  readonly title?: string;
  readonly body?: string;
  /** Where the message leads: an http(s) URL, absolute or relative to the page showing it. */
  readonly url?: string;
  /** An image URL (http or https) shown beside it. */
  readonly icon?: string;
}

/** What a subscriber receives as the `data:` of a message event. */
export interface PushMessage<T = unknown> {
  /** The hub's cursor, a decimal string; also the SSE `id:`. */
  readonly id: string;
  /** The recipient, or null for a broadcast. */
  readonly uid: string | null;
  readonly msg: T;
  /** Milliseconds since the epoch, when the hub stored it. */
  readonly ts: number;
  /** The publisher's tags, when it gave any. */
  readonly tags?: readonly string[];
  /** Milliseconds since the epoch after which the message is gone, when the publisher set one. */
  readonly expiresAt?: number;
}

/** A uid's counts: messages not read, and not seen (a bell's badge), archived and deleted ones left out. */
export interface InboxCounts {
  readonly unread: number;
  readonly unseen: number;
}

/** The `data:` of an `unread` event (named for the seed's first count; it carries both). */
export type UnreadCount = InboxCounts;

/**
 * The `data:` of a `retract` event: a message left the uid's inbox (the
 * publisher retracted it, or it expired); a page showing it removes it.
 */
export interface RetractNotice {
  readonly id: string;
  readonly reason: "retracted" | "expired";
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
  /** Sent to everyone rather than to this uid alone. */
  readonly broadcast: boolean;
  readonly tags: readonly string[];
  /** When the message expires, if the publisher set it. */
  readonly expiresAt: number | null;
  readonly seen: boolean;
  readonly read: boolean;
  readonly archived: boolean;
}

/** Which rows `GET /inbox` lists: all (but archived), unread, unseen, or only the archived. */
export type InboxStatus = "all" | "unread" | "unseen" | "archived";

export interface InboxPage<T = unknown> extends InboxCounts {
  readonly messages: InboxMessage<T>[];
  readonly next: string | null;
  /** With `?tags=`: each tag's own counts. */
  readonly byTag?: Readonly<Record<string, InboxCounts>>;
}

/** What `POST /inbox/{seen,read,archive,unarchive,delete}` do to the named messages. */
export type InboxAction = "seen" | "read" | "archive" | "unarchive" | "delete";

/** What became of a message (`GET /messages/{id}`); with shards, summed over the shards that hold a copy. */
export interface MessageReceipt {
  readonly code: 0;
  /** The id on each shard that holds it (one entry without shards). */
  readonly ids: readonly string[];
  readonly event: string;
  readonly ts: number;
  readonly broadcast: boolean;
  /** How many uids it was addressed to; null for a broadcast (everyone, now and later). */
  readonly audience: number | null;
  /** Streams it was written to when it was published. */
  readonly written: number;
  /** Recipients who have seen it, and who have read it. */
  readonly seen: number;
  readonly read: number;
}

/** `DELETE /messages/{id}`: the message left every inbox. */
export interface RetractResult {
  readonly code: 0;
  /** The ids that were removed, one per shard that held a copy. */
  readonly ids: readonly string[];
}

/** `DELETE /users/{uid}`: everything the hub kept about the uid is gone. */
export interface EraseResult {
  readonly code: 0;
  readonly uid: string;
  /** Messages addressed to this uid alone, now deleted. */
  readonly messages: number;
  /** Open streams closed. */
  readonly streams: number;
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
  /** Idempotency key: a repeat with the same key answers the first result and stores nothing; another request under it is refused (409). */
  readonly key?: string;
  /** Up to 5 short names (`^[a-z0-9_.:-]{1,32}$`) to filter and count the inbox by. */
  readonly tags?: readonly string[];
  /** Milliseconds since the epoch after which the message is gone from every inbox. */
  readonly expiresAt?: number;
  /** Or: seconds from now until it is gone. */
  readonly ttl?: number;
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
  /**
   * The idempotency key it was published under (given, or minted when
   * HUB_SHARDS > 1): `DELETE /messages/{key}` and `GET /messages/{key}` name
   * the message on every shard.
   */
  readonly key?: string;
}

/** `POST /update {messages: [...]}`: each message's answer, in order (without `code`). */
export interface BatchResult {
  readonly code: 0;
  readonly results: readonly Omit<PublishResult, "code">[];
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

/**
 * Why the hub closed streams: the client left, read too slowly, was replaced
 * by a newer tab, its token expired, or the uid was erased.
 */
export type DropReason = "gone" | "slow" | "replaced" | "expired" | "erased";

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
  /** As `POST /update {messages}`: up to 500 messages, one call. */
  publishBatch<T>(messages: readonly PublishRequest<T>[]): Promise<BatchResult | ApiError>;
  /** As `POST /token`: needs SUBSCRIBE_SECRET; ttl in seconds, 1 to 86400, default 3600. */
  signSubscriberToken(uid: string | number, ttl?: number): Promise<TokenResult | ApiError>;
  /** As `GET /stats`. */
  stats(): Promise<InboxStats | ApiError>;
}

/** Events the hub generates itself; a publisher may not use these names. */
export const UNREAD_EVENT = "unread";
export const RESET_EVENT = "reset";
export const BUSY_EVENT = "busy";
export const RETRACT_EVENT = "retract";
export const RESERVED_EVENTS: readonly string[] = [UNREAD_EVENT, RESET_EVENT, BUSY_EVENT, RETRACT_EVENT];
export const DEFAULT_EVENT = "message";
/** What a publisher may name an event: safe on an SSE `event:` line. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
