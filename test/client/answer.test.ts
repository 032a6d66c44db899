import { describe, expect, it } from "vitest";
import { apiErrorMessage, refusalOutcome } from "../../src/client/answer";

describe("what a refused /push means to the client", () => {
  it("gives up on 400, 403 and other 4xx, and on 401 when no getToken() can renew", () => {
    expect(refusalOutcome(400, "uid must be 1 to 128 characters", undefined, true)).toEqual({
      kind: "stop",
      reason: "bad-request",
      status: 400,
      message: "uid must be 1 to 128 characters",
    });
    expect(refusalOutcome(403, "no", 5000, true)).toMatchObject({ kind: "stop", reason: "forbidden" });
    expect(refusalOutcome(404, "no route", undefined, true)).toMatchObject({ kind: "stop", reason: "refused", status: 404 });
    expect(refusalOutcome(401, "expired", undefined, false)).toMatchObject({ kind: "stop", reason: "unauthorized", status: 401 });
  });

  it("renews the token at once on a 401 when it can", () => {
    expect(refusalOutcome(401, "expired", undefined, true)).toEqual({
      kind: "retry",
      reason: "token-refresh",
      status: 401,
      message: "expired",
      floorMs: 0,
      immediate: true,
    });
  });

  it("retries 5xx, 429 and 408 no sooner than Retry-After says", () => {
    expect(refusalOutcome(503, "down", 4000, false)).toEqual({
      kind: "retry",
      reason: "server-error",
      status: 503,
      message: "down",
      floorMs: 4000,
    });
    expect(refusalOutcome(500, "oops", undefined, false)).toMatchObject({ reason: "server-error", floorMs: 0 });
    expect(refusalOutcome(429, "slow down", 2000, false)).toMatchObject({ kind: "retry", reason: "rate-limited", floorMs: 2000 });
    expect(refusalOutcome(408, "timeout", undefined, false)).toMatchObject({ kind: "retry", reason: "network" });
  });

  it("takes the API's own words from a {code, error} body, else the status", () => {
    expect(apiErrorMessage(401, '{"code":401,"error":"the subscriber token has expired"}')).toBe("the subscriber token has expired");
    expect(apiErrorMessage(502, "<html>Bad gateway</html>")).toBe("the server answered 502");
    expect(apiErrorMessage(503, '{"message":"elsewhere"}')).toBe("the server answered 503");
  });
});
