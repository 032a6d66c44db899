// CORS for the browser-facing routes (/push, /inbox*): only origins listed in
// ALLOWED_ORIGINS get CORS headers. Publisher routes never answer CORS.
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./errors";
import type { Settings } from "./settings";

const ALLOWED_METHODS = "GET, POST, OPTIONS";
const ALLOWED_HEADERS = "Content-Type, Last-Event-ID";
const PREFLIGHT_MAX_AGE_SECONDS = "600";

export function corsFor(settings: () => Settings): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && settings().allowedOrigins.includes(origin);
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
    if (settings().allowedOrigins.length === 0) return;
    // A response passed through from the hub has immutable headers: copy it first.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.append("Vary", "Origin");
    if (allowed) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Allow-Credentials", "true");
    }
  };
}
