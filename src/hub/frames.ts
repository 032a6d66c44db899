// The bytes the hub writes, built once and shared wherever the same bytes go
// to many streams. Pure functions of their inputs.
import {
  type InboxCounts,
  RESET_EVENT,
  RETRACT_EVENT,
  type ResetNotice,
  type RetractNotice,
  UNREAD_EVENT,
  type UnreadCount,
} from "../messages";
import { formatComment, formatEvent, formatOpening } from "../sse/format";
import type { StoredMessage } from "./history";

const encoder = new TextEncoder();

/**
 * The `data:` JSON of a message (a PushMessage), built around the stored JSON
 * text without re-parsing it. `uid` is the recipient, null for a broadcast.
 */
export function messageData(message: StoredMessage, uid: string | null): string {
  const tags = message.tags.length === 0 ? "" : `,"tags":${JSON.stringify(message.tags)}`;
  const expiresAt = message.expiresAt === null ? "" : `,"expiresAt":${message.expiresAt}`;
  const recipient = uid === null ? "null" : JSON.stringify(uid);
  return `{"id":"${message.id}","uid":${recipient},"msg":${message.msgJson},"ts":${message.ts}${tags}${expiresAt}}`;
}

export function messageFrame(message: StoredMessage, uid: string | null): string {
  return formatEvent({ id: String(message.id), event: message.event, data: messageData(message, uid) });
}

/**
 * The uid's counts. On the opening one, `resumeId` is the hub's head: every
 * stream then has a resume point from its first bytes, so a browser that has
 * seen no message yet still reconnects with Last-Event-ID and gets what it
 * missed. Live counts carry no id.
 */
export function countsFrame(counts: InboxCounts, resumeId?: number): string {
  const data = JSON.stringify({ unread: counts.unread, unseen: counts.unseen } satisfies UnreadCount);
  return formatEvent({ id: resumeId === undefined ? undefined : String(resumeId), event: UNREAD_EVENT, data });
}

/** A message left the inbox; no id, so the resume point does not move. */
export function retractFrame(id: number, reason: RetractNotice["reason"]): string {
  return formatEvent({ event: RETRACT_EVENT, data: JSON.stringify({ id: String(id), reason } satisfies RetractNotice) });
}

/**
 * The resume point is older than the retained history (or unknown). The
 * frame carries the current head as its id, so the browser's EventSource
 * resumes from now on after reloading the inbox.
 */
export function resetFrame(headId: number): string {
  return formatEvent({
    id: String(headId),
    event: RESET_EVENT,
    data: JSON.stringify({ lastEventId: String(headId) } satisfies ResetNotice),
  });
}

export const encode = (text: string): Uint8Array => encoder.encode(text);

export const PING = encode(formatComment("ping"));

export const openingBytes = (retryMs: number, heartbeatMs: number, greeting: string): Uint8Array =>
  encode(formatOpening(retryMs, heartbeatMs, greeting));
