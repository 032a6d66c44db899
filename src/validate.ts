// Pure checks for the fields every route shares. Each returns the clean value
// or throws a 400 HttpError whose message says how to fix the input.
import { badRequest } from "./errors";
import type { ResumePoint } from "./hub/subscribe-request";
import { EVENT_NAME_PATTERN, RESERVED_EVENTS } from "./messages";

export const MAX_UID_LENGTH = 128;
export const MAX_KEY_LENGTH = 256;
// C0 and C1 controls, DEL, and the Unicode line/paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// A lone surrogate cannot be encoded as UTF-8 and would be silently replaced.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkText(field: string, value: string, maxLength: number): string {
  if (value.length === 0 || value.length > maxLength) {
    throw badRequest(`${field} must be 1 to ${maxLength} characters`);
  }
  if (CONTROL.test(value)) throw badRequest(`${field} must not contain control characters or line breaks`);
  if (LONE_SURROGATE.test(value)) throw badRequest(`${field} must be valid Unicode text`);
  return value;
}

/** A uid is a string of 1–128 characters; a safe integer is accepted as its decimal string. */
export function parseUid(value: unknown, field = "uid"): string {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== "string") throw badRequest(`${field} must be a string`);
  return checkText(field, value, MAX_UID_LENGTH);
}

export function parseEventName(value: unknown): string {
  if (typeof value !== "string" || !EVENT_NAME_PATTERN.test(value)) {
    throw badRequest("event must match ^[A-Za-z0-9_.:-]{1,64}$");
  }
  if (RESERVED_EVENTS.includes(value)) {
    throw badRequest(`event "${value}" is reserved for the hub; choose another name`);
  }
  return value;
}

export function parseIdempotencyKey(value: unknown, field = "key"): string {
  if (typeof value !== "string") throw badRequest(`${field} must be a string`);
  return checkText(field, value, MAX_KEY_LENGTH);
}

/** A message id as the hub issues them: a positive decimal integer. */
export function parseMessageId(value: unknown, field: string): number {
  const text = typeof value === "number" ? String(value) : value;
  // 16 digits can pass Number.MAX_SAFE_INTEGER, where distinct ids would collide.
  if (typeof text !== "string" || !/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw badRequest(`${field} must be a message id (a positive decimal integer)`);
  }
  return Number(text);
}

/** A JSON object with no fields but `allowed`; `example` shows the caller a good body. */
export function parseJsonObject(body: unknown, allowed: readonly string[], example: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(`the body must be a JSON object like ${example}`);
  }
  const unknownField = Object.keys(body).find((field) => !allowed.includes(field));
  if (unknownField !== undefined) {
    throw badRequest(`unknown field ${JSON.stringify(unknownField)}; allowed: ${allowed.join(", ")}`);
  }
  return body as Record<string, unknown>;
}

/**
 * `Last-Event-ID` (or `?lastEventId=`) as the hub understands it: absent or
 * blank is a fresh stream, an id the hub could have issued resumes after it,
 * anything else is "unknown" and gets a `reset` carrying the current head.
 */
export function parseResumePoint(text: string | undefined): ResumePoint | undefined {
  const trimmed = text?.trim() ?? "";
  if (trimmed === "") return undefined;
  return /^(0|[1-9][0-9]{0,15})$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) ? Number(trimmed) : "unknown";
}
