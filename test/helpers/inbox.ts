// The inbox calls as a browser makes them, and the publisher's calls about messages and users.
import type { EraseResult, InboxAction, InboxCounts, InboxPage, MessageReceipt, RetractResult } from "../../src/messages";
import { AUTH, postJson } from "./publish";
import { fetchWorker } from "./sse-client";

export async function getInbox(uid: string, query: Record<string, string> = {}): Promise<InboxPage> {
  const response = await fetchWorker(`/inbox?${new URLSearchParams({ uid, ...query })}`);
  if (response.status !== 200) throw new Error(`GET /inbox answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as InboxPage;
}

/** The ids of one listing of uid's inbox, newest first. */
export const listed = async (uid: string, query: Record<string, string> = {}) =>
  (await getInbox(uid, { limit: "100", ...query })).messages.map((m) => m.id);

/** `POST /inbox/{action}`; `read` is the seed's `POST /inbox/read`. */
export async function mark(action: InboxAction, body: { uid: string; ids?: string[]; upTo?: string }): Promise<InboxCounts> {
  const response = await postJson(`/inbox/${action}`, body, {});
  if (response.status !== 200) throw new Error(`POST /inbox/${action} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as InboxCounts;
}

export const markRead = (body: { uid: string; ids?: string[]; upTo?: string }) => mark("read", body);

/** A publisher's call; the answer's status and body, whatever they are. */
export async function publisherCall<T>(method: "GET" | "DELETE", path: string): Promise<{ status: number; body: T }> {
  const response = await fetchWorker(path, { method, headers: AUTH });
  return { status: response.status, body: (await response.json()) as T };
}

export const retract = (ref: string) => publisherCall<RetractResult>("DELETE", `/messages/${encodeURIComponent(ref)}`);
export const receipt = (ref: string) => publisherCall<MessageReceipt>("GET", `/messages/${encodeURIComponent(ref)}`);
export const erase = (uid: string) => publisherCall<EraseResult>("DELETE", `/users/${encodeURIComponent(uid)}`);
