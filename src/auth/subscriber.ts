// Subscriber auth for /push and /inbox*: when SUBSCRIBE_SECRET is set, the
// caller must hold a token for the uid. It is read from, in this order:
// `Authorization: Bearer` (the typed client; stays out of URLs and logs),
// `?token=` (EventSource cannot send headers), the `inbox_token` cookie.

import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { HttpError } from "../errors";
import { bearerTokenOf } from "./bearer";
import { type TokenCheck, verifySubscriberToken } from "./subscriber-token";

export const TOKEN_COOKIE = "inbox_token";

const REFUSALS: Record<Exclude<TokenCheck, { ok: true }>["reason"], string> = {
  malformed: "the subscriber token is malformed; expected base64url(uid).exp.signature",
  signature: "the subscriber token's signature is wrong",
  uid: "the subscriber token is for another uid",
  expired: "the subscriber token has expired; ask your backend for a new one",
};

const unauthorized = (message: string) => new HttpError(401, message, { "WWW-Authenticate": 'Bearer realm="edge-inbox subscriber"' });

/**
 * Unix ms until which the caller may listen to uid: null when subscriber auth
 * is off (no SUBSCRIBE_SECRET), else the token's expiry. Throws 401 otherwise.
 */
export async function requireSubscriber(c: Context, secret: string | undefined, uid: string): Promise<number | null> {
  if (secret === undefined) return null;
  const token = bearerToken(c.req.header("authorization")) ?? c.req.query("token") ?? getCookie(c, TOKEN_COOKIE);
  if (token === undefined || token === "") {
    throw unauthorized(
      "this uid needs a subscriber token: send Authorization: Bearer <token>, ?token= or the inbox_token cookie (POST /token mints one)",
    );
  }
  const check = await verifySubscriberToken(secret, token, uid, Math.floor(Date.now() / 1000));
  if (!check.ok) throw unauthorized(REFUSALS[check.reason]);
  return check.exp * 1000;
}

/** The token of an `Authorization: Bearer <token>` header; undefined without one, 401 for another scheme. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const token = bearerTokenOf(header);
  if (token === null) throw unauthorized("the Authorization header must be Bearer <subscriber token>");
  return token;
}
