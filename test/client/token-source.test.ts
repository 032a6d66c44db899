import { describe, expect, it } from "vitest";
import { TokenSource, tokenExpiresAt, tokenSourceFor } from "../../src/client/token-source";

const tokenExpiringAt = (ms: number) => `MQ.${Math.floor(ms / 1000)}.c2lnbmF0dXJl`;

describe("the client's subscriber token", () => {
  it("reads the expiry of an edge-inbox token, and of nothing else", () => {
    expect(tokenExpiresAt("MQ.1764053600.3q2-7w")).toBe(1_764_053_600_000);
    expect(tokenExpiresAt("an-opaque-token")).toBeUndefined();
    expect(tokenExpiresAt("a.b.c.d")).toBeUndefined();
  });

  it("renews a fifth of the life before expiry (1–60 s), never before half the life has passed", () => {
    const now = Date.now();
    const hour = new TokenSource(tokenExpiringAt(now + 3_600_000), () => "next");
    expect(hour.renewInMs(now)).toBeGreaterThan(3_540_000 - 1000);
    expect(hour.renewInMs(now)).toBeLessThanOrEqual(3_540_000);
    const tenSeconds = new TokenSource(tokenExpiringAt(now + 10_000), () => "next");
    expect(tenSeconds.renewInMs(now)).toBeGreaterThan(7000);
    expect(tenSeconds.renewInMs(now)).toBeLessThanOrEqual(8000);
    const oneSecond = new TokenSource(tokenExpiringAt(now + 1999), () => "next");
    expect(oneSecond.renewInMs(now)).toBeGreaterThan(0);
    // Nothing to renew with, or no known expiry: no renewal is planned.
    expect(new TokenSource(tokenExpiringAt(now + 10_000), undefined).renewInMs(now)).toBeUndefined();
    expect(new TokenSource("opaque", () => "next").renewInMs(now)).toBeUndefined();
  });

  it("asks getToken() when it has no token or the one it has is due, once for concurrent callers", async () => {
    let calls = 0;
    const source = new TokenSource(undefined, async () => `token-${++calls}`);
    expect(await Promise.all([source.current(), source.current()])).toEqual(["token-1", "token-1"]);
    expect(await source.current()).toBe("token-1");
    const expired = new TokenSource(tokenExpiringAt(Date.now() - 5000), () => "fresh");
    expect(await expired.current()).toBe("fresh");
    await expect(new TokenSource(undefined, () => "").current()).rejects.toThrow(/non-empty string/);
  });

  it("is shared by everything that uses the same getToken()", () => {
    const getToken = () => "t";
    expect(tokenSourceFor({ getToken })).toBe(tokenSourceFor({ token: "ignored", getToken }));
    expect(tokenSourceFor({})).toBeUndefined();
    expect(tokenSourceFor({ token: "static" })?.renewable).toBe(false);
  });
});
