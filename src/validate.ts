// Every input is checked against a valibot schema, once, at the edge: the
// fields routes share are here, each route's own shape in update.ts and
// requests.ts. The same schemas become the OpenAPI document (src/openapi/),
// so the document says exactly what the checks do.
//
// `parse` turns the first problem into a 400 that says what is wrong and how
// to fix it. A field's message starts with "must" and follows the field's
// name ("uids[1] must be a string"); any other message is a whole sentence.
import * as v from "valibot";
import { badRequest } from "./errors";
import type { ResumePoint } from "./hub/subscribe-request";
import { EVENT_NAME_PATTERN, RESERVED_EVENTS } from "./messages";

export const MAX_UID_LENGTH = 128;
export const MAX_KEY_LENGTH = 256;
// No C0 or C1 control, DEL, or Unicode line/paragraph separator.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
// A lone surrogate cannot be encoded as UTF-8 and would be silently replaced.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text of 1 to `max` characters that is safe on an SSE line and survives UTF-8. */
function text(max: number) {
  const length = `must be 1 to ${max} characters`;
  return v.pipe(
    v.string("must be a string"),
    v.minLength(1, length),
    v.maxLength(max, length),
    v.regex(NO_CONTROL, "must not contain control characters or line breaks"),
    v.check((value) => !LONE_SURROGATE.test(value), "must be valid Unicode text"),
  );
}

/** A uid as a query parameter carries it. */
export const UidText = text(MAX_UID_LENGTH);
/** A uid in a JSON body: a string, or a safe integer taken as its decimal string. */
export const Uid = v.union([UidText, v.pipe(v.number(), v.safeInteger("must be a string"), v.transform(String))], "must be a string");

const NOT_AN_ID = "must be a message id (a positive decimal integer)";
/** A message id as the hub issues them: a positive decimal, parsed to a number. */
export const MessageIdText = v.pipe(
  v.string(NOT_AN_ID),
  v.regex(/^[1-9][0-9]{0,15}$/, NOT_AN_ID),
  // 16 digits can pass Number.MAX_SAFE_INTEGER, where distinct ids would collide.
  v.check((digits) => Number.isSafeInteger(Number(digits)), NOT_AN_ID),
  v.transform(Number),
);
/** A message id in a JSON body: its decimal string or the number. */
export const MessageId = v.union(
  [MessageIdText, v.pipe(v.number(NOT_AN_ID), v.safeInteger(NOT_AN_ID), v.minValue(1, NOT_AN_ID))],
  NOT_AN_ID,
);

const EVENT_RULE = `must match ${EVENT_NAME_PATTERN.source}`;
export const EventName = v.pipe(
  v.string(EVENT_RULE),
  v.regex(EVENT_NAME_PATTERN, EVENT_RULE),
  v.notValues(RESERVED_EVENTS, (issue) => `must not be ${issue.received}, a name reserved for the hub's own events; choose another`),
);

export const IdempotencyKey = text(MAX_KEY_LENGTH);

/** A duration in whole seconds from 1 to `max`. */
export function wholeSeconds(max: number) {
  const rule = `must be whole seconds from 1 to ${max}`;
  return v.pipe(v.number(rule), v.integer(rule), v.minValue(1, rule), v.maxValue(max, rule));
}

/** What a missing or unknown field is told; `example` shows a good object. */
function fieldsMessage(entries: v.ObjectEntries, example: string | undefined) {
  const allowed = Object.keys(entries).join(", ");
  return (issue: v.ObjectIssue | v.StrictObjectIssue) => {
    const field = issue.path?.at(-1)?.key;
    if (issue.expected === "never") return `unknown field ${issue.received}; allowed: ${allowed}`;
    return `${String(field)} is required${example === undefined ? "" : `, e.g. ${example}`}`;
  };
}

const isJsonObject = (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value);

/** A JSON object with these fields and no others. */
export function jsonObject<const TEntries extends v.ObjectEntries>(entries: TEntries, example: string) {
  return v.pipe(
    v.unknown(),
    // valibot's object schemas would take an array for an object.
    v.check(isJsonObject, `must be a JSON object like ${example}`),
    v.strictObject(entries, fieldsMessage(entries, example)),
  );
}

/** Query parameters or headers: these are read, any others (e.g. `token`) are left alone. */
export function paramObject<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.object(entries, fieldsMessage(entries, undefined));
}

/** "uids[1]", "messages[3].uid": where in the input the issue is. */
function pathLabel(path: readonly v.IssuePathItem[]): string {
  return path.map((item, i) => (typeof item.key === "number" ? `[${item.key}]` : `${i === 0 ? "" : "."}${String(item.key)}`)).join("");
}

function describe(issue: v.BaseIssue<unknown>, rootLabel: string): string {
  const path = issue.path ?? [];
  // A missing or unknown field's message names the field already.
  const valuePath = path.at(-1)?.origin === "key" ? path.slice(0, -1) : path;
  const label = valuePath.length === 0 ? rootLabel : pathLabel(valuePath);
  if (issue.message.startsWith("must ")) return `${label} ${issue.message}`;
  return valuePath.length === 0 ? issue.message : `${label}: ${issue.message}`;
}

const isUnknownField = (issue: v.BaseIssue<unknown>) => issue.expected === "never" && issue.path?.at(-1)?.origin === "key";

/**
 * The clean value, or a 400 naming one problem: an unknown field first (most
 * likely a typo), else the first. `rootLabel` names the input as a whole.
 */
export function parse<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
  rootLabel = "the body",
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  const issue = result.issues.find(isUnknownField) ?? result.issues[0];
  throw badRequest(describe(issue, rootLabel));
}

export const parseUid = (value: unknown): string => parse(UidText, value, "uid");

/**
 * `Last-Event-ID` (or `?lastEventId=`) as the hub understands it: absent or
 * blank is a fresh stream, an id the hub could have issued resumes after it,
 * anything else is "unknown" and gets a `reset` carrying the current head.
 */
export function parseResumePoint(text: string | undefined): ResumePoint | undefined {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") return undefined;
  // "0" too: the head before the first message, as the opening `unread` event says it.
  if (trimmed === "0") return 0;
  const id = v.safeParse(MessageIdText, trimmed);
  return id.success ? id.output : "unknown";
}
