// The service binding: another Worker on the same account binds the
// `InboxService` entrypoint and calls `env.INBOX.publish(…)` — no HTTP, no
// publisher token (the binding itself is the permission). Each method checks
// its input exactly as its route does and answers what the route answers: a
// refusal is the route's `{code, error}`, returned rather than thrown, since
// an exception thrown out of an RPC method counts as the Worker's own failure.
import { WorkerEntrypoint } from "cloudflare:workers";
import { issueSubscriberToken } from "./auth/subscriber-token";
import { tooLarge } from "./body";
import { badRequest, HttpError, NO_SUBSCRIBE_SECRET } from "./errors";
import type { ApiError, InboxBinding, InboxStats, PublishRequest, PublishResult, TokenResult } from "./messages";
import { publishToHubs } from "./publish";
import { TokenBody } from "./requests";
import { readSettings } from "./settings";
import { collectStats } from "./stats";
import { parsePublish } from "./update";
import { parse } from "./validate";

const encoder = new TextEncoder();

export class InboxService extends WorkerEntrypoint<Env> implements InboxBinding {
  publish<T>(request: PublishRequest<T>): Promise<PublishResult | ApiError> {
    return answer(() => {
      const settings = readSettings(this.env);
      // RPC carries more than JSON (undefined, Dates, functions): the request is
      // taken as the JSON body POST /update would have received, size limit included.
      const json = toJson(request);
      if (encoder.encode(json).byteLength > settings.maxBodyBytes) throw tooLarge(settings.maxBodyBytes);
      return publishToHubs(this.env.PUSH_HUB, settings.hubShards, parsePublish(JSON.parse(json), null));
    });
  }

  signSubscriberToken(uid: string | number, ttl?: number): Promise<TokenResult | ApiError> {
    return answer(async () => {
      const { subscribeSecret } = readSettings(this.env);
      if (subscribeSecret === undefined) throw new HttpError(503, NO_SUBSCRIBE_SECRET);
      const token = parse(TokenBody, { uid, ttl });
      return { code: 0, ...(await issueSubscriberToken(subscribeSecret, token.uid, token.ttl)) };
    });
  }

  stats(): Promise<InboxStats | ApiError> {
    return answer(() => collectStats(this.env.PUSH_HUB, readSettings(this.env).hubShards));
  }
}

/** The call's result, or the `{code, error}` its route would answer; anything else stays an exception. */
async function answer<T>(call: () => Promise<T>): Promise<T | ApiError> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HttpError) return { code: error.status, error: error.message };
    throw error;
  }
}

function toJson(request: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(request);
  } catch {
    // BigInt, or a cycle.
  }
  if (json === undefined) throw badRequest('the request must be a JSON object like {"uid":"1","msg":"hello"}');
  return json;
}
