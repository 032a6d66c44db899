// Parse and validate a publish (`POST /update`) into a clean Publish, or throw 400.
import * as v from "valibot";
import { badRequest } from "./errors";
import { DEFAULT_EVENT } from "./messages";
import { EventName, IdempotencyKey, jsonObject, paramObject, parse, Uid, wholeSeconds } from "./validate";

export const MAX_UIDS = 1000;
/**
 * JSON nested thousands of levels deep parses and stores fine, but overflows
 * the stack when the hub hands the inbox back, breaking that user's inbox for
 * good. 64 is far beyond any real payload.
 */
export const MAX_MSG_DEPTH = 64;

/** Who gets a message: everyone, or a de-duplicated list of uids. */
export type Audience = { readonly all: true } | { readonly all: false; readonly uids: readonly string[] };

export interface Publish {
  readonly audience: Audience;
  readonly event: string;
  /** The payload as JSON text, exactly as it will be stored and sent. */
  readonly msgJson: string;
  readonly key: string | undefined;
  /** Sorted, without repeats. */
  readonly tags: readonly string[];
  /** Milliseconds since the epoch; null: kept until retention. */
  readonly expiresAt: number | null;
  /**
   * The request as the publisher meant it (ttl rather than the expiry it
   * gave), so a repeat under the same key can be told from a different request.
   */
  readonly canonical: string;
}

export const MAX_TAGS = 5;
export const TAG_PATTERN = /^[a-z0-9_.:-]{1,32}$/;
/** The longest a message may be kept before it expires: a year. */
export const MAX_TTL_SECONDS = 365 * 24 * 60 * 60;

/** Whether value nests objects/arrays more than `depthLeft` levels deep (it stops looking there). */
function nestsDeeper(value: unknown, depthLeft: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depthLeft === 0) return true;
  return Object.values(value).some((child) => nestsDeeper(child, depthLeft - 1));
}

const UIDS_RULE = `must be an array of at most ${MAX_UIDS} uid strings`;
const TAGS_RULE = `must be an array of at most ${MAX_TAGS} tags, each matching ${TAG_PATTERN.source}`;
const EXPIRES_RULE = "must be a time in milliseconds since the epoch, in the future and within a year";

export const PublishBody = v.pipe(
  jsonObject(
    {
      uid: v.optional(v.pipe(Uid, v.description("One recipient (the seed's field)."))),
      uids: v.optional(
        v.pipe(v.array(Uid, UIDS_RULE), v.maxLength(MAX_UIDS, UIDS_RULE), v.description("Several recipients; the message gets one id.")),
      ),
      isAll: v.optional(v.pipe(v.boolean("must be true or false"), v.description("Everyone (the seed's field); wins over uid and uids."))),
      msg: v.pipe(
        v.unknown(),
        v.check((msg) => !nestsDeeper(msg, MAX_MSG_DEPTH), `must not nest more than ${MAX_MSG_DEPTH} levels deep`),
        v.description(`The payload (the seed's field): any JSON value, nested at most ${MAX_MSG_DEPTH} levels deep.`),
      ),
      event: v.optional(v.pipe(EventName, v.description(`The SSE event name; "${DEFAULT_EVENT}" when absent.`))),
      key: v.optional(
        v.pipe(
          IdempotencyKey,
          v.description(
            "Idempotency key: a repeat within 24 hours answers the first result and delivers nothing again; " +
              "a different request under the same key is refused with 409. It also names the message for DELETE and GET /messages/{key}.",
          ),
        ),
      ),
      tags: v.optional(
        v.pipe(
          v.array(v.pipe(v.string(TAGS_RULE), v.regex(TAG_PATTERN, TAGS_RULE)), TAGS_RULE),
          v.maxLength(MAX_TAGS, TAGS_RULE),
          v.description("Short names to filter the inbox by (`GET /inbox?tag=`) and to count per tag (`?tags=`)."),
        ),
      ),
      expiresAt: v.optional(
        v.pipe(
          v.number(EXPIRES_RULE),
          v.safeInteger(EXPIRES_RULE),
          v.check((at) => at > Date.now() && at <= Date.now() + MAX_TTL_SECONDS * 1000, EXPIRES_RULE),
          v.description("When the message leaves every inbox, in milliseconds since the epoch."),
        ),
      ),
      ttl: v.optional(v.pipe(wholeSeconds(MAX_TTL_SECONDS), v.description("Or: how many seconds from now until it leaves every inbox."))),
    },
    '{"uid":"1","msg":"hello"}',
  ),
  v.check(
    ({ uid, uids, isAll }) => isAll === true || uid !== undefined || (uids ?? []).length > 0,
    "name the recipients: uid, uids, or isAll: true",
  ),
  v.check(({ expiresAt, ttl }) => expiresAt === undefined || ttl === undefined, "send expiresAt or ttl, not both"),
);

export const PublishHeaders = paramObject({
  "Idempotency-Key": v.optional(v.pipe(IdempotencyKey, v.description("The same as the body's key; send one of them."))),
});

function audienceOf({ uid, uids = [], isAll }: v.InferOutput<typeof PublishBody>): Audience {
  // isAll wins over uid/uids, as in the seed design; they were still validated.
  if (isAll === true) return { all: true };
  return { all: false, uids: [...new Set(uid === undefined ? uids : [uid, ...uids])] };
}

export const MAX_BATCH = 500;
const BATCH_RULE = `must be an array of 1 to ${MAX_BATCH} messages, each a body POST /update takes alone`;

export const PublishBatchBody = jsonObject(
  {
    messages: v.pipe(
      v.array(PublishBody, BATCH_RULE),
      v.minLength(1, BATCH_RULE),
      v.maxLength(MAX_BATCH, BATCH_RULE),
      v.description(`Up to ${MAX_BATCH} messages, each with its own recipients, event, tags, expiry and key.`),
    ),
  },
  '{"messages":[{"uid":"1","msg":"hello"},{"isAll":true,"msg":"hi all"}]}',
);

/** `POST /update` carries one message, or a batch under `messages`. */
export type Update =
  | { readonly batch: false; readonly publish: Publish }
  | { readonly batch: true; readonly publishes: readonly Publish[] };

/** `headerKey` is the `Idempotency-Key` header, if any. */
export function parseUpdate(rawBody: unknown, headerKey: string | null): Update {
  if (typeof rawBody !== "object" || rawBody === null || !("messages" in rawBody)) {
    return { batch: false, publish: parsePublish(rawBody, headerKey) };
  }
  if (headerKey !== null) throw badRequest("Idempotency-Key names one message; in a batch give each message its own key");
  const publishes = parse(PublishBatchBody, rawBody).messages.map((body) => toPublish(body, undefined));
  const firstWithKey = new Map<string, number>();
  for (const [i, { key }] of publishes.entries()) {
    if (key === undefined) continue;
    const first = firstWithKey.get(key);
    if (first !== undefined) throw badRequest(`messages[${i}].key repeats messages[${first}].key; each message needs a key of its own`);
    firstWithKey.set(key, i);
  }
  return { batch: true, publishes };
}

/** `headerKey` is the `Idempotency-Key` header, if any. */
export function parsePublish(rawBody: unknown, headerKey: string | null): Publish {
  const body = parse(PublishBody, rawBody);
  const header = parse(PublishHeaders, { "Idempotency-Key": headerKey ?? undefined });
  const headerKeyClean = header["Idempotency-Key"];
  if (body.key !== undefined && headerKeyClean !== undefined && body.key !== headerKeyClean) {
    throw badRequest("key and the Idempotency-Key header differ; send one of them");
  }
  return toPublish(body, headerKeyClean);
}

function toPublish(body: v.InferOutput<typeof PublishBody>, headerKey: string | undefined): Publish {
  const audience = audienceOf(body);
  const event = body.event ?? DEFAULT_EVENT;
  const msgJson = JSON.stringify(body.msg);
  const tags = [...new Set(body.tags ?? [])].sort();
  const expiresAt = body.expiresAt ?? (body.ttl === undefined ? null : Date.now() + body.ttl * 1000);
  const expiry = body.ttl === undefined ? { expiresAt } : { ttl: body.ttl };
  const recipients = audience.all ? "all" : [...audience.uids].sort();
  const canonical = JSON.stringify({ recipients, event, msg: msgJson, tags, ...expiry });
  return { audience, event, msgJson, key: body.key ?? headerKey, tags, expiresAt, canonical };
}
