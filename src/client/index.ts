// The client for edge-inbox: `import { subscribe, fetchInbox, markRead } from "edge-inbox/client"`.
// Runs in browsers, Node >= 20 and Workers. The page at /message and the bell
// (/widget.js) use this same module; it is served as /client.js.

export type {
  BusyNotice,
  BusyReason,
  InboxCounts,
  InboxMessage,
  InboxPage,
  InboxStatus,
  MessageContent,
  PushMessage,
  RetractNotice,
  UnreadCount,
} from "../messages";
export type { DeliveryCallbacks, ReceivedMessage } from "./delivery";
export type { Fetch, InboxTarget } from "./endpoint";
export type { InboxPageRequest, MessageSelection } from "./inbox-api";
export { archive, deleteMessages, fetchInbox, InboxApiError, markRead, markSeen, unarchive } from "./inbox-api";
export { readMessageContent, relativeTime } from "./message-content";
export type { ConnectionState, RetryReason, StateChange, StopReason, StreamReason } from "./state";
export type { SubscribeOptions, Subscription } from "./subscribe";
export { subscribe } from "./subscribe";
export type { GetToken } from "./token-source";
