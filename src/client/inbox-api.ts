// The inbox calls a browser makes: read a page of stored messages, mark read.
// A non-2xx answer becomes an InboxApiError carrying the API's own message.
import type { ApiError, InboxPage, UnreadCount } from "../messages";
import { endpoint, type InboxTarget } from "./endpoint";

export class InboxApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "InboxApiError";
  }
}

export interface InboxPageRequest {
  /** Only messages older than this id: pass the previous page's `next`. */
  readonly before?: string;
  /** 1–100; the server's default is 20. */
  readonly limit?: number;
}

export interface MarkReadRequest {
  readonly ids?: readonly string[];
  /** Everything up to and including this id. */
  readonly upTo?: string;
}

/** `GET /inbox`: newest first; `next` is the `before` of the following page, or null. */
export async function fetchInbox<T = unknown>(target: InboxTarget, page: InboxPageRequest = {}): Promise<InboxPage<T>> {
  const url = endpoint(target, "/inbox", {
    before: page.before,
    limit: page.limit === undefined ? undefined : String(page.limit),
  });
  return answer<InboxPage<T>>(await fetch(url, { headers: { Accept: "application/json" } }));
}

/** `POST /inbox/read`: answers the new unread count (every open tab also hears it as `unread`). */
export async function markRead(target: InboxTarget, which: MarkReadRequest): Promise<UnreadCount> {
  const response = await fetch(endpoint(target, "/inbox/read"), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ uid: target.uid, ids: which.ids, upTo: which.upTo }),
  });
  return answer<UnreadCount>(response);
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (response.ok) return JSON.parse(text) as T;
  throw new InboxApiError(response.status, apiErrorMessage(response.status, text));
}

/** The `error` of a `{code, error}` body, or the status when the body is something else (a proxy's page). */
function apiErrorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as Partial<ApiError>;
    if (typeof body.error === "string") return body.error;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `the server answered ${status}`;
}
