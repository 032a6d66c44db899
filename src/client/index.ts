// The browser client for edge-inbox: `import { subscribe, fetchInbox, markRead } from "edge-inbox/client"`.
// The page at /message uses this same module, served as /client.js.

export type { InboxMessage, InboxPage, PushMessage, UnreadCount } from "../messages";
export type { InboxTarget } from "./endpoint";
export type { InboxPageRequest, MarkReadRequest } from "./inbox-api";
export { fetchInbox, InboxApiError, markRead } from "./inbox-api";
export type { ConnectionState, ReceivedMessage, SubscribeOptions, Subscription } from "./subscribe";
export { subscribe } from "./subscribe";
