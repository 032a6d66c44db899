// How long the client waits before its next attempt: exponential backoff with
// full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog), laid
// over the least wait the server asked for. Pure: the random draw is an input.

export interface RetryPolicy {
  /** The first window: the hub's latest `retry:`, or the client's default until it has spoken. */
  readonly baseMs: number;
  /** No window grows past this. */
  readonly maxMs: number;
}

export interface RetryDelay {
  /** Drawn uniformly from [floorMs, floorMs + windowMs]. */
  readonly delayMs: number;
  readonly windowMs: number;
}

/** A `retry:` below this would let a misconfigured hub spin its clients. */
export const MIN_RETRY_BASE_MS = 250;

/**
 * The wait before attempt `failures + 1`, where `failures` counts the attempts
 * that failed since the stream was last live. `floorMs` is what the server
 * asked for (Retry-After, a busy answer's retryMs); the jitter comes on top,
 * so clients the server refused together do not come back together.
 */
export function retryDelay(failures: number, policy: RetryPolicy, floorMs = 0, random: () => number = Math.random): RetryDelay {
  const baseMs = Math.max(MIN_RETRY_BASE_MS, policy.baseMs);
  const windowMs = Math.min(policy.maxMs, baseMs * 2 ** Math.min(failures, 30));
  return { delayMs: Math.round(floorMs + random() * windowMs), windowMs };
}

/** A Retry-After header (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^[0-9]{1,9}$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names its day or month; Date.parse would also take "-5" as a year.
  const date = /[A-Za-z]/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
