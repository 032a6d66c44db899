// Subscriber tokens: who may listen to a uid, and until when.
//   token = base64url(uid) "." exp "." base64url(HMAC-SHA256(secret, base64url(uid) "." exp))
// exp is in Unix seconds. Web Crypto only, no I/O: pure functions of their inputs.
import type { SubscriberToken } from "../messages";
import { decodeBase64Url, encodeBase64Url } from "./base64url";

export const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;
export const DEFAULT_TOKEN_TTL_SECONDS = 60 * 60;
const MAX_TOKEN_LENGTH = 1024;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

export async function signSubscriberToken(secret: string, uid: string, exp: number): Promise<string> {
  const payload = `${encodeBase64Url(encoder.encode(uid))}.${exp}`;
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(payload));
  return `${payload}.${encodeBase64Url(new Uint8Array(signature))}`;
}

/** A token for uid that expires `ttlSeconds` after `nowMs`, in the shape POST /token answers. */
export async function issueSubscriberToken(secret: string, uid: string, ttlSeconds: number, nowMs = Date.now()): Promise<SubscriberToken> {
  const exp = Math.floor(nowMs / 1000) + ttlSeconds;
  return { uid, token: await signSubscriberToken(secret, uid, exp), exp };
}

export type TokenCheck =
  | { readonly ok: true; readonly exp: number }
  | { readonly ok: false; readonly reason: "malformed" | "signature" | "uid" | "expired" };

/** Whether `token` lets its holder listen to `uid` at `nowSeconds`. */
export async function verifySubscriberToken(secret: string, token: string, uid: string, nowSeconds: number): Promise<TokenCheck> {
  const parts = token.length <= MAX_TOKEN_LENGTH ? token.split(".") : [];
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [uidPart, expPart, signaturePart] = parts as [string, string, string];
  const uidBytes = decodeBase64Url(uidPart);
  const signature = decodeBase64Url(signaturePart);
  if (uidBytes === null || signature === null || signature.byteLength !== 32 || !/^[1-9][0-9]{0,11}$/.test(expPart)) {
    return { ok: false, reason: "malformed" };
  }
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, encoder.encode(`${uidPart}.${expPart}`));
  if (!valid) return { ok: false, reason: "signature" };
  if (new TextDecoder().decode(uidBytes) !== uid) return { ok: false, reason: "uid" };
  const exp = Number(expPart);
  if (exp <= nowSeconds) return { ok: false, reason: "expired" };
  return { ok: true, exp };
}
