// The answers' shapes, for the document only: the code builds answers from
// the TypeScript types, and each schema here must match its type
// (`satisfies` checks it), so the document cannot promise what is not sent.
import * as v from "valibot";
import type {
  ApiError,
  BatchResult,
  BusyNotice,
  EraseResult,
  InboxCounts,
  InboxPage,
  MessageReceipt,
  Presence as PresenceType,
  PushMessage,
  ResetNotice,
  RetractNotice,
  RetractResult,
  PublishResult as ShardedPublishResult,
  ShardStats,
} from "../messages";
import { MarkReadBody, TokenBody } from "../requests";
import { PublishBatchBody, PublishBody } from "../update";

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
  key: v.optional(
    v.pipe(
      v.string(),
      v.description("The key it was published under (given, or made up when HUB_SHARDS > 1): names it in /messages/{id} on every shard."),
    ),
  ),
}) satisfies v.GenericSchema<unknown, ShardedPublishResult>;

const BatchAnswer = v.object({
  code: v.literal(0),
  results: v.pipe(
    v.array(v.omit(PublishResult, ["code"])),
    v.description("Each message's answer, in the order sent: its id (ids with shards), delivered, and key when it has one."),
  ),
}) satisfies v.GenericSchema<unknown, BatchResult>;

const tags = v.pipe(v.array(v.string()), v.description("The publisher's tags."));
const expiresAt = v.pipe(v.number(), v.integer(), v.description("When it leaves every inbox, in milliseconds since the epoch."));

const InboxMessage = v.object({
  id: messageId,
  event: v.string(),
  msg: v.pipe(v.unknown(), v.description("The publisher's payload, as sent.")),
  ts: epochMs,
  broadcast: v.pipe(v.boolean(), v.description("Sent to everyone rather than to this uid alone.")),
  tags,
  expiresAt: v.nullable(expiresAt),
  seen: v.boolean(),
  read: v.pipe(v.boolean(), v.description("Read implies seen.")),
  archived: v.boolean(),
});

const Counts = v.object({
  unread: v.pipe(count, v.description("Not read, not archived, not deleted.")),
  unseen: v.pipe(count, v.description("Not seen (a bell's badge), not archived, not deleted.")),
}) satisfies v.GenericSchema<unknown, InboxCounts>;

const InboxPageSchema = v.object({
  messages: v.pipe(v.array(InboxMessage), v.description("Newest first.")),
  ...Counts.entries,
  next: v.pipe(v.nullable(v.string()), v.description("Pass as `before` for the next page; null on the last.")),
  byTag: v.optional(v.pipe(v.record(v.string(), Counts), v.description("With `?tags=`: each tag's own counts."))),
}) satisfies v.GenericSchema<unknown, InboxPage>;

const Retract = v.object({
  id: messageId,
  reason: v.picklist(["retracted", "expired"]),
}) satisfies v.GenericSchema<unknown, RetractNotice>;

const RetractAnswer = v.object({
  code: v.literal(0),
  ids: v.pipe(v.array(v.string()), v.description("The ids removed, one per shard that held a copy.")),
}) satisfies v.GenericSchema<unknown, RetractResult>;

const Receipt = v.object({
  code: v.literal(0),
  ids: v.pipe(v.array(v.string()), v.description("Its id on each shard that holds it.")),
  event: v.string(),
  ts: epochMs,
  broadcast: v.boolean(),
  audience: v.pipe(v.nullable(count), v.description("How many uids it was addressed to; null for a broadcast.")),
  written: v.pipe(count, v.description("Streams it was written to when published.")),
  seen: v.pipe(count, v.description("Recipients who have seen it.")),
  read: v.pipe(count, v.description("Recipients who have read it.")),
}) satisfies v.GenericSchema<unknown, MessageReceipt>;

const EraseAnswer = v.object({
  code: v.literal(0),
  uid: v.string(),
  messages: v.pipe(count, v.description("Messages addressed to this uid alone, deleted.")),
  streams: v.pipe(count, v.description("Open streams closed.")),
}) satisfies v.GenericSchema<unknown, EraseResult>;

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
    v.object({ gone: count, slow: count, replaced: count, expired: count, erased: count }),
    v.description(
      "Streams closed, by reason: the client left, fell too far behind, a newer tab replaced it, its token expired, its uid was erased.",
    ),
  ),
}) satisfies v.GenericSchema<unknown, ShardStats>;

const Stats = v.object({
  ...HubStatsSchema.entries,
  shards: v.pipe(v.array(HubStatsSchema), v.description("The same counters for each hub object; the totals above sum them.")),
});

const Presence = v.object({ uid: v.string(), online: v.boolean(), tabs: count }) satisfies v.GenericSchema<unknown, PresenceType>;

const ApiErrorSchema = v.object({
  code: v.pipe(v.number(), v.integer(), v.description("The HTTP status again.")),
  error: v.pipe(v.string(), v.description("What is wrong and how to fix it.")),
}) satisfies v.GenericSchema<unknown, ApiError>;

const PushMessageSchema = v.object({
  id: messageId,
  uid: v.pipe(v.nullable(v.string()), v.description("The recipient; null for a broadcast.")),
  msg: v.unknown(),
  ts: epochMs,
  tags: v.optional(tags),
  expiresAt: v.optional(expiresAt),
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
  PublishBatchRequest: PublishBatchBody,
  BatchResult: BatchAnswer,
  PublishResult,
  MarkRequest: MarkReadBody,
  InboxCounts: Counts,
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
  RetractNotice: Retract,
  RetractResult: RetractAnswer,
  MessageReceipt: Receipt,
  EraseResult: EraseAnswer,
} satisfies Record<string, v.GenericSchema>;
