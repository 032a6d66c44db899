// The publisher SDK for servers (Node ≥ 20, Workers, Deno, Bun):
// `import { createPublisher } from "edge-inbox/server"`.

export type {
  ApiError,
  BatchResult,
  DropReason,
  EraseResult,
  InboxBinding,
  InboxMessage,
  InboxPage,
  InboxStats,
  MessageContent,
  MessageReceipt,
  Presence,
  PublishRequest,
  PublishResult,
  PushMessage,
  RetractResult,
  ShardStats,
  SubscriberToken,
  TokenResult,
} from "../messages";
export { PublisherError } from "./errors";
export type { CallOptions, Publisher, PublisherOptions } from "./publisher";
export { createPublisher } from "./publisher";
export type { RetryPolicy } from "./retry";
