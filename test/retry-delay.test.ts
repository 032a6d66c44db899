import { describe, expect, it } from "vitest";
import { failedHubRetryMs, fullHubRetryMs, jitteredMs, MAX_BUSY_RETRY_MS } from "../src/retry-delay";

const fixed = (value: number) => () => value;

describe("reconnect delays", () => {
  it("draws a stream's retry uniformly from [base, base + spread]", () => {
    expect(jitteredMs(3000, 3000, fixed(0))).toBe(3000);
    expect(jitteredMs(3000, 3000, fixed(0.5))).toBe(4500);
    expect(jitteredMs(3000, 3000, fixed(0.999999))).toBe(6000);
    expect(jitteredMs(3000, 0, fixed(0.7))).toBe(3000);
  });

  it("tells a full hub's refused browsers to wait longer the further demand exceeds capacity", () => {
    const at = (demand: number) => fullHubRetryMs(3000, demand, 100, fixed(0));
    expect(at(100)).toBe(3000);
    expect(at(150)).toBe(6750);
    expect(at(200)).toBe(12000);
    expect(at(100_000)).toBe(MAX_BUSY_RETRY_MS / 2);
    expect(fullHubRetryMs(3000, 100_000, 100, fixed(0.999999))).toBe(MAX_BUSY_RETRY_MS);
    // Jittered over [base, 2 × base].
    expect(fullHubRetryMs(3000, 200, 100, fixed(0.5))).toBe(18000);
  });

  it("backs off twice as long from an overloaded hub as from one that failed or restarts", () => {
    expect(failedHubRetryMs(false, 3000, fixed(0))).toBe(3000);
    expect(failedHubRetryMs(true, 3000, fixed(0))).toBe(6000);
    expect(failedHubRetryMs(true, 3000, fixed(0.999999))).toBe(12000);
  });
});
