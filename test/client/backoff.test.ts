import { describe, expect, it } from "vitest";
import { MIN_RETRY_BASE_MS, retryAfterMs, retryDelay } from "../../src/client/backoff";

const fixed = (value: number) => () => value;
const policy = { baseMs: 1000, maxMs: 30_000 };

describe("the client's backoff", () => {
  it("doubles its window with every failure in a row, up to the cap", () => {
    const windows = [0, 1, 2, 3, 4, 5, 6].map((failures) => retryDelay(failures, policy, 0, fixed(0)).windowMs);
    expect(windows).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(retryDelay(5000, policy, 0, fixed(1)).windowMs).toBe(30_000);
  });

  it("draws the delay uniformly from the whole window (full jitter), above the server's floor", () => {
    expect(retryDelay(2, policy, 0, fixed(0)).delayMs).toBe(0);
    expect(retryDelay(2, policy, 0, fixed(0.5)).delayMs).toBe(2000);
    expect(retryDelay(2, policy, 0, fixed(1)).delayMs).toBe(4000);
    expect(retryDelay(2, policy, 5000, fixed(0)).delayMs).toBe(5000);
    expect(retryDelay(2, policy, 5000, fixed(0.25)).delayMs).toBe(6000);
  });

  it("takes the hub's retry: as its first window, never below the minimum", () => {
    expect(retryDelay(0, { baseMs: 4217, maxMs: 30_000 }, 0, fixed(1)).delayMs).toBe(4217);
    expect(retryDelay(0, { baseMs: 0, maxMs: 30_000 }, 0, fixed(1)).windowMs).toBe(MIN_RETRY_BASE_MS);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    expect(retryAfterMs("5", now)).toBe(5000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("Tue, 01 Dec 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Tue, 01 Dec 2026 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("-5", now)).toBeUndefined();
  });
});
