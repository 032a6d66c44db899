// Publisher auth: `Authorization: Bearer <PUBLISH_TOKEN>`, compared in constant time.
import { HttpError } from "../errors";

const encoder = new TextEncoder();

/** Equal-length digests make the comparison's time independent of where the inputs differ. */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}

export async function requirePublisher(request: Request, publishToken: string | undefined): Promise<void> {
  if (publishToken === undefined) {
    throw new HttpError(503, "publishing is disabled until PUBLISH_TOKEN is set (wrangler secret put PUBLISH_TOKEN)");
  }
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (match === null) {
    throw new HttpError(401, "send the publisher token as Authorization: Bearer <PUBLISH_TOKEN>", {
      "WWW-Authenticate": 'Bearer realm="edge-inbox"',
    });
  }
  if (!(await constantTimeEqual(match[1]!, publishToken))) {
    throw new HttpError(401, "the publisher token is wrong", { "WWW-Authenticate": 'Bearer realm="edge-inbox", error="invalid_token"' });
  }
}
