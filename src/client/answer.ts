// What a non-stream answer to GET /push means for the client: retry (and how
// soon at the least), renew the token, or stop for good. Pure.
import type { ApiError, BusyReason } from "../messages";
import type { RetryReason, StopReason } from "./state";

/** How one attempt ended. */
export type AttemptOutcome =
  | {
      readonly kind: "retry";
      readonly reason: RetryReason;
      readonly status?: number;
      readonly busy?: BusyReason;
      readonly message?: string;
      /** The least wait the server asked for. */
      readonly floorMs: number;
      /** Go again without waiting (a token renewal, not a failure). */
      readonly immediate?: boolean;
    }
  | { readonly kind: "stop"; readonly reason: StopReason; readonly status?: number; readonly message?: string };

/**
 * A refusal by status. 400, 403 and other 4xx are permanent: the same request
 * gets the same answer. 401 is permanent only when no getToken() can renew
 * the token. 408, 429 and 5xx are transient, paced by Retry-After.
 */
export function refusalOutcome(status: number, message: string, retryAfter: number | undefined, canRenewToken: boolean): AttemptOutcome {
  const floorMs = retryAfter ?? 0;
  if (status === 401) {
    return canRenewToken
      ? { kind: "retry", reason: "token-refresh", status, message, floorMs: 0, immediate: true }
      : { kind: "stop", reason: "unauthorized", status, message };
  }
  if (status === 408) return { kind: "retry", reason: "network", status, message, floorMs };
  if (status === 429) return { kind: "retry", reason: "rate-limited", status, message, floorMs };
  if (status >= 500) return { kind: "retry", reason: "server-error", status, message, floorMs };
  if (status === 400) return { kind: "stop", reason: "bad-request", status, message };
  if (status === 403) return { kind: "stop", reason: "forbidden", status, message };
  if (status >= 400) return { kind: "stop", reason: "refused", status, message };
  return { kind: "retry", reason: "unexpected-answer", status, message, floorMs };
}

/** The `error` of a `{code, error}` body, or the status when the body is something else (a proxy's page). */
export function apiErrorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as Partial<ApiError>;
    if (typeof body.error === "string") return body.error;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `the server answered ${status}`;
}
