// The inbox calls a browser makes: read a page of stored messages, mark read.
// The subscriber token goes in the Authorization header; a 401 is answered
// once by renewing it through getToken(). A non-2xx answer becomes an
// InboxApiError carrying the API's own message.
import type { InboxPage, UnreadCount } from "../messages";
import { apiErrorMessage } from "./answer";
import { endpoint, fetcherOf, type InboxTarget, requestHeaders } from "./endpoint";
import { tokenSourceFor } from "./token-source";

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
export function fetchInbox<T = unknown>(target: InboxTarget, page: InboxPageRequest = {}): Promise<InboxPage<T>> {
  const url = endpoint(target, "/inbox", {
    before: page.before,
    limit: page.limit === undefined ? undefined : String(page.limit),
  });
  return call<InboxPage<T>>(target, url, { method: "GET", headers: { Accept: "application/json" } });
}

/** `POST /inbox/read`: answers the new unread count (every open tab also hears it as `unread`). */
export function markRead(target: InboxTarget, which: MarkReadRequest): Promise<UnreadCount> {
  return call<UnreadCount>(target, endpoint(target, "/inbox/read"), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ uid: target.uid, ids: which.ids, upTo: which.upTo }),
  });
}

async function call<T>(target: InboxTarget, url: string, init: RequestInit & { headers: Record<string, string> }): Promise<T> {
  const tokens = tokenSourceFor(target);
  const send = async (token: string | undefined) => fetcherOf(target)(url, { ...init, headers: requestHeaders(token, init.headers) });
  let response = await send(await tokens?.current());
  if (response.status === 401 && tokens?.renewable) {
    await response.body?.cancel();
    response = await send(await tokens.renew());
  }
  const text = await response.text();
  if (response.ok) return JSON.parse(text) as T;
  throw new InboxApiError(response.status, apiErrorMessage(response.status, text));
}
