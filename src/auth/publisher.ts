// Publisher auth: `Authorization: Bearer <PUBLISH_TOKEN>`, compared in constant time.
import { HttpError, LOCAL_HINT } from "../errors";
import { bearerTokenOf } from "./bearer";

const encoder = new TextEncoder();
const sha256 = (text: string) => crypto.subtle.digest("SHA-256", encoder.encode(text));

// The configured token's digest, computed once per token rather than per request.
let expected: { token: string; digest: Promise<ArrayBuffer> } | undefined;

/** Equal-length digests make the comparison's time independent of where the inputs differ. */
async function matchesPublishToken(candidate: string, publishToken: string): Promise<boolean> {
  if (expected?.token !== publishToken) expected = { token: publishToken, digest: sha256(publishToken) };
  const [given, wanted] = await Promise.all([sha256(candidate), expected.digest]);
  return crypto.subtle.timingSafeEqual(given, wanted);
}

export async function requirePublisher(request: Request, publishToken: string | undefined): Promise<void> {
  if (publishToken === undefined) {
    throw new HttpError(503, `publishing is disabled until PUBLISH_TOKEN is set: wrangler secret put PUBLISH_TOKEN (${LOCAL_HINT})`);
  }
  const token = bearerTokenOf(request.headers.get("authorization") ?? "");
  if (token === null) {
    throw new HttpError(401, "send the publisher token as Authorization: Bearer <PUBLISH_TOKEN>", {
      "WWW-Authenticate": 'Bearer realm="edge-inbox"',
    });
  }
  if (!(await matchesPublishToken(token, publishToken))) {
    throw new HttpError(401, "the publisher token is wrong", { "WWW-Authenticate": 'Bearer realm="edge-inbox", error="invalid_token"' });
  }
}
