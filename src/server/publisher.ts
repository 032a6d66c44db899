// The publisher SDK: what a backend needs to talk to edge-inbox from any
// runtime with fetch and Web Crypto (Node ≥ 20, Workers, Deno, Bun).
// Every call is retried on network errors, 5xx and 429 (honouring Retry-After)
// with exponential backoff and jitter; a publish carries an idempotency key, so
// a retry of one that did arrive answers the first result and stores nothing.
// The other calls are idempotent by nature: a retract or erase made twice acts once.
import { DEFAULT_TOKEN_TTL_SECONDS, issueSubscriberToken, MAX_TOKEN_TTL_SECONDS } from "../auth/subscriber-token";
import type {
  ApiError,
  BatchResult,
  EraseResult,
  InboxStats,
  MessageReceipt,
  Presence,
  PublishRequest,
  PublishResult,
  RetractResult,
  SubscriberToken,
  TokenResult,
} from "../messages";
import { PublisherError } from "./errors";
import { backoffMs, DEFAULT_RETRY, isRetryableStatus, type RetryPolicy, retryAfterMs } from "./retry";

export interface PublisherOptions {
  /** The Worker's base URL, e.g. "https://inbox.example.com". */
  readonly url: string;
  /** The Worker's PUBLISH_TOKEN. */
  readonly token: string;
  /** The Worker's SUBSCRIBE_SECRET: only signSubscriberToken needs it (it signs here, with no call). */
  readonly subscribeSecret?: string;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Default: 4 attempts, backoff from 250 ms doubling up to 10 s. */
  readonly retry?: Partial<RetryPolicy>;
  /** How long one attempt may take, answer body included; default 10 s. */
  readonly timeoutMs?: number;
}

export interface CallOptions {
  /** Aborts the call, retries and waits included; the call then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface Publisher {
  /** `POST /update`, with an idempotency key: `request.key`, or a new random one. */
  publish<T>(request: PublishRequest<T>, options?: CallOptions): Promise<PublishResult>;
  /**
   * `POST /update {messages}`: up to 500 publishes in one call, answered in
   * order. Each message without a `key` gets a new random one, so a retry
   * stores and delivers none of them twice.
   */
  publishBatch(messages: readonly PublishRequest[], options?: CallOptions): Promise<BatchResult>;
  /** `POST /token`: the Worker signs a subscriber token (ttl in seconds, default 3600). */
  mintToken(uid: string | number, ttl?: number, options?: CallOptions): Promise<TokenResult>;
  /** The same token as mintToken, signed here with `subscribeSecret`: no call, no network. */
  signSubscriberToken(uid: string | number, ttl?: number): Promise<SubscriberToken>;
  /** `GET /stats`: counters summed over every shard, and each shard's. */
  stats(options?: CallOptions): Promise<InboxStats>;
  /** `GET /stats?uid=`: whether uid has open streams now. */
  presence(uid: string | number, options?: CallOptions): Promise<Presence>;
  /**
   * `DELETE /messages/{id}`: the message leaves every inbox and open tabs are told.
   * Name it by its id (one hub) or the key it was published under (always).
   * A PublisherError with status 404 after more than one attempt means an
   * earlier attempt whose answer was lost already retracted it.
   */
  retract(idOrKey: string, options?: CallOptions): Promise<RetractResult>;
  /** `GET /messages/{id}`: its audience, the streams it was written to, and how many recipients saw and read it. */
  receipt(idOrKey: string, options?: CallOptions): Promise<MessageReceipt>;
  /** `DELETE /users/{uid}`: the uid's state, its own messages and its open streams are gone (a data-removal request). */
  eraseUser(uid: string | number, options?: CallOptions): Promise<EraseResult>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function createPublisher(options: PublisherOptions): Publisher {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const authorization = `Bearer ${options.token}`;

  async function call<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ) {
    const url = new URL(path, options.url);
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(doFetch, url, method, body, { Authorization: authorization, ...headers }, timeoutMs, signal);
      if (outcome.kind === "answer" && outcome.ok) return outcome.body as T;
      const retryable = outcome.kind === "unreachable" || isRetryableStatus(outcome.status);
      const asked = outcome.kind === "answer" ? retryAfterMs(outcome.retryAfter, Date.now()) : undefined;
      if (!retryable || attempt >= policy.attempts || (asked !== undefined && asked > policy.maxDelayMs)) {
        throw failure(url, outcome, attempt, asked !== undefined && asked > policy.maxDelayMs ? asked : undefined);
      }
      await sleep(asked ?? backoffMs(attempt, policy), signal);
    }
  }

  return {
    publish(request, { signal } = {}) {
      // In the body, not the Idempotency-Key header: a header cannot carry every string a key may be.
      return call<PublishResult>("POST", "/update", { ...request, key: request.key ?? crypto.randomUUID() }, {}, signal);
    },
    publishBatch(messages, { signal } = {}) {
      const keyed = messages.map((message) => ({ ...message, key: message.key ?? crypto.randomUUID() }));
      return call<BatchResult>("POST", "/update", { messages: keyed }, {}, signal);
    },
    mintToken(uid, ttl, { signal } = {}) {
      return call<TokenResult>("POST", "/token", { uid, ttl }, {}, signal);
    },
    async signSubscriberToken(uid, ttl = DEFAULT_TOKEN_TTL_SECONDS) {
      if (options.subscribeSecret === undefined)
        throw new TypeError("signSubscriberToken needs subscribeSecret (the Worker's SUBSCRIBE_SECRET)");
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
        throw new RangeError(`ttl must be whole seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
      }
      return issueSubscriberToken(options.subscribeSecret, uidText(uid), ttl);
    },
    stats({ signal } = {}) {
      return call<InboxStats>("GET", "/stats", undefined, {}, signal);
    },
    async presence(uid, { signal } = {}) {
      return call<Presence>("GET", `/stats?${new URLSearchParams({ uid: uidText(uid) })}`, undefined, {}, signal);
    },
    async retract(idOrKey, { signal } = {}) {
      return call<RetractResult>("DELETE", messagePath(idOrKey), undefined, {}, signal);
    },
    async receipt(idOrKey, { signal } = {}) {
      return call<MessageReceipt>("GET", messagePath(idOrKey), undefined, {}, signal);
    },
    async eraseUser(uid, { signal } = {}) {
      return call<EraseResult>("DELETE", `/users/${encodeURIComponent(uidText(uid))}`, undefined, {}, signal);
    },
  };
}

type Outcome =
  | { readonly kind: "answer"; readonly ok: boolean; readonly status: number; readonly body: unknown; readonly retryAfter: string | null }
  | { readonly kind: "unreachable"; readonly cause: unknown };

/** One request, its answer read in full within timeoutMs. Only the caller's own abort is thrown. */
async function attemptOnce(
  doFetch: typeof fetch,
  url: URL,
  method: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<Outcome> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")), timeoutMs);
  const forwardAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", forwardAbort, { once: true });
  try {
    const response = await doFetch(url, {
      method,
      headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    const text = await response.text();
    return {
      kind: "answer",
      ok: response.ok,
      status: response.status,
      body: parseJson(text),
      retryAfter: response.headers.get("retry-after"),
    };
  } catch (cause) {
    signal?.throwIfAborted();
    return { kind: "unreachable", cause };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forwardAbort);
  }
}

function failure(url: URL, outcome: Outcome, attempts: number, retryAfter: number | undefined): PublisherError {
  const tries = attempts === 1 ? "" : ` (after ${attempts} attempts)`;
  if (outcome.kind === "unreachable") {
    const reason = outcome.cause instanceof Error ? outcome.cause.message : String(outcome.cause);
    return new PublisherError(`could not reach ${url.origin}: ${reason}${tries}`, null, attempts, undefined, { cause: outcome.cause });
  }
  const error = (outcome.body as Partial<ApiError> | undefined)?.error;
  const text = typeof error === "string" ? error : `${url.pathname} answered ${outcome.status}`;
  return new PublisherError(`${text}${tries}`, outcome.status, attempts, retryAfter);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The path naming a message by id or key; a key may hold any character, so it is encoded. */
function messagePath(idOrKey: string): string {
  if (typeof idOrKey !== "string" || idOrKey === "") throw new TypeError("name the message by its id or its key, a non-empty string");
  return `/messages/${encodeURIComponent(idOrKey)}`;
}

function uidText(uid: string | number): string {
  if (typeof uid === "number" ? !Number.isSafeInteger(uid) : typeof uid !== "string" || uid === "") {
    throw new TypeError("uid must be a non-empty string or a safe integer");
  }
  return String(uid);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
