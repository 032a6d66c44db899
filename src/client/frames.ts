// What each event on the stream means to the client. Pure: an SSE event in
// (as eventsource-parser hands it out), a typed meaning out.
import {
  BUSY_EVENT,
  type BusyNotice,
  type BusyReason,
  DEFAULT_EVENT,
  type PushMessage,
  RESERVED_EVENTS,
  RESET_EVENT,
  type ResetNotice,
  UNREAD_EVENT,
  type UnreadCount,
} from "../messages";

/** One parsed SSE event; plain data, so it can cross a BroadcastChannel as it is. */
export interface Frame {
  readonly id?: string | undefined;
  readonly event?: string | undefined;
  readonly data: string;
}

export type FrameMeaning<T = unknown> =
  | { readonly kind: "greeting"; readonly text: string }
  | { readonly kind: "message"; readonly event: string; readonly message: PushMessage<T> }
  | { readonly kind: "unread"; readonly unread: number }
  | { readonly kind: "reset"; readonly lastEventId: string }
  | { readonly kind: "busy"; readonly notice: BusyNotice }
  /** A hub event this client does not know yet, or data it cannot read: skipped. */
  | { readonly kind: "other" };

const BUSY_REASONS: readonly string[] = ["full", "overloaded", "unavailable", "error"] satisfies BusyReason[];

export function readFrame<T = unknown>(frame: Frame): FrameMeaning<T> {
  const event = frame.event ?? DEFAULT_EVENT;
  if (event === UNREAD_EVENT) {
    const count = parseObject<UnreadCount>(frame.data);
    return typeof count?.unread === "number" ? { kind: "unread", unread: count.unread } : { kind: "other" };
  }
  if (event === RESET_EVENT) {
    const notice = parseObject<ResetNotice>(frame.data);
    return typeof notice?.lastEventId === "string" ? { kind: "reset", lastEventId: notice.lastEventId } : { kind: "other" };
  }
  if (event === BUSY_EVENT) {
    const notice = parseObject<BusyNotice>(frame.data);
    if (typeof notice?.retryMs !== "number" || !BUSY_REASONS.includes(notice.reason ?? "")) return { kind: "other" };
    return { kind: "busy", notice: { reason: notice.reason!, error: String(notice.error ?? ""), retryMs: Math.max(0, notice.retryMs) } };
  }
  const message = frame.id === undefined || RESERVED_EVENTS.includes(event) ? undefined : parsePushMessage<T>(frame.data);
  if (message !== undefined) return { kind: "message", event, message };
  // The greeting is the one plain `message` without an id.
  if (event === DEFAULT_EVENT && frame.id === undefined) return { kind: "greeting", text: frame.data };
  return { kind: "other" };
}

/** The interval the hub states in its opening comment `: heartbeat <ms>`. */
export function statedHeartbeatMs(comment: string): number | undefined {
  const match = /^heartbeat ([1-9][0-9]{0,7})$/.exec(comment.trim());
  return match === null ? undefined : Number(match[1]);
}

function parseObject<T>(text: string): Partial<T> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

function parsePushMessage<T>(text: string): PushMessage<T> | undefined {
  const value = parseObject<PushMessage<T>>(text);
  if (typeof value?.id !== "string" || typeof value.ts !== "number" || !("msg" in value)) return undefined;
  return { id: value.id, uid: value.uid ?? null, msg: value.msg as T, ts: value.ts };
}
