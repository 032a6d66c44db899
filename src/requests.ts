// The inputs of every route but /update (whose parser is update.ts), parsed
// once here into clean values: ids and limits as numbers, defaults applied.
// The hub receives them as they are and never parses again.
import * as v from "valibot";
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS } from "./auth/subscriber-token";
import type { InboxAction } from "./messages";
import { MAX_TAGS, TAG_PATTERN } from "./update";
import { IdempotencyKey, jsonObject, MessageId, MessageIdText, paramObject, Uid, UidText, wholeSeconds } from "./validate";

export const INBOX_PAGE_DEFAULT = 20;
export const INBOX_PAGE_MAX = 100;
export const MAX_READ_IDS = 1000;

const LIMIT_RULE = `must be a whole number from 1 to ${INBOX_PAGE_MAX}`;

/** `GET /push`: /push reads these itself (uid through parseUid); listed here for the document. */
export const PushQuery = paramObject({
  uid: v.pipe(UidText, v.description("Whose messages to stream.")),
  lastEventId: v.optional(v.pipe(v.string(), v.description("Resume after this id, for clients that cannot send Last-Event-ID."))),
});

export const PushHeaders = paramObject({
  "Last-Event-ID": v.optional(
    v.pipe(v.string(), v.description("Sent by EventSource on reconnect: the last id it saw. The hub replays what came after it.")),
  ),
});

const TAG_RULE = `must match ${TAG_PATTERN.source}`;
const Tag = v.pipe(v.string(TAG_RULE), v.regex(TAG_PATTERN, TAG_RULE));
const TAG_LIST_RULE = `must be at most ${MAX_TAGS} comma-separated tags, each matching ${TAG_PATTERN.source}`;

export const InboxQuery = v.pipe(
  paramObject({
    uid: v.pipe(UidText, v.description("Whose inbox.")),
    status: v.optional(
      v.pipe(
        v.picklist(["all", "unread", "unseen", "archived"], 'must be "all", "unread", "unseen" or "archived"'),
        v.metadata({ default: "all" }),
        v.description("Which rows: all but the archived (default), only unread, only unseen, or only the archived."),
      ),
    ),
    tag: v.optional(v.pipe(Tag, v.description("Only messages published with this tag."))),
    tags: v.optional(
      v.pipe(
        v.string(TAG_LIST_RULE),
        v.transform((text) => text.split(",")),
        v.array(v.pipe(v.string(), v.regex(TAG_PATTERN, TAG_LIST_RULE)), TAG_LIST_RULE),
        v.maxLength(MAX_TAGS, TAG_LIST_RULE),
        v.description("Also answer these tags' own counts, as `byTag`."),
      ),
    ),
    before: v.optional(v.pipe(MessageIdText, v.description("Only messages older than this id: the previous page's `next`."))),
    limit: v.optional(
      v.pipe(
        v.string(LIMIT_RULE),
        // Plain digits only: Number() would also take " 5", "0x10" and "1e1".
        v.regex(/^[0-9]{1,3}$/, LIMIT_RULE),
        v.transform(Number),
        v.number(),
        v.integer(),
        v.minValue(1, LIMIT_RULE),
        v.maxValue(INBOX_PAGE_MAX, LIMIT_RULE),
        v.metadata({ default: INBOX_PAGE_DEFAULT }),
        v.description("How many messages per page."),
      ),
    ),
  }),
  v.transform(({ uid, before, limit, status, tag, tags }) => ({
    uid,
    before: before ?? null,
    limit: limit ?? INBOX_PAGE_DEFAULT,
    status: status ?? "all",
    tag: tag ?? null,
    countTags: [...new Set(tags ?? [])],
  })),
);

const IDS_RULE = `must be an array of at most ${MAX_READ_IDS} message ids`;

/** What each `POST /inbox/{action}` does, in the words its errors and the document use. */
export const INBOX_ACTIONS: Readonly<Record<InboxAction, { readonly path: string; readonly verb: string }>> = {
  seen: { path: "/inbox/seen", verb: "mark seen" },
  read: { path: "/inbox/read", verb: "mark read" },
  archive: { path: "/inbox/archive", verb: "archive" },
  unarchive: { path: "/inbox/unarchive", verb: "unarchive" },
  delete: { path: "/inbox/delete", verb: "delete" },
};

/** The body of `POST /inbox/{seen,read,archive,unarchive,delete}`. */
export function markBody(action: InboxAction) {
  const { verb } = INBOX_ACTIONS[action];
  return v.pipe(
    jsonObject(
      {
        uid: v.pipe(Uid, v.description("Whose messages.")),
        ids: v.optional(v.pipe(v.array(MessageId, IDS_RULE), v.maxLength(MAX_READ_IDS, IDS_RULE), v.description(`${verb}: these.`))),
        upTo: v.optional(v.pipe(MessageId, v.description(`${verb}: everything up to and including this id.`))),
      },
      '{"uid":"1","upTo":"42"}',
    ),
    v.check(({ ids, upTo }) => ids !== undefined || upTo !== undefined, `name what to ${verb}: ids, upTo, or both`),
    v.transform(({ uid, ids, upTo }) => ({ uid, ids: ids ?? [], upTo: upTo ?? null })),
  );
}

export const MarkReadBody = markBody("read");

/** `/messages/{id}`: a message's id (one hub) or the key it was published under. */
export const MessagePath = paramObject({
  id: v.pipe(IdempotencyKey, v.description("The message's id (with one hub), or the key it was published under (always).")),
});

/** `/users/{uid}`. */
export const UserPath = paramObject({ uid: v.pipe(UidText, v.description("The uid to erase.")) });

export const TokenBody = jsonObject(
  {
    uid: v.pipe(Uid, v.description("Who may listen with the token.")),
    ttl: v.optional(
      v.pipe(wholeSeconds(MAX_TOKEN_TTL_SECONDS), v.description("How long the token is valid, in seconds.")),
      DEFAULT_TOKEN_TTL_SECONDS,
    ),
  },
  '{"uid":"1","ttl":3600}',
);

export const StatsQuery = paramObject({
  uid: v.optional(v.pipe(UidText, v.description("Answer whether this uid is online instead of the totals."))),
});
