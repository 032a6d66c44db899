// Calling a hub from the Worker the way Cloudflare's Durable Object error
// guidance says: an error marked `retryable` is retried once with a fresh
// stub when the call is idempotent; one marked `overloaded` never is, since a
// retry only adds to the overload. What is left becomes a HubUnavailable.
import { HttpError } from "../errors";
import type { BusyReason } from "../messages";

/** What the runtime puts on errors thrown through a Durable Object stub. */
interface StubErrorFlags {
  readonly retryable?: boolean;
  readonly overloaded?: boolean;
  /** Thrown by the object's own code rather than by the runtime. */
  readonly remote?: boolean;
}

/** A hub could not answer for a reason that may pass: 503 with Retry-After on JSON routes, `busy` on /push. */
export class HubUnavailable extends HttpError {
  constructor(
    readonly reason: Exclude<BusyReason, "full">,
    retryAfterSeconds: number,
  ) {
    super(503, HUB_FAILURE_TEXT[reason], { "Retry-After": String(retryAfterSeconds) });
    this.name = "HubUnavailable";
  }
}

const HUB_FAILURE_TEXT: Record<HubUnavailable["reason"], string> = {
  overloaded: "the hub is overloaded; retry later",
  unavailable: "the hub is restarting or unreachable; retry shortly",
  error: "the hub failed to answer; retry shortly",
};

export function failureReason(error: unknown): HubUnavailable["reason"] {
  const flags = (typeof error === "object" && error !== null ? error : {}) as StubErrorFlags;
  if (flags.overloaded === true) return "overloaded";
  if (flags.remote === true) return "error";
  return "unavailable";
}

const isRetryable = (error: unknown): boolean => {
  const flags = (typeof error === "object" && error !== null ? error : {}) as StubErrorFlags;
  return flags.retryable === true && flags.overloaded !== true;
};

/**
 * Run `call` against a stub from `stubFor()`. An idempotent call whose error
 * is retryable gets one more try on a fresh stub (the old one may be broken
 * for good). Any failure that remains is thrown as HubUnavailable; errors the
 * Worker itself raised (HttpError) pass through unchanged.
 */
export async function callHub<Stub, T>(stubFor: () => Stub, call: (stub: Stub) => Promise<T>, idempotent: boolean): Promise<T> {
  try {
    return await call(stubFor());
  } catch (first) {
    if (first instanceof HttpError) throw first;
    if (!(idempotent && isRetryable(first))) throw unavailable(first);
    try {
      return await call(stubFor());
    } catch (second) {
      if (second instanceof HttpError) throw second;
      throw unavailable(second);
    }
  }
}

function unavailable(error: unknown): HubUnavailable {
  const reason = failureReason(error);
  // The message only: the stack is the hub's, and one line per failure keeps logs readable.
  console.error(`hub call failed (${reason}): ${error instanceof Error ? error.message : String(error)}`);
  return new HubUnavailable(reason, reason === "overloaded" ? 10 : 2);
}
