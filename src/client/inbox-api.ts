// The inbox calls a browser makes: read a page of stored messages, and change
// the uid's state of messages (seen, read, archived, deleted). The subscriber
// token goes in the Authorization header; a 401 is answered once by renewing
// it through getToken(). A non-2xx answer becomes an InboxApiError carrying
// the API's own message.
import type { InboxAction, InboxCounts, InboxPage, InboxStatus } from "../messages";
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
  /** Which rows: "all" (the default: everything but the archived), "unread", "unseen" or "archived". */
  readonly status?: InboxStatus;
  /** Only messages published with this tag. */
  readonly tag?: string;
  /** Up to 5 tags whose own counts the page adds as `byTag` (an app's tab badges). */
  readonly tags?: readonly string[];
}

/** Which messages a state change applies to: these ids, everything up to an id, or both. */
export interface MessageSelection {
  readonly ids?: readonly string[];
  /** Everything up to and including this id. */
  readonly upTo?: string;
}

/** `GET /inbox`: newest first; `next` is the `before` of the following page, or null. */
export function fetchInbox<T = unknown>(target: InboxTarget, page: InboxPageRequest = {}): Promise<InboxPage<T>> {
  const url = endpoint(target, "/inbox", {
    before: page.before,
    limit: page.limit === undefined ? undefined : String(page.limit),
    status: page.status,
    tag: page.tag,
    tags: page.tags === undefined || page.tags.length === 0 ? undefined : page.tags.join(","),
  });
  return call<InboxPage<T>>(target, url, { method: "GET", headers: { Accept: "application/json" } });
}

// Each answers the uid's new counts; every open tab of the uid also hears them as an `unread` event.

/** `POST /inbox/seen`: the unseen count (a bell's badge) falls; what a bell calls for the messages it showed. */
export const markSeen = (target: InboxTarget, which: MessageSelection): Promise<InboxCounts> => changeState(target, "seen", which);

/** `POST /inbox/read`: read, and so seen. */
export const markRead = (target: InboxTarget, which: MessageSelection): Promise<InboxCounts> => changeState(target, "read", which);

/** `POST /inbox/archive`: out of the default listing and the counts; `status: "archived"` lists them. */
export const archive = (target: InboxTarget, which: MessageSelection): Promise<InboxCounts> => changeState(target, "archive", which);

/** `POST /inbox/unarchive`: back into the listing. */
export const unarchive = (target: InboxTarget, which: MessageSelection): Promise<InboxCounts> => changeState(target, "unarchive", which);

/** `POST /inbox/delete`: gone for this uid only; other recipients keep theirs. */
export const deleteMessages = (target: InboxTarget, which: MessageSelection): Promise<InboxCounts> => changeState(target, "delete", which);

function changeState(target: InboxTarget, action: InboxAction, which: MessageSelection): Promise<InboxCounts> {
  return call<InboxCounts>(target, endpoint(target, `/inbox/${action}`), {
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
