// Parse and validate a publish (`POST /update`) into a clean Publish, or throw 400.
import * as v from "valibot";
import { badRequest } from "./errors";
import { DEFAULT_EVENT } from "./messages";
import { EventName, IdempotencyKey, jsonObject, paramObject, parse, Uid } from "./validate";

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
}

/** Whether value nests objects/arrays more than `depthLeft` levels deep (it stops looking there). */
function nestsDeeper(value: unknown, depthLeft: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depthLeft === 0) return true;
  return Object.values(value).some((child) => nestsDeeper(child, depthLeft - 1));
}

const UIDS_RULE = `must be an array of at most ${MAX_UIDS} uid strings`;

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
          v.description("Idempotency key: a repeat within 24 hours answers the first result and delivers nothing again."),
        ),
      ),
    },
    '{"uid":"1","msg":"hello"}',
  ),
  v.check(
    ({ uid, uids, isAll }) => isAll === true || uid !== undefined || (uids ?? []).length > 0,
    "name the recipients: uid, uids, or isAll: true",
  ),
);

export const PublishHeaders = paramObject({
  "Idempotency-Key": v.optional(v.pipe(IdempotencyKey, v.description("The same as the body's key; send one of them."))),
});

function audienceOf({ uid, uids = [], isAll }: v.InferOutput<typeof PublishBody>): Audience {
  // isAll wins over uid/uids, as in the seed design; they were still validated.
  if (isAll === true) return { all: true };
  return { all: false, uids: [...new Set(uid === undefined ? uids : [uid, ...uids])] };
}

/** `headerKey` is the `Idempotency-Key` header, if any. */
export function parsePublish(rawBody: unknown, headerKey: string | null): Publish {
  const body = parse(PublishBody, rawBody);
  const header = parse(PublishHeaders, { "Idempotency-Key": headerKey ?? undefined });
  const headerKeyClean = header["Idempotency-Key"];
  if (body.key !== undefined && headerKeyClean !== undefined && body.key !== headerKeyClean) {
    throw badRequest("key and the Idempotency-Key header differ; send one of them");
  }
  return {
    audience: audienceOf(body),
    event: body.event ?? DEFAULT_EVENT,
    msgJson: JSON.stringify(body.msg),
    key: body.key ?? headerKeyClean,
  };
}
