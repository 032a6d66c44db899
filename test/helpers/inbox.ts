// The inbox calls as a browser makes them.
import type { InboxCounts, InboxPage } from "../../src/messages";
import { postJson } from "./publish";
import { fetchWorker } from "./sse-client";

export async function getInbox(uid: string, query: Record<string, string> = {}): Promise<InboxPage> {
  const response = await fetchWorker(`/inbox?${new URLSearchParams({ uid, ...query })}`);
  if (response.status !== 200) throw new Error(`GET /inbox answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as InboxPage;
}

export async function markRead(body: { uid: string; ids?: string[]; upTo?: string }): Promise<InboxCounts> {
  const response = await postJson("/inbox/read", body, {});
  if (response.status !== 200) throw new Error(`POST /inbox/read answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as InboxCounts;
}
