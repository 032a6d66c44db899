// When the publisher tries a call again, and after how long. Pure functions of
// their inputs (`random` is Math.random in use), so the policy is testable.
import { jitteredMs } from "../retry-delay";

export interface RetryPolicy {
  /** Attempts in all, the first one included: 1 turns retrying off. */
  readonly attempts: number;
  /** The first backoff; each next one doubles, up to maxDelayMs. */
  readonly baseDelayMs: number;
  /** The longest wait before another attempt; a longer Retry-After ends the retrying. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

/** Worth another attempt: the server failed or is shedding load (5xx), or asked us to slow down (429). */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * The wait after failed attempt number `attempt` (1 for the first): exponential,
 * with equal jitter, uniform in [cap/2, cap] where cap = base × 2^(attempt-1)
 * up to maxDelayMs, so many publishers that failed together do not retry together.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return jitteredMs(cap / 2, cap / 2, random);
}

/** A Retry-After header (delay-seconds or an HTTP-date, RFC 9110 §10.2.3) in ms from `nowMs`, or undefined. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  // HTTP-dates start with the day's name ("Tue, 01 Dec 2026 10:00:30 GMT"); Date.parse alone would take "-5".
  const date = /^[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
