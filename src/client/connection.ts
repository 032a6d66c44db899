// One stream to the hub, kept open: fetch GET /push, read it with
// eventsource-parser, hand every event on in order; when it breaks, come back
// after a backoff with the last id and a valid token, until closed or refused
// for good. Runs wherever fetch streams (browsers, Node >= 20, Workers).
import { createParser } from "eventsource-parser";
import type { BusyNotice } from "../messages";
import { type AttemptOutcome, apiErrorMessage, refusalOutcome } from "./answer";
import { retryAfterMs, retryDelay } from "./backoff";
import { endpoint, fetcherOf, type InboxTarget, requestHeaders } from "./endpoint";
import { type Frame, readFrame, statedHeartbeatMs } from "./frames";
import type { StateChange } from "./state";
import type { TokenSource } from "./token-source";
import { Watchdog } from "./watchdog";

/** No byte for this many heartbeat intervals: the connection is dead. */
export const SILENT_HEARTBEATS = 2.5;
/** The hub pings at least every 25 s (HEARTBEAT_MS's ceiling): the limit until it states its own. */
export const DEFAULT_SILENCE_LIMIT_MS = SILENT_HEARTBEATS * 25_000;

export type ConnectionChange = Omit<StateChange, "leader">;

export interface ConnectionOptions {
  readonly target: InboxTarget;
  readonly tokens: TokenSource | undefined;
  /** Overrides SILENT_HEARTBEATS × the interval the hub states. */
  readonly heartbeatTimeoutMs: number | undefined;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Carry on with a backoff another tab began, rather than from zero. */
  readonly continueBackoff?: { readonly failures: number; readonly retryAt?: number };
  /** The id to resume after, read before every attempt. */
  resumeFrom(): string | undefined;
  onFrame(frame: Frame): void;
  onState(change: ConnectionChange): void;
  /** Bytes arrived, pings included. */
  onAlive?(): void;
}

export interface Connection {
  /** The current silence limit: what the watchdog allows between two bytes. */
  readonly silenceLimitMs: number;
  close(): void;
}

// Why the client aborted a request itself.
const CLOSED = "closed";
const SILENT = "silent";
const RENEWING = "renewing";

export function openConnection(options: ConnectionOptions): Connection {
  const connection = new StreamConnection(options);
  void connection.run();
  return connection;
}

class StreamConnection implements Connection {
  private closed = false;
  private failures: number;
  private baseMs: number;
  private statedHeartbeatMs: number | undefined;
  private renewedAfterRefusal = false;
  private request: AbortController | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: ConnectionOptions) {
    this.failures = options.continueBackoff?.failures ?? 0;
    this.baseMs = options.retryBaseMs;
  }

  get silenceLimitMs(): number {
    return (
      this.options.heartbeatTimeoutMs ??
      (this.statedHeartbeatMs === undefined ? DEFAULT_SILENCE_LIMIT_MS : SILENT_HEARTBEATS * this.statedHeartbeatMs)
    );
  }

  close(): void {
    this.closed = true;
    this.request?.abort(CLOSED);
    this.wake?.();
  }

  async run(): Promise<void> {
    const retryAt = this.options.continueBackoff?.retryAt;
    if (retryAt !== undefined) await this.sleep(retryAt - Date.now());
    let previous: AttemptOutcome | undefined;
    while (!this.closed) {
      this.options.onState({ state: "connecting", failures: this.failures, ...(previous && problemOf(previous)) });
      const outcome = await this.attempt();
      if (this.closed) return;
      if (outcome.kind === "stop") {
        this.closed = true;
        this.options.onState({ state: "closed", failures: this.failures, ...problemOf(outcome) });
        return;
      }
      previous = outcome;
      if (outcome.immediate) continue;
      const { delayMs } = retryDelay(this.failures, { baseMs: this.baseMs, maxMs: this.options.retryMaxMs }, outcome.floorMs);
      this.failures++;
      this.options.onState({
        state: "reconnecting",
        failures: this.failures,
        ...problemOf(outcome),
        retryAt: Date.now() + delayMs,
        retryInMs: delayMs,
      });
      await this.sleep(delayMs);
    }
  }

  private async attempt(): Promise<AttemptOutcome> {
    let token: string | undefined;
    try {
      token = await this.options.tokens?.current();
    } catch (error) {
      return { kind: "retry", reason: "token-error", message: errorText(error), floorMs: 0 };
    }
    if (this.closed) return { kind: "stop", reason: "closed" };
    const request = new AbortController();
    this.request = request;
    const watchdog = new Watchdog(this.silenceLimitMs, () => request.abort(SILENT));
    let renewal: ReturnType<typeof setTimeout> | undefined;
    try {
      const lastEventId = this.options.resumeFrom();
      const headers = requestHeaders(
        token,
        lastEventId === undefined ? { Accept: "text/event-stream" } : { Accept: "text/event-stream", "Last-Event-ID": lastEventId },
      );
      const response = await fetcherOf(this.options.target)(endpoint(this.options.target, "/push"), { headers, signal: request.signal });
      watchdog.touch();
      if (!response.ok) return await this.refused(response);
      if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream") || response.body === null) {
        await response.body?.cancel();
        return {
          kind: "retry",
          reason: "unexpected-answer",
          status: response.status,
          message: "the answer was not an event stream",
          floorMs: 0,
        };
      }
      return await this.read(response.body, watchdog, () => {
        renewal = this.scheduleRenewal(request);
      });
    } catch (error) {
      if (request.signal.aborted) return abortOutcome(request.signal.reason);
      return { kind: "retry", reason: "network", message: errorText(error), floorMs: 0 };
    } finally {
      watchdog.stop();
      if (renewal !== undefined) clearTimeout(renewal);
      this.request = undefined;
    }
  }

  /** A non-2xx answer: its JSON `error` and Retry-After decide what comes next. */
  private async refused(response: Response): Promise<AttemptOutcome> {
    const message = apiErrorMessage(response.status, await response.text());
    const canRenew = response.status === 401 && this.options.tokens?.renewable === true && !this.renewedAfterRefusal;
    const outcome = refusalOutcome(response.status, message, retryAfterMs(response.headers.get("retry-after"), Date.now()), canRenew);
    if (outcome.kind === "retry" && outcome.reason === "token-refresh") {
      // Renew once; a token getToken() has just given that is refused too means getToken() is wrong.
      this.renewedAfterRefusal = true;
      try {
        await this.options.tokens!.renew();
      } catch (error) {
        return { kind: "retry", reason: "token-error", status: 401, message: errorText(error), floorMs: 0 };
      }
    }
    return outcome;
  }

  private async read(body: ReadableStream<Uint8Array>, watchdog: Watchdog, onLive: () => void): Promise<AttemptOutcome> {
    let busy: BusyNotice | undefined;
    let live = false;
    const parser = createParser({
      onRetry: (ms) => {
        this.baseMs = ms;
      },
      onComment: (comment) => {
        const heartbeatMs = statedHeartbeatMs(comment);
        if (heartbeatMs === undefined) return;
        this.statedHeartbeatMs = heartbeatMs;
        watchdog.setLimit(this.silenceLimitMs);
      },
      onEvent: ({ id, event, data }) => {
        const frame: Frame = { id, event, data };
        const meaning = readFrame(frame);
        if (meaning.kind === "busy") busy = meaning.notice;
        // The opening unread count ends the opening bytes: replay is done, the stream is live.
        if (meaning.kind === "unread" && !live) {
          live = true;
          this.failures = 0;
          this.renewedAfterRefusal = false;
          this.options.onState({ state: "live", failures: 0 });
          onLive();
        }
        this.options.onFrame(frame);
      },
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      watchdog.touch();
      this.options.onAlive?.();
      parser.feed(decoder.decode(value, { stream: true }));
    }
    if (busy !== undefined) {
      return { kind: "retry", reason: "busy", status: 200, busy: busy.reason, message: busy.error, floorMs: busy.retryMs };
    }
    return { kind: "retry", reason: "ended", floorMs: 0 };
  }

  /** Before the token expires, get a new one and reconnect with it; the stream resumes from its last id. */
  private scheduleRenewal(request: AbortController): ReturnType<typeof setTimeout> | undefined {
    const tokens = this.options.tokens;
    const renewInMs = tokens?.renewInMs();
    // A token already due right after current() renewed it is short-lived or the clocks disagree:
    // renewing it again would reconnect in a loop, so the hub's own expiry and the 401 path decide.
    if (tokens === undefined || renewInMs === undefined || renewInMs <= 0) return undefined;
    return setTimeout(() => {
      tokens.renew().then(
        () => request.abort(RENEWING),
        // The stream stays valid until the token expires; then the hub ends it and the 401 path renews.
        () => {},
      );
    }, renewInMs);
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

function abortOutcome(reason: unknown): AttemptOutcome {
  if (reason === SILENT) return { kind: "retry", reason: "heartbeat", message: "nothing arrived within the heartbeat limit", floorMs: 0 };
  if (reason === RENEWING)
    return { kind: "retry", reason: "token-refresh", message: "the token was renewed before it expired", floorMs: 0, immediate: true };
  return { kind: "stop", reason: "closed" };
}

/** The part of an outcome a StateChange reports. */
function problemOf(outcome: AttemptOutcome): Pick<StateChange, "reason" | "status" | "busy" | "message"> {
  const { reason, status, message } = outcome;
  const busy = outcome.kind === "retry" ? outcome.busy : undefined;
  return {
    reason,
    ...(status !== undefined && { status }),
    ...(busy !== undefined && { busy }),
    ...(message !== undefined && { message }),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
