// The browser client for edge-inbox: `import { subscribe, fetchInbox, markRead } from "edge-inbox/client"`.
// The page at /message uses this same module, served as /client.js.
export { subscribe } from "./subscribe";
export type { ConnectionState, ReceivedMessage, SubscribeOptions, Subscription } from "./subscribe";
export { fetchInbox, markRead, InboxApiError } from "./inbox-api";
export type { InboxPageRequest, MarkReadRequest } from "./inbox-api";
export type { InboxTarget } from "./endpoint";
export type { InboxMessage, InboxPage, PushMessage, UnreadCount } from "../messages";
