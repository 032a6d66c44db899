// The client for edge-inbox: `import { subscribe, fetchInbox, markRead } from "edge-inbox/client"`.
// Runs in browsers, Node >= 20 and Workers. The page at /message uses this
// same module, served as /client.js.

export type { BusyNotice, BusyReason, InboxMessage, InboxPage, PushMessage, UnreadCount } from "../messages";
export type { DeliveryCallbacks, ReceivedMessage } from "./delivery";
export type { Fetch, InboxTarget } from "./endpoint";
export type { InboxPageRequest, MarkReadRequest } from "./inbox-api";
export { fetchInbox, InboxApiError, markRead } from "./inbox-api";
export type { ConnectionState, RetryReason, StateChange, StopReason, StreamReason } from "./state";
export type { SubscribeOptions, Subscription } from "./subscribe";
export { subscribe } from "./subscribe";
export type { GetToken } from "./token-source";
