// The Worker's routes, in one table. Every answer that is not 2xx leaves
// through `onError` / `notFound` as {code, error}.
import { type Context, Hono, type Next } from "hono";
import { requirePublisher } from "./auth/publisher";
import { requireSubscriber } from "./auth/subscriber";
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS, signSubscriberToken } from "./auth/subscriber-token";
import { readJsonBody } from "./body";
import { cors } from "./cors";
import { badRequest, errorResponse, HttpError, LOCAL_HINT } from "./errors";
import { callHub, HubUnavailable } from "./hub/calls";
import type { HubStats } from "./hub/push-hub";
import { hubAt, hubFor } from "./hub/shards";
import { toHubRequest } from "./hub/subscribe-request";
import { publishToHubs } from "./publish";
import { failedHubRetryMs } from "./retry-delay";
import { readSettings, type Settings } from "./settings";
import { busyResponse } from "./sse/response";
import { parsePublish } from "./update";
import { parseJsonObject, parseMessageId, parseUid } from "./validate";

type AppEnv = { Bindings: Env; Variables: { settings: Settings } };

export const INBOX_PAGE_DEFAULT = 20;
export const INBOX_PAGE_MAX = 100;
export const MAX_READ_IDS = 1000;

export const app = new Hono<AppEnv>();

app.use(async (c, next) => {
  c.set("settings", readSettings(c.env));
  await next();
});

for (const browserPath of ["/push", "/inbox", "/inbox/read"]) {
  app.use(browserPath, (c, next) => cors(c.get("settings").allowedOrigins, c, next));
}

app.get("/push", async (c) => {
  const settings = c.get("settings");
  const uid = parseUid(c.req.query("uid"));
  // EventSource resends the last id it saw; clients without it may use the query.
  const lastEventId = c.req.header("last-event-id") ?? c.req.query("lastEventId");
  const expiresAt = await requireSubscriber(c, settings.subscribeSecret, uid);
  const subscription = { uid, lastEventId: lastEventId?.trim() || undefined, expiresAt };
  try {
    // The hub's answer already carries the SSE headers: passed on as it is;
    // the CORS middleware copies it only when it adds headers.
    return await callHub(
      () => hubFor(c.env.PUSH_HUB, uid, settings.hubShards),
      (hub) => hub.fetch(toHubRequest(subscription)),
      true,
    );
  } catch (error) {
    // Anything transient is a `busy` stream, never an error status: EventSource would give up for good.
    if (!(error instanceof HubUnavailable)) throw error;
    const retryMs = failedHubRetryMs(error.reason === "overloaded", settings.retryMs);
    return busyResponse({ reason: error.reason, error: error.message, retryMs });
  }
});

app.post("/update", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  const body = await readJsonBody(c.req.raw, settings.maxBodyBytes);
  const publish = parsePublish(body, c.req.header("idempotency-key") ?? null);
  return c.json(await publishToHubs(c.env.PUSH_HUB, settings.hubShards, publish));
});

app.get("/inbox", async (c) => {
  const settings = c.get("settings");
  const uid = parseUid(c.req.query("uid"));
  await requireSubscriber(c, settings.subscribeSecret, uid);
  const before = c.req.query("before");
  const limitText = c.req.query("limit");
  // Plain digits only: Number() would also take " 5", "0x10" and "1e1".
  const limit = limitText === undefined ? INBOX_PAGE_DEFAULT : /^[0-9]{1,3}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= INBOX_PAGE_MAX)) {
    throw badRequest(`limit must be a whole number from 1 to ${INBOX_PAGE_MAX}`);
  }
  const beforeId = before === undefined ? null : parseMessageId(before, "before");
  return c.json(
    await callHub(
      () => hubFor(c.env.PUSH_HUB, uid, settings.hubShards),
      (hub) => hub.inbox(uid, beforeId, limit),
      true,
    ),
  );
});

app.post("/inbox/read", async (c) => {
  const settings = c.get("settings");
  const body = await readJsonBody(c.req.raw, settings.maxBodyBytes);
  const { uid: rawUid, ids: rawIds, upTo: rawUpTo } = parseJsonObject(body, ["uid", "ids", "upTo"], '{"uid":"1","upTo":"42"}');
  const uid = parseUid(rawUid);
  await requireSubscriber(c, settings.subscribeSecret, uid);
  if (rawIds === undefined && rawUpTo === undefined) throw badRequest("name what to mark read: ids, upTo, or both");
  if (rawIds !== undefined && (!Array.isArray(rawIds) || rawIds.length > MAX_READ_IDS)) {
    throw badRequest(`ids must be an array of at most ${MAX_READ_IDS} message ids`);
  }
  const ids = (rawIds ?? []).map((id, i) => parseMessageId(id, `ids[${i}]`));
  const upTo = rawUpTo === undefined ? null : parseMessageId(rawUpTo, "upTo");
  // Marking read twice is marking read once: safe to retry.
  return c.json(
    await callHub(
      () => hubFor(c.env.PUSH_HUB, uid, settings.hubShards),
      (hub) => hub.markRead(uid, ids, upTo),
      true,
    ),
  );
});

app.post("/token", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  if (settings.subscribeSecret === undefined) {
    throw new HttpError(503, `subscriber tokens need SUBSCRIBE_SECRET: wrangler secret put SUBSCRIBE_SECRET (${LOCAL_HINT})`);
  }
  const body = await readJsonBody(c.req.raw, settings.maxBodyBytes);
  const { uid: rawUid, ttl: rawTtl } = parseJsonObject(body, ["uid", "ttl"], '{"uid":"1","ttl":3600}');
  const uid = parseUid(rawUid);
  const ttl = rawTtl ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw badRequest(`ttl must be whole seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
  }
  const exp = Math.floor(Date.now() / 1000) + ttl;
  const token = await signSubscriberToken(settings.subscribeSecret, uid, exp);
  return c.json({ code: 0, uid, token, exp }, 200, { "Cache-Control": "no-store" });
});

app.get("/stats", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  const uidQuery = c.req.query("uid");
  if (uidQuery !== undefined) {
    const uid = parseUid(uidQuery);
    return c.json({
      uid,
      ...(await callHub(
        () => hubFor(c.env.PUSH_HUB, uid, settings.hubShards),
        (hub) => hub.presence(uid),
        true,
      )),
    });
  }
  const shards: HubStats[] = await Promise.all(
    Array.from({ length: settings.hubShards }, (_, shard) =>
      callHub(
        () => hubAt(c.env.PUSH_HUB, shard, settings.hubShards),
        (hub) => hub.stats(),
        true,
      ),
    ),
  );
  const sum = (pick: (s: HubStats) => number) => shards.reduce((total, s) => total + pick(s), 0);
  return c.json({
    streams: sum((s) => s.streams),
    users: sum((s) => s.users),
    published: sum((s) => s.published),
    delivered: sum((s) => s.delivered),
    dropped: {
      gone: sum((s) => s.dropped.gone),
      slow: sum((s) => s.dropped.slow),
      replaced: sum((s) => s.dropped.replaced),
      expired: sum((s) => s.dropped.expired),
    },
    shards,
  });
});

app.use("/", demoPage);
app.use("/message", demoPage);
app.get("/message", (c) => c.env.ASSETS.fetch(new URL("/demo/inbox.html", c.req.url)));
app.get("/", (c) => c.redirect("/message?uid=1"));

/** With DEMO_PAGE=off, the demo's paths do not exist. */
async function demoPage(c: Context<AppEnv>, next: Next): Promise<void> {
  if (!c.get("settings").demoPage) throw new HttpError(404, "the demo page is off on this deployment (DEMO_PAGE=off)");
  await next();
}

// A known path with the wrong method is 405, with the methods it takes.
const ROUTE_METHODS: Record<string, string> = {
  "/push": "GET",
  "/update": "POST",
  "/inbox": "GET",
  "/inbox/read": "POST",
  "/token": "POST",
  "/stats": "GET",
  "/message": "GET",
};
for (const [path, allow] of Object.entries(ROUTE_METHODS)) {
  app.all(path, (c) => {
    if (c.req.method === "OPTIONS") return c.body(null, 204, { Allow: `${allow}, OPTIONS` });
    throw new HttpError(405, `${c.req.method} is not allowed on ${path}; use ${allow}`, { Allow: allow });
  });
}

app.notFound((c) => errorResponse(404, `no route ${c.req.method} ${new URL(c.req.url).pathname}; see the README for the API`));

app.onError((err) => {
  if (err instanceof HttpError) return errorResponse(err.status, err.message, err.headers);
  console.error("unexpected error", err);
  return errorResponse(500, "internal error; the hub logged it");
});
