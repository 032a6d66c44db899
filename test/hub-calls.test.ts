// The Worker's side of Cloudflare's Durable Object error guidance, on errors
// shaped as the runtime throws them through a stub.
import { describe, expect, it, vi } from "vitest";
import { callHub, HubUnavailable } from "../src/hub/calls";

const stubError = (message: string, flags: { retryable?: boolean; overloaded?: boolean; remote?: boolean }) =>
  Object.assign(new Error(message), flags);

/** A stub factory whose calls fail with `errors` in turn, then answer "ok"; counts stubs made. */
function flakyStubs(...errors: Error[]) {
  const made = vi.fn(() => ({ id: made.mock.calls.length }));
  const call = vi.fn(async () => {
    const error = errors.shift();
    if (error !== undefined) throw error;
    return "ok";
  });
  return { made, call };
}

describe("calling a hub", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("retries a retryable error once, on a fresh stub, when the call is idempotent", async () => {
    const { made, call } = flakyStubs(stubError("Durable Object reset because its code was updated.", { retryable: true }));
    await expect(callHub(made, call, true)).resolves.toBe("ok");
    expect(made).toHaveBeenCalledTimes(2);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("does not retry a call that is not idempotent", async () => {
    const { made, call } = flakyStubs(stubError("Network connection lost.", { retryable: true }));
    const failure = await callHub(made, call, false).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HubUnavailable);
    expect(failure).toMatchObject({ status: 503, reason: "unavailable", headers: { "Retry-After": "2" } });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("never retries an overloaded hub, and asks for a longer wait", async () => {
    const { made, call } = flakyStubs(stubError("Durable Object is overloaded.", { retryable: true, overloaded: true }));
    const failure = await callHub(made, call, true).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 503, reason: "overloaded", headers: { "Retry-After": "10" } });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("retries only once, and says which failure remained", async () => {
    const { made, call } = flakyStubs(
      stubError("Network connection lost.", { retryable: true }),
      stubError("Network connection lost.", { retryable: true }),
    );
    await expect(callHub(made, call, true)).rejects.toMatchObject({ reason: "unavailable" });
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("reports an error thrown by the hub's own code as such, without a retry", async () => {
    const { made, call } = flakyStubs(stubError("no such table: messages", { remote: true }));
    await expect(callHub(made, call, true)).rejects.toMatchObject({ reason: "error", status: 503 });
    expect(call).toHaveBeenCalledTimes(1);
  });
});
