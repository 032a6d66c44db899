// Hostile input across every route, in secure mode. Each case must get its
// status and a JSON error, and none may reach a stream or change stored state.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { getInbox } from "../helpers/inbox";
import { AUTH } from "../helpers/publish";
import { BASE, closeAllStreams, fetchWorker, openStream, type SseClient } from "../helpers/sse-client";
import { TEST_ALLOWED_ORIGIN } from "../helpers/test-settings";
import { tokenFor } from "../helpers/tokens";
import { freshUid } from "../helpers/uids";

const victim = freshUid("victim");
let victimToken: string;
let stream: SseClient;
let openingLength: number;
let statsBefore: { published: number; delivered: number };
let inboxBefore: Awaited<ReturnType<typeof getInbox>>;

const JSON_TYPE = { "Content-Type": "application/json" };
const publisher = { ...JSON_TYPE, ...AUTH };

const send = (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) =>
  fetchWorker(path, { method, headers, body });
const publishRaw = (body: string, headers: Record<string, string> = publisher) => send("POST", "/update", body, headers);
const publishJson = (body: unknown, headers?: Record<string, string>) => publishRaw(JSON.stringify(body), headers);
const readJson = (body: unknown, query = "") => send("POST", `/inbox/read${query}`, JSON.stringify(body), JSON_TYPE);
const markJson = (action: string, body: unknown, token?: string) =>
  send("POST", `/inbox/${action}${token === undefined ? "" : `?token=${token}`}`, JSON.stringify(body), JSON_TYPE);
/** Published to the victim before the run: its key may not be reused for another request. */
const VICTIM_KEY = `victim-key-${Date.now()}`;

/** A body stream with no Content-Length: the limit must hold while reading. */
function chunkedBody(totalBytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(`{"uid":"${victim}","msg":"${"x".repeat(4096)}`);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
}

interface Case {
  readonly name: string;
  readonly status: number;
  readonly error: RegExp;
  readonly request: () => Promise<Response>;
}

function cases(): Case[] {
  const v = victim;
  const withToken = (query: string) => `${query}&token=${victimToken}`;
  return [
    // POST /update: the body
    { name: "malformed JSON", status: 400, error: /not valid JSON/, request: () => publishRaw(`{"uid":"${v}",`) },
    { name: "truncated JSON", status: 400, error: /not valid JSON/, request: () => publishRaw(`{"uid":"${v}","msg":"hel`) },
    { name: "JSON null", status: 400, error: /JSON object/, request: () => publishRaw("null") },
    { name: "JSON string", status: 400, error: /JSON object/, request: () => publishRaw('"hello"') },
    { name: "JSON array", status: 400, error: /JSON object/, request: () => publishJson([{ uid: v, msg: 1 }]) },
    { name: "empty body", status: 400, error: /empty/, request: () => publishRaw("") },
    {
      name: "invalid UTF-8",
      status: 400,
      error: /UTF-8/,
      request: () => send("POST", "/update", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), publisher),
    },
    {
      name: "__proto__ field",
      status: 400,
      error: /unknown field "__proto__"/,
      request: () => publishRaw(`{"uid":"${v}","msg":1,"__proto__":{"isAll":true}}`),
    },
    {
      name: "msg nested 20000 deep",
      status: 400,
      error: /levels deep/,
      request: () => publishRaw(`{"uid":"${v}","msg":${"[".repeat(20_000)}${"]".repeat(20_000)}}`),
    },
    { name: "msg missing", status: 400, error: /msg is required/, request: () => publishJson({ uid: v }) },
    // uid
    { name: "uid a float", status: 400, error: /uid must be a string/, request: () => publishJson({ uid: 1.5, msg: 1 }) },
    { name: "uid a boolean", status: 400, error: /uid must be a string/, request: () => publishJson({ uid: true, msg: 1 }) },
    { name: "uid an array", status: 400, error: /uid must be a string/, request: () => publishJson({ uid: [v], msg: 1 }) },
    { name: "uid empty", status: 400, error: /1 to 128/, request: () => publishJson({ uid: "", msg: 1 }) },
    { name: "uid of 129 characters", status: 400, error: /1 to 128/, request: () => publishJson({ uid: "u".repeat(129), msg: 1 }) },
    { name: "uid with CRLF", status: 400, error: /control/, request: () => publishJson({ uid: `${v}\r\nevent: x`, msg: 1 }) },
    { name: "uid with NUL", status: 400, error: /control/, request: () => publishJson({ uid: `${v}\u0000`, msg: 1 }) },
    { name: "uid with U+2028", status: 400, error: /control/, request: () => publishJson({ uid: `${v}\u2028`, msg: 1 }) },
    { name: "uid a lone surrogate", status: 400, error: /valid Unicode/, request: () => publishRaw(`{"uid":"${v}\\ud800","msg":1}`) },
    {
      name: "uid an unsafe integer",
      status: 400,
      error: /uid must be a string/,
      request: () => publishRaw('{"uid":12345678901234567890,"msg":1}'),
    },
    // uids
    { name: "uids a string", status: 400, error: /uids must be an array/, request: () => publishJson({ uids: v, msg: 1 }) },
    {
      name: "uids over 1000",
      status: 400,
      error: /at most 1000/,
      request: () => publishJson({ uids: Array.from({ length: 1001 }, (_, i) => `u${i}`), msg: 1 }),
    },
    { name: "uids with an object", status: 400, error: /uids\[1\]/, request: () => publishJson({ uids: [v, { uid: v }], msg: 1 }) },
    // event, key, isAll
    {
      name: "event with CRLF",
      status: 400,
      error: /event must match/,
      request: () => publishJson({ uid: v, event: "a\r\ndata: x", msg: 1 }),
    },
    {
      name: "event of 65 characters",
      status: 400,
      error: /event must match/,
      request: () => publishJson({ uid: v, event: "e".repeat(65), msg: 1 }),
    },
    { name: "event empty", status: 400, error: /event must match/, request: () => publishJson({ uid: v, event: "", msg: 1 }) },
    { name: "event reserved", status: 400, error: /reserved/, request: () => publishJson({ uid: v, event: "reset", msg: 1 }) },
    { name: "event a number", status: 400, error: /event must match/, request: () => publishJson({ uid: v, event: 7, msg: 1 }) },
    { name: "event in Chinese", status: 400, error: /event must match/, request: () => publishJson({ uid: v, event: "消息", msg: 1 }) },
    {
      name: "key with a line break",
      status: 400,
      error: /key must not contain/,
      request: () => publishJson({ uid: v, key: "a\nb", msg: 1 }),
    },
    {
      name: "key of 257 characters",
      status: 400,
      error: /key must be 1 to 256/,
      request: () => publishJson({ uid: v, key: "k".repeat(257), msg: 1 }),
    },
    { name: "key a number", status: 400, error: /key must be a string/, request: () => publishJson({ uid: v, key: 5, msg: 1 }) },
    {
      name: "key differs from Idempotency-Key",
      status: 400,
      error: /differ/,
      request: () => publishJson({ uid: v, key: "a", msg: 1 }, { ...publisher, "Idempotency-Key": "b" }),
    },
    { name: "isAll a string", status: 400, error: /isAll/, request: () => publishJson({ uid: v, isAll: "true", msg: 1 }) },
    {
      name: "key reused for another request",
      status: 409,
      error: /different request/,
      request: () => publishJson({ uid: v, key: VICTIM_KEY, msg: "not the first" }),
    },
    // batches
    {
      name: "batch with a bad entry",
      status: 400,
      error: /^messages\[1\]\.uid must be a string$/,
      request: () =>
        publishJson({
          messages: [
            { uid: v, msg: "fine" },
            { uid: [v], msg: 1 },
          ],
        }),
    },
    {
      name: "batch of 501",
      status: 400,
      error: /1 to 500 messages/,
      request: () => publishJson({ messages: Array.from({ length: 501 }, () => ({ uid: v, msg: 1 })) }),
    },
    {
      name: "batch reusing a key for another request",
      status: 409,
      error: /^messages\[1\]\.key/,
      request: () =>
        publishJson({
          messages: [
            { uid: v, msg: "fine" },
            { uid: v, key: VICTIM_KEY, msg: "not the first" },
          ],
        }),
    },
    {
      name: "batch with a field beside messages",
      status: 400,
      error: /unknown field "isAll"; allowed: messages/,
      request: () => publishJson({ messages: [{ uid: v, msg: 1 }], isAll: true }),
    },
    // tags, expiresAt, ttl
    { name: "tags a string", status: 400, error: /tags must be an array/, request: () => publishJson({ uid: v, tags: "social", msg: 1 }) },
    {
      name: "tags six of them",
      status: 400,
      error: /at most 5 tags/,
      request: () => publishJson({ uid: v, tags: ["a", "b", "c", "d", "e", "f"], msg: 1 }),
    },
    { name: "tag in capitals", status: 400, error: /tags/, request: () => publishJson({ uid: v, tags: ["Social"], msg: 1 }) },
    { name: "tag with a comma", status: 400, error: /tags/, request: () => publishJson({ uid: v, tags: ["a,b"], msg: 1 }) },
    { name: "tag of 33 characters", status: 400, error: /tags/, request: () => publishJson({ uid: v, tags: ["t".repeat(33)], msg: 1 }) },
    { name: "tag empty", status: 400, error: /tags/, request: () => publishJson({ uid: v, tags: [""], msg: 1 }) },
    {
      name: "expiresAt in the past",
      status: 400,
      error: /expiresAt must be a time/,
      request: () => publishJson({ uid: v, expiresAt: Date.now() - 1000, msg: 1 }),
    },
    {
      name: "expiresAt over a year away",
      status: 400,
      error: /within a year/,
      request: () => publishJson({ uid: v, expiresAt: Date.now() + 400 * 86_400_000, msg: 1 }),
    },
    { name: "expiresAt a string", status: 400, error: /expiresAt/, request: () => publishJson({ uid: v, expiresAt: "tomorrow", msg: 1 }) },
    {
      name: "expiresAt in seconds with a fraction",
      status: 400,
      error: /expiresAt/,
      request: () => publishJson({ uid: v, expiresAt: 1.5, msg: 1 }),
    },
    { name: "ttl zero", status: 400, error: /ttl must be whole seconds/, request: () => publishJson({ uid: v, ttl: 0, msg: 1 }) },
    { name: "ttl over a year", status: 400, error: /ttl/, request: () => publishJson({ uid: v, ttl: 31_536_001, msg: 1 }) },
    { name: "ttl a string", status: 400, error: /ttl/, request: () => publishJson({ uid: v, ttl: "60", msg: 1 }) },
    {
      name: "both expiresAt and ttl",
      status: 400,
      error: /not both/,
      request: () => publishJson({ uid: v, ttl: 60, expiresAt: Date.now() + 60_000, msg: 1 }),
    },
    // size, type, auth, method
    { name: "body over the limit", status: 413, error: /MAX_BODY_BYTES/, request: () => publishJson({ uid: v, msg: "x".repeat(70_000) }) },
    {
      name: "chunked body over the limit",
      status: 413,
      error: /MAX_BODY_BYTES/,
      // In-process: through the loopback, workerd logs the refused upload's broken pipe.
      request: async () =>
        app.fetch(new Request(`${BASE}/update`, { method: "POST", headers: publisher, body: chunkedBody(200_000) }), env),
    },
    {
      name: "text/plain",
      status: 415,
      error: /application\/json/,
      request: () => publishRaw(JSON.stringify({ uid: v, msg: 1 }), { ...AUTH, "Content-Type": "text/plain" }),
    },
    {
      name: "no Content-Type",
      status: 415,
      error: /application\/json/,
      request: () => publishRaw(JSON.stringify({ uid: v, msg: 1 }), AUTH),
    },
    { name: "no publisher token", status: 401, error: /Bearer/, request: () => publishRaw(JSON.stringify({ uid: v, msg: 1 }), JSON_TYPE) },
    {
      name: "wrong publisher token",
      status: 401,
      error: /wrong/,
      request: () => publishRaw(JSON.stringify({ uid: v, msg: 1 }), { ...JSON_TYPE, Authorization: "Bearer test-publisher-tokeN" }),
    },
    {
      name: "Basic auth",
      status: 401,
      error: /Bearer/,
      request: () => publishRaw(JSON.stringify({ uid: v, msg: 1 }), { ...JSON_TYPE, Authorization: "Basic dGVzdA==" }),
    },
    {
      name: "subscriber token as publisher",
      status: 401,
      error: /wrong/,
      request: () => publishRaw(JSON.stringify({ uid: v, msg: 1 }), { ...JSON_TYPE, Authorization: `Bearer ${victimToken}` }),
    },
    { name: "GET /update", status: 405, error: /GET is not allowed/, request: () => send("GET", "/update") },
    // GET /push
    { name: "push without a token", status: 401, error: /needs a subscriber token/, request: () => send("GET", `/push?uid=${v}`) },
    {
      name: "push with a forged token",
      status: 401,
      error: /signature/,
      request: async () => send("GET", `/push?uid=${v}&token=${await tokenFor(v, 3600, "guess")}`),
    },
    {
      name: "push with an expired token",
      status: 401,
      error: /expired/,
      request: async () => send("GET", `/push?uid=${v}&token=${await tokenFor(v, -1)}`),
    },
    {
      name: "push with another uid's token",
      status: 401,
      error: /another uid/,
      request: async () => send("GET", `/push?uid=${v}&token=${await tokenFor(`${v}x`)}`),
    },
    {
      name: "push with a truncated token",
      status: 401,
      error: /malformed/,
      request: () => send("GET", `/push?uid=${v}&token=${victimToken.slice(0, 30)}`),
    },
    {
      name: "push with a four-part token",
      status: 401,
      error: /malformed/,
      request: () => send("GET", `/push?uid=${v}&token=${victimToken}.x`),
    },
    {
      name: "push with a huge token",
      status: 401,
      error: /malformed/,
      request: () => send("GET", `/push?uid=${v}&token=${"a".repeat(5000)}`),
    },
    {
      name: "push with a forged cookie",
      status: 401,
      error: /signature/,
      request: async () => send("GET", `/push?uid=${v}`, undefined, { Cookie: `inbox_token=${await tokenFor(v, 3600, "guess")}` }),
    },
    {
      name: "push with Basic auth instead of a bearer token",
      status: 401,
      error: /must be Bearer/,
      request: () => send("GET", `/push?uid=${v}`, undefined, { Authorization: "Basic dGVzdA==" }),
    },
    {
      name: "push with a forged bearer token beside a valid query token",
      status: 401,
      error: /signature/,
      request: async () =>
        send("GET", `/push?uid=${v}&token=${victimToken}`, undefined, { Authorization: `Bearer ${await tokenFor(v, 3600, "guess")}` }),
    },
    { name: "push without a uid", status: 400, error: /uid/, request: () => send("GET", "/push") },
    { name: "push with a CR in the uid", status: 400, error: /control/, request: () => send("GET", `/push?uid=${v}%0D`) },
    { name: "POST /push", status: 405, error: /POST is not allowed/, request: () => send("POST", `/push?uid=${v}`) },
    // /inbox and /inbox/read
    { name: "inbox without a token", status: 401, error: /needs a subscriber token/, request: () => send("GET", `/inbox?uid=${v}`) },
    { name: "inbox limit too large", status: 400, error: /limit/, request: () => send("GET", withToken(`/inbox?uid=${v}&limit=1000`)) },
    {
      name: "inbox limit in exponent form",
      status: 400,
      error: /limit/,
      request: () => send("GET", withToken(`/inbox?uid=${v}&limit=1e1`)),
    },
    {
      name: "inbox before past the safe integers",
      status: 400,
      error: /before/,
      request: () => send("GET", withToken(`/inbox?uid=${v}&before=9999999999999999`)),
    },
    { name: "inbox before not an id", status: 400, error: /before/, request: () => send("GET", withToken(`/inbox?uid=${v}&before=abc`)) },
    {
      name: "inbox status unknown",
      status: 400,
      error: /status must be/,
      request: () => send("GET", withToken(`/inbox?uid=${v}&status=new`)),
    },
    {
      name: "inbox tag in capitals",
      status: 400,
      error: /tag must match/,
      request: () => send("GET", withToken(`/inbox?uid=${v}&tag=Social`)),
    },
    {
      name: "inbox tags six of them",
      status: 400,
      error: /tags must be at most 5/,
      request: () => send("GET", withToken(`/inbox?uid=${v}&tags=a,b,c,d,e,f`)),
    },
    {
      name: "inbox tags with an empty one",
      status: 400,
      error: /tags/,
      request: () => send("GET", withToken(`/inbox?uid=${v}&tags=a,,b`)),
    },
    ...["seen", "archive", "unarchive", "delete"].flatMap((action): Case[] => [
      {
        name: `${action} without a token`,
        status: 401,
        error: /needs a subscriber token/,
        request: () => markJson(action, { uid: v, upTo: "999999" }),
      },
      {
        name: `${action} naming nothing`,
        status: 400,
        error: new RegExp(`name what to ${action === "seen" ? "mark seen" : action}`),
        request: () => markJson(action, { uid: v }, victimToken),
      },
      {
        name: `${action} ids not ids`,
        status: 400,
        error: /ids\[0\]/,
        request: () => markJson(action, { uid: v, ids: ["x"] }, victimToken),
      },
      {
        name: `${action} with an unknown field`,
        status: 400,
        error: /unknown field/,
        request: () => markJson(action, { uid: v, upTo: "1", all: true }, victimToken),
      },
    ]),
    { name: "read without a token", status: 401, error: /needs a subscriber token/, request: () => readJson({ uid: v, upTo: "999999" }) },
    {
      name: "read with another uid's token",
      status: 401,
      error: /another uid/,
      request: async () => readJson({ uid: v, upTo: "999999" }, `?token=${await tokenFor("intruder")}`),
    },
    {
      name: "read ids not an array",
      status: 400,
      error: /ids must be an array/,
      request: () => readJson({ uid: v, ids: "1" }, `?token=${victimToken}`),
    },
    { name: "read upTo negative", status: 400, error: /upTo/, request: () => readJson({ uid: v, upTo: "-1" }, `?token=${victimToken}`) },
    {
      name: "read with an unknown field",
      status: 400,
      error: /unknown field/,
      request: () => readJson({ uid: v, all: true }, `?token=${victimToken}`),
    },
    // /token and /stats
    {
      name: "token without publisher auth",
      status: 401,
      error: /Bearer/,
      request: () => send("POST", "/token", JSON.stringify({ uid: v }), JSON_TYPE),
    },
    {
      name: "token ttl zero",
      status: 400,
      error: /ttl/,
      request: () => send("POST", "/token", JSON.stringify({ uid: v, ttl: 0 }), publisher),
    },
    {
      name: "token ttl over a day",
      status: 400,
      error: /ttl/,
      request: () => send("POST", "/token", JSON.stringify({ uid: v, ttl: 86_401 }), publisher),
    },
    {
      name: "token ttl a string",
      status: 400,
      error: /ttl/,
      request: () => send("POST", "/token", JSON.stringify({ uid: v, ttl: "60" }), publisher),
    },
    {
      name: "token without a uid",
      status: 400,
      error: /uid/,
      request: () => send("POST", "/token", JSON.stringify({ ttl: 60 }), publisher),
    },
    { name: "stats without publisher auth", status: 401, error: /Bearer/, request: () => send("GET", "/stats") },
    // /messages/{id} and /users/{uid}
    { name: "retract without publisher auth", status: 401, error: /Bearer/, request: () => send("DELETE", "/messages/1") },
    {
      name: "retract with a subscriber token",
      status: 401,
      error: /wrong/,
      request: () => send("DELETE", "/messages/1", undefined, { Authorization: `Bearer ${victimToken}` }),
    },
    {
      name: "retract an unknown message",
      status: 404,
      error: /no message/,
      request: () => send("DELETE", "/messages/no-such", undefined, AUTH),
    },
    {
      name: "retract a key of 257 characters",
      status: 400,
      error: /id must be 1 to 256/,
      request: () => send("DELETE", `/messages/${"k".repeat(257)}`, undefined, AUTH),
    },
    {
      name: "retract a key with a line break",
      status: 400,
      error: /control characters/,
      request: () => send("DELETE", "/messages/a%0Ab", undefined, AUTH),
    },
    { name: "receipt without publisher auth", status: 401, error: /Bearer/, request: () => send("GET", "/messages/1") },
    {
      name: "receipt of an unknown message",
      status: 404,
      error: /no message/,
      request: () => send("GET", "/messages/999999999", undefined, AUTH),
    },
    { name: "POST /messages/1", status: 405, error: /POST is not allowed/, request: () => send("POST", "/messages/1", undefined, AUTH) },
    { name: "erase without publisher auth", status: 401, error: /Bearer/, request: () => send("DELETE", `/users/${v}`) },
    {
      name: "erase with the victim's own token",
      status: 401,
      error: /wrong/,
      request: () => send("DELETE", `/users/${v}`, undefined, { Authorization: `Bearer ${victimToken}` }),
    },
    {
      name: "erase a uid with a CR",
      status: 400,
      error: /control/,
      request: () => send("DELETE", "/users/a%0D", undefined, AUTH),
    },
    { name: "GET /users/x", status: 405, error: /GET is not allowed/, request: () => send("GET", "/users/x", undefined, AUTH) },
    // routing and CORS
    { name: "an unknown route", status: 404, error: /no route/, request: () => send("GET", "/admin") },
    { name: "DELETE /inbox", status: 405, error: /DELETE is not allowed/, request: () => send("DELETE", `/inbox?uid=${v}`) },
    {
      name: "preflight from a foreign origin",
      status: 403,
      error: /not in ALLOWED_ORIGINS/,
      request: () => send("OPTIONS", `/inbox/read`, undefined, { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" }),
    },
  ];
}

beforeAll(async () => {
  victimToken = await tokenFor(victim);
  const keyed = await send("POST", "/update", JSON.stringify({ uid: victim, key: VICTIM_KEY, msg: "the first" }), publisher);
  expect(keyed.status).toBe(200);
  stream = await openStream(victim, { query: { token: victimToken } });
  openingLength = stream.raw.length;
  statsBefore = (await (await fetchWorker("/stats", { headers: AUTH })).json()) as typeof statsBefore;
  inboxBefore = await getInbox(victim, { token: victimToken });
});

afterAll(closeAllStreams);

describe("hostile input", () => {
  it("has at least 40 cases", () => {
    expect(cases().length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases().map((c) => [c.name, c] as const))("%s: answers its status with a JSON error", async (_name, c) => {
    const response = await c.request();
    expect(response.status).toBe(c.status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const body = (await response.json()) as { code: number; error: string };
    expect(body.code).toBe(c.status);
    expect(body.error).toMatch(c.error);
  });

  it("left no trace: the victim's stream got only heartbeats, nothing was stored or published", async () => {
    expect(stream.raw.slice(openingLength).replaceAll(": ping\n\n", "")).toBe("");
    expect(stream.ended).toBe(false);
    const statsAfter = (await (await fetchWorker("/stats", { headers: AUTH })).json()) as typeof statsBefore;
    expect(statsAfter.published).toBe(statsBefore.published);
    expect(statsAfter.delivered).toBe(statsBefore.delivered);
    expect(await getInbox(victim, { token: victimToken })).toEqual(inboxBefore);
  });
});

describe("CORS", () => {
  const origin = TEST_ALLOWED_ORIGIN;

  it("answers an allowed origin's preflight with its origin and credentials", async () => {
    const response = await send("OPTIONS", "/inbox/read", undefined, { Origin: origin, "Access-Control-Request-Method": "POST" });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type, Last-Event-ID");
  });

  it("puts CORS headers on /push, /inbox and their errors for an allowed origin only", async () => {
    const uid = freshUid("cors");
    const token = await tokenFor(uid);
    const allowed = await send("GET", `/inbox?uid=${uid}&token=${token}`, undefined, { Origin: origin });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(origin);
    const refused = await send("GET", `/inbox?uid=${uid}`, undefined, { Origin: origin });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(origin);
    // The typed client paces its retries by Retry-After: the page may read it.
    expect(refused.headers.get("access-control-expose-headers")).toBe("Retry-After");
    const foreign = await send("GET", `/inbox?uid=${uid}&token=${token}`, undefined, { Origin: "https://evil.example" });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const pushed = await send("GET", `/push?uid=${uid}&token=${token}`, undefined, { Origin: origin });
    expect(pushed.headers.get("access-control-allow-origin")).toBe(origin);
    await pushed.body?.cancel();
  });

  it("never answers CORS on publisher routes", async () => {
    for (const path of ["/update", "/token", "/stats"]) {
      const response = await send("OPTIONS", path, undefined, { Origin: origin, "Access-Control-Request-Method": "POST" });
      expect(response.headers.get("access-control-allow-origin"), path).toBeNull();
    }
    const stats = await send("GET", "/stats", undefined, { ...AUTH, Origin: origin });
    expect(stats.headers.get("access-control-allow-origin")).toBeNull();
  });
});
