// How long a browser waits before it reconnects. Pure functions of their
// inputs (`random` is Math.random in production), so the spread is testable.

/** Past this, a refused browser is told to wait no longer (its own backoff may still add more). */
export const MAX_BUSY_RETRY_MS = 120_000;

/** Uniform in [baseMs, baseMs + spreadMs], whole milliseconds. */
export function jitteredMs(baseMs: number, spreadMs: number, random: () => number = Math.random): number {
  return Math.floor(baseMs + random() * (spreadMs + 1));
}

/**
 * A full hub's answer: the further demand (open streams plus connects
 * refused recently) exceeds capacity, the longer the wait, growing with the
 * square of the excess, jittered over [base, 2 × base] so the refused crowd
 * does not come back in step.
 */
export function fullHubRetryMs(retryMs: number, demand: number, capacity: number, random: () => number = Math.random): number {
  const excess = Math.max(1, demand / Math.max(1, capacity));
  const base = Math.min(MAX_BUSY_RETRY_MS / 2, Math.max(retryMs, 1000) * excess * excess);
  return Math.min(MAX_BUSY_RETRY_MS, jitteredMs(base, base, random));
}

/** A hub that failed or is restarting: [R, 2R]; an overloaded one: [2R, 4R], to let it recover. */
export function failedHubRetryMs(overloaded: boolean, retryMs: number, random: () => number = Math.random): number {
  const base = Math.max(retryMs, 1000) * (overloaded ? 2 : 1);
  return jitteredMs(base, base, random);
}
