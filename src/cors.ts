// CORS for the browser-facing routes (/push, /inbox*): only origins listed in
// ALLOWED_ORIGINS get CORS headers. Publisher routes never answer CORS.
// The typed client sends its subscriber token as Authorization and reads
// Retry-After to pace its retries, so both cross the origin boundary.
import type { Context, Next } from "hono";
import { HttpError } from "./errors";

const ALLOWED_METHODS = "GET, POST, OPTIONS";
const ALLOWED_HEADERS = "Authorization, Content-Type, Last-Event-ID";
const EXPOSED_HEADERS = "Retry-After";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

/** Middleware body: answers a preflight, or runs the route and adds CORS headers for an allowed origin. */
export async function cors(allowedOrigins: readonly string[], c: Context, next: Next): Promise<Response | undefined> {
  const origin = c.req.header("origin");
  const allowed = origin !== undefined && allowedOrigins.includes(origin);
  if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method") !== undefined) {
    if (!allowed) throw new HttpError(403, `origin ${JSON.stringify(origin ?? "")} is not in ALLOWED_ORIGINS`);
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Credentials": "true",
      "Access-Control-Allow-Methods": ALLOWED_METHODS,
      "Access-Control-Allow-Headers": ALLOWED_HEADERS,
      "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_SECONDS,
      Vary: "Origin",
    });
  }
  await next();
  // Without ALLOWED_ORIGINS nothing varies by origin: leave the answer as it is.
  if (allowedOrigins.length === 0) return;
  // A response passed through from the hub has immutable headers: copy it first.
  c.res = new Response(c.res.body, c.res);
  c.res.headers.append("Vary", "Origin");
  if (allowed) {
    c.res.headers.set("Access-Control-Allow-Origin", origin);
    c.res.headers.set("Access-Control-Allow-Credentials", "true");
    c.res.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }
}
