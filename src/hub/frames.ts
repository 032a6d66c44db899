// The bytes the hub writes, built once and shared wherever the same bytes go
// to many streams. Pure functions of their inputs.

import { RESET_EVENT, type ResetNotice, UNREAD_EVENT, type UnreadCount } from "../messages";
import { formatComment, formatEvent, formatOpening } from "../sse/format";

const encoder = new TextEncoder();

/** The `data:` JSON of a message, built around the stored JSON text without re-parsing it. */
export function messageData(id: number, uid: string | null, msgJson: string, ts: number): string {
  return `{"id":"${id}","uid":${uid === null ? "null" : JSON.stringify(uid)},"msg":${msgJson},"ts":${ts}}`;
}

export function messageFrame(id: number, event: string, uid: string | null, msgJson: string, ts: number): string {
  return formatEvent({ id: String(id), event, data: messageData(id, uid, msgJson, ts) });
}

/**
 * The uid's unread count. On the opening one, `resumeId` is the hub's head:
 * every stream then has a resume point from its first bytes, so a browser
 * that has seen no message yet still reconnects with Last-Event-ID and gets
 * what it missed. Live counts carry no id.
 */
export function unreadFrame(unread: number, resumeId?: number): string {
  const data = JSON.stringify({ unread } satisfies UnreadCount);
  return formatEvent({ id: resumeId === undefined ? undefined : String(resumeId), event: UNREAD_EVENT, data });
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
