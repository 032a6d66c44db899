// The publisher SDK's retry policy (src/server/retry.ts): which answers are
// retried, how long it backs off, how it reads Retry-After.
import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY, isRetryableStatus, retryAfterMs } from "../src/server/retry";

describe("isRetryableStatus", () => {
  it("retries 5xx and 429, nothing else", () => {
    expect([500, 502, 503, 504, 429].map(isRetryableStatus)).toEqual([true, true, true, true, true]);
    expect([200, 400, 401, 404, 405, 409, 413, 415].map(isRetryableStatus)).toEqual(Array(8).fill(false));
  });
});

describe("backoffMs", () => {
  const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };

  it("doubles per attempt, jittered over the upper half, and stops growing at maxDelayMs", () => {
    const lowest = [1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, policy, () => 0));
    const highest = [1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, policy, () => 0.999_999));
    expect(lowest).toEqual([50, 100, 200, 400, 500, 500]);
    expect(highest).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("defaults to four attempts from 250 ms", () => {
    expect(DEFAULT_RETRY).toEqual({ attempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 });
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-12-01T10:00:00Z");

  it("reads delay-seconds and HTTP-dates", () => {
    expect(retryAfterMs("5", now)).toBe(5000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("Tue, 01 Dec 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Tue, 01 Dec 2026 09:59:00 GMT", now)).toBe(0);
  });

  it("ignores what is neither", () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("-5", now)).toBeUndefined();
  });
});
