// The Worker's routes, in one table. Every answer that is not 2xx leaves
// through `onError` / `notFound` as {code, error}.
import { type Context, Hono, type Next } from "hono";
import { requirePublisher } from "./auth/publisher";
import { requireSubscriber } from "./auth/subscriber";
import { issueSubscriberToken } from "./auth/subscriber-token";
import { readJsonBody } from "./body";
import { cors } from "./cors";
import { errorResponse, HttpError, NO_SUBSCRIBE_SECRET } from "./errors";
import { callHub, HubUnavailable } from "./hub/calls";
import { hubFor } from "./hub/shards";
import { toHubRequest } from "./hub/subscribe-request";
import { eraseUser, receiptEverywhere, retractEverywhere } from "./message-admin";
import type { InboxAction, TokenResult } from "./messages";
import { openApiDocument } from "./openapi/document";
import { publishUpdate } from "./publish";
import { INBOX_ACTIONS, InboxQuery, MessagePath, markBody, StatsQuery, TokenBody, UserPath } from "./requests";
import { failedHubRetryMs } from "./retry-delay";
import { readSettings, type Settings } from "./settings";
import { busyResponse } from "./sse/response";
import { collectStats, presenceOf } from "./stats";
import { parseUpdate } from "./update";
import { parse, parseResumePoint, parseUid } from "./validate";

type AppEnv = { Bindings: Env; Variables: { settings: Settings } };

export const app = new Hono<AppEnv>();

app.use(async (c, next) => {
  c.set("settings", readSettings(c.env));
  await next();
});

for (const browserPath of ["/push", "/inbox", ...Object.values(INBOX_ACTIONS).map((action) => action.path)]) {
  app.use(browserPath, (c, next) => cors(c.get("settings").allowedOrigins, c, next));
}

app.get("/push", async (c) => {
  const settings = c.get("settings");
  const uid = parseUid(c.req.query("uid"));
  // EventSource resends the last id it saw; clients without it may use the query.
  const lastEventId = c.req.header("last-event-id") ?? c.req.query("lastEventId");
  const expiresAt = await requireSubscriber(c, settings.subscribeSecret, uid);
  const subscription = { uid, resumeFrom: parseResumePoint(lastEventId), expiresAt };
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
  return c.json(await publishUpdate(c.env.PUSH_HUB, settings.hubShards, parseUpdate(body, c.req.header("idempotency-key") ?? null)));
});

app.get("/inbox", async (c) => {
  const settings = c.get("settings");
  const { uid, ...query } = parse(InboxQuery, c.req.query());
  await requireSubscriber(c, settings.subscribeSecret, uid);
  return c.json(
    await callHub(
      () => hubFor(c.env.PUSH_HUB, uid, settings.hubShards),
      (hub) => hub.inbox(uid, query),
      true,
    ),
  );
});

for (const [action, { path }] of Object.entries(INBOX_ACTIONS) as [InboxAction, (typeof INBOX_ACTIONS)[InboxAction]][]) {
  const body = markBody(action);
  app.post(path, async (c) => {
    const settings = c.get("settings");
    const { uid, ids, upTo } = parse(body, await readJsonBody(c.req.raw, settings.maxBodyBytes));
    await requireSubscriber(c, settings.subscribeSecret, uid);
    // Marking twice is marking once: safe to retry.
    return c.json(
      await callHub(
        () => hubFor(c.env.PUSH_HUB, uid, settings.hubShards),
        (hub) => hub.mark(uid, action, ids, upTo),
        true,
      ),
    );
  });
}

app.delete("/messages/:id", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  const { id } = parse(MessagePath, c.req.param(), "the path");
  return c.json(await retractEverywhere(c.env.PUSH_HUB, settings.hubShards, id));
});

app.get("/messages/:id", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  const { id } = parse(MessagePath, c.req.param(), "the path");
  return c.json(await receiptEverywhere(c.env.PUSH_HUB, settings.hubShards, id));
});

app.delete("/users/:uid", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  const { uid } = parse(UserPath, c.req.param(), "the path");
  return c.json(await eraseUser(c.env.PUSH_HUB, settings.hubShards, uid));
});

app.post("/token", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  if (settings.subscribeSecret === undefined) throw new HttpError(503, NO_SUBSCRIBE_SECRET);
  const { uid, ttl } = parse(TokenBody, await readJsonBody(c.req.raw, settings.maxBodyBytes));
  const token = await issueSubscriberToken(settings.subscribeSecret, uid, ttl);
  return c.json({ code: 0, ...token } satisfies TokenResult, 200, { "Cache-Control": "no-store" });
});

app.get("/stats", async (c) => {
  const settings = c.get("settings");
  await requirePublisher(c.req.raw, settings.publishToken);
  const { uid } = parse(StatsQuery, c.req.query());
  if (uid !== undefined) return c.json(await presenceOf(c.env.PUSH_HUB, settings.hubShards, uid));
  return c.json(await collectStats(c.env.PUSH_HUB, settings.hubShards));
});

app.use("/", demoPage);
app.use("/message", demoPage);
app.get("/message", (c) => c.env.ASSETS.fetch(new URL("/demo/inbox.html", c.req.url)));
app.get("/", (c) => c.redirect("/message?uid=1"));
// The page's own static files, not an API route: wrangler.toml sends /demo/* here
// first (run_worker_first), so DEMO_PAGE=off hides them too.
app.use("/demo/*", demoPage, (c) => c.env.ASSETS.fetch(c.req.raw));
app.get("/openapi.json", (c) => c.json(openApiDocument()));

/** With DEMO_PAGE=off, the demo's paths do not exist. */
async function demoPage(c: Context<AppEnv>, next: Next): Promise<void> {
  if (!c.get("settings").demoPage) throw new HttpError(404, "the demo page is off on this deployment (DEMO_PAGE=off)");
  await next();
}

// A known path with the wrong method is 405, with the methods it takes: read
// from the routes above (middleware is registered for ALL methods).
const methodsByPath = Map.groupBy(
  app.routes.filter((route) => route.method !== "ALL"),
  (route) => route.path,
);
for (const [path, routes] of methodsByPath) {
  const allow = routes.map((route) => route.method).join(", ");
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
