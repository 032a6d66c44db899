// Parse and validate a publish (`POST /update`) into a clean Publish, or throw 400.
import { badRequest } from "./errors";
import { DEFAULT_EVENT } from "./messages";
import { parseEventName, parseIdempotencyKey, parseJsonObject, parseUid } from "./validate";

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

const PUBLISH_FIELDS = ["uid", "uids", "isAll", "msg", "event", "key"];

function parseAudience(body: Record<string, unknown>): Audience {
  if (body.isAll !== undefined && typeof body.isAll !== "boolean") {
    throw badRequest("isAll must be true or false");
  }
  const uids = new Set<string>();
  if (body.uid !== undefined) uids.add(parseUid(body.uid));
  if (body.uids !== undefined) {
    if (!Array.isArray(body.uids)) throw badRequest("uids must be an array of uid strings");
    if (body.uids.length > MAX_UIDS) throw badRequest(`uids holds at most ${MAX_UIDS} uids`);
    for (const [i, uid] of body.uids.entries()) uids.add(parseUid(uid, `uids[${i}]`));
  }
  // isAll wins over uid/uids, as in the seed design; they were still validated.
  if (body.isAll === true) return { all: true };
  if (uids.size === 0) throw badRequest("name the recipients: uid, uids, or isAll: true");
  return { all: false, uids: [...uids] };
}

/** Whether value nests objects/arrays more than `depthLeft` levels deep (it stops looking there). */
function nestsDeeper(value: unknown, depthLeft: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (depthLeft === 0) return true;
  return Object.values(value).some((child) => nestsDeeper(child, depthLeft - 1));
}

/** `headerKey` is the `Idempotency-Key` header, if any. */
export function parsePublish(rawBody: unknown, headerKey: string | null): Publish {
  const body = parseJsonObject(rawBody, PUBLISH_FIELDS, '{"uid":"1","msg":"hello"}');
  if (body.msg === undefined) throw badRequest("msg is required (any JSON value)");
  if (nestsDeeper(body.msg, MAX_MSG_DEPTH)) throw badRequest(`msg nests more than ${MAX_MSG_DEPTH} levels deep`);
  const audience = parseAudience(body);
  const event = body.event === undefined ? DEFAULT_EVENT : parseEventName(body.event);
  const bodyKey = body.key === undefined ? undefined : parseIdempotencyKey(body.key);
  const headerKeyClean = headerKey === null ? undefined : parseIdempotencyKey(headerKey, "Idempotency-Key");
  if (bodyKey !== undefined && headerKeyClean !== undefined && bodyKey !== headerKeyClean) {
    throw badRequest("key and the Idempotency-Key header differ; send one of them");
  }
  return { audience, event, msgJson: JSON.stringify(body.msg), key: bodyKey ?? headerKeyClean };
}
