// What a subscription tells its app about the stream: a state and, whenever
// the stream is not live, a typed reason with the server's own words.
import type { BusyReason } from "../messages";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "closed";

/** Why the stream is being retried: the client comes back by itself. */
export type RetryReason =
  /** The request failed or the connection broke (offline, DNS, reset, a CORS refusal). */
  | "network"
  /** The hub ended the stream (a deploy, a replaced tab, a token that expired on the server's clock). */
  | "ended"
  /** Nothing arrived for the watchdog's interval: a half-open connection, aborted. */
  | "heartbeat"
  /** The hub answered `busy` (full, overloaded, unavailable); see `busy`. */
  | "busy"
  /** A 5xx answer. */
  | "server-error"
  /** A 429 answer. */
  | "rate-limited"
  /** A 2xx that was not an event stream, e.g. a captive portal's page. */
  | "unexpected-answer"
  /** The token is renewed through getToken() (expiring soon, or refused with 401); resumes at once. */
  | "token-refresh"
  /** getToken() threw or gave no token. */
  | "token-error";

/** Why the client stopped for good: retrying the same request cannot help. */
export type StopReason =
  /** 400: the uid or another input is wrong. */
  | "bad-request"
  /** 401 without getToken(), or with a token getToken() had just given. */
  | "unauthorized"
  /** 403. */
  | "forbidden"
  /** Another 4xx (404, 405, …): the URL or the server is not an edge-inbox. */
  | "refused"
  /** close() was called. */
  | "closed";

export type StreamReason = RetryReason | StopReason;

export interface StateChange {
  readonly state: ConnectionState;
  /** Why the stream is not live: set while reconnecting and closed, and while connecting after a failure. */
  readonly reason?: StreamReason;
  /** The HTTP status of the answer that caused it, when there was one. */
  readonly status?: number;
  /** The hub's own reason when `reason` is "busy". */
  readonly busy?: BusyReason;
  /** The server's words (the `error` of its JSON or busy event) or the network error's. */
  readonly message?: string;
  /** Reconnecting: when the next attempt starts (ms since the epoch), and how long that is from now. */
  readonly retryAt?: number;
  readonly retryInMs?: number;
  /** Attempts that failed in a row since the stream was last live. */
  readonly failures: number;
  /** Whether this tab holds the stream itself (false: another tab holds it and relays it here). */
  readonly leader: boolean;
}
