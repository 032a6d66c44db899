// The answers' shapes, for the document only: the code builds answers from
// the TypeScript types, and each schema here must match its type
// (`satisfies` checks it), so the document cannot promise what is not sent.
import * as v from "valibot";
import type { HubStats, UserPresence } from "../hub/push-hub";
import type {
  ApiError,
  BusyNotice,
  InboxPage,
  PushMessage,
  ResetNotice,
  PublishResult as ShardedPublishResult,
  UnreadCount,
} from "../messages";
import { MarkReadBody, TokenBody } from "../requests";
import { PublishBody } from "../update";

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const epochMs = v.pipe(v.number(), v.integer(), v.description("Milliseconds since the epoch, when the hub stored it."));
const messageId = v.pipe(v.string(), v.description("The hub's cursor, a decimal string; also the SSE `id:`."));

const PublishResult = v.object({
  code: v.literal(0),
  id: v.pipe(messageId, v.description("The message's id (with shards: on the first recipient's shard; shard 0 for a broadcast).")),
  delivered: v.pipe(count, v.description("Streams written now; offline recipients find it in their inbox either way.")),
  ids: v.optional(
    v.pipe(
      v.array(v.nullable(v.string())),
      v.description("With HUB_SHARDS above 1: the id each shard stored it under, by shard; null where it did not go."),
    ),
  ),
}) satisfies v.GenericSchema<unknown, ShardedPublishResult>;

const InboxMessage = v.object({
  id: messageId,
  event: v.string(),
  msg: v.pipe(v.unknown(), v.description("The publisher's payload, as sent.")),
  ts: epochMs,
  read: v.boolean(),
});

const InboxPageSchema = v.object({
  messages: v.pipe(v.array(InboxMessage), v.description("Newest first.")),
  unread: v.pipe(count, v.description("The uid's unread count, all pages together.")),
  next: v.pipe(v.nullable(v.string()), v.description("Pass as `before` for the next page; null on the last.")),
}) satisfies v.GenericSchema<unknown, InboxPage>;

const Unread = v.object({ unread: count }) satisfies v.GenericSchema<unknown, UnreadCount>;

const TokenAnswer = v.object({
  code: v.literal(0),
  uid: v.string(),
  token: v.pipe(v.string(), v.description('base64url(uid) "." exp "." base64url(HMAC-SHA256(SUBSCRIBE_SECRET, base64url(uid) "." exp))')),
  exp: v.pipe(v.number(), v.integer(), v.description("When the token expires, in Unix seconds.")),
});

const HubStatsSchema = v.object({
  streams: count,
  users: count,
  published: count,
  delivered: count,
  dropped: v.pipe(
    v.object({ gone: count, slow: count, replaced: count, expired: count }),
    v.description("Streams closed, by reason: the client left, fell too far behind, a newer tab replaced it, its token expired."),
  ),
}) satisfies v.GenericSchema<unknown, HubStats>;

const Stats = v.object({
  ...HubStatsSchema.entries,
  shards: v.pipe(v.array(HubStatsSchema), v.description("The same counters for each hub object; the totals above sum them.")),
});

const Presence = v.object({ uid: v.string(), online: v.boolean(), tabs: count }) satisfies v.GenericSchema<
  unknown,
  UserPresence & { uid: string }
>;

const ApiErrorSchema = v.object({
  code: v.pipe(v.number(), v.integer(), v.description("The HTTP status again.")),
  error: v.pipe(v.string(), v.description("What is wrong and how to fix it.")),
}) satisfies v.GenericSchema<unknown, ApiError>;

const PushMessageSchema = v.object({
  id: messageId,
  uid: v.pipe(v.nullable(v.string()), v.description("The recipient; null for a broadcast.")),
  msg: v.unknown(),
  ts: epochMs,
}) satisfies v.GenericSchema<unknown, PushMessage>;

const Reset = v.object({
  lastEventId: v.pipe(v.string(), v.description("The resume point the stream continues from.")),
}) satisfies v.GenericSchema<unknown, ResetNotice>;

const Busy = v.object({
  reason: v.pipe(
    v.picklist(["full", "overloaded", "unavailable", "error"]),
    v.description("The hub is full, overloaded, restarting or unreachable, or failed."),
  ),
  error: v.string(),
  retryMs: v.pipe(v.number(), v.integer(), v.description("When EventSource reconnects by itself; the stream's `retry:` says the same.")),
}) satisfies v.GenericSchema<unknown, BusyNotice>;

/** Named in the document's components and referenced by name wherever they are used. */
export const COMPONENTS = {
  PublishRequest: PublishBody,
  PublishResult,
  MarkReadRequest: MarkReadBody,
  UnreadCount: Unread,
  TokenRequest: TokenBody,
  TokenAnswer,
  InboxPage: InboxPageSchema,
  InboxMessage,
  Stats,
  HubStats: HubStatsSchema,
  Presence,
  ApiError: ApiErrorSchema,
  PushMessage: PushMessageSchema,
  ResetNotice: Reset,
  BusyNotice: Busy,
} satisfies Record<string, v.GenericSchema>;
