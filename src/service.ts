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
import type { ApiError, BatchResult, InboxBinding, InboxStats, PublishRequest, PublishResult, TokenResult } from "./messages";
import { publishBatchToHubs, publishToHubs } from "./publish";
import { TokenBody } from "./requests";
import { readSettings } from "./settings";
import { collectStats } from "./stats";
import { parsePublish, parseUpdate } from "./update";
import { parse } from "./validate";

const encoder = new TextEncoder();

export class InboxService extends WorkerEntrypoint<Env> implements InboxBinding {
  publish<T>(request: PublishRequest<T>): Promise<PublishResult | ApiError> {
    return answer(() => {
      const { hubShards } = readSettings(this.env);
      return publishToHubs(this.env.PUSH_HUB, hubShards, parsePublish(this.#asJson(request), null));
    });
  }

  /** As `POST /update {messages}`: up to 500 messages in one call, each answered in order. */
  publishBatch<T>(messages: readonly PublishRequest<T>[]): Promise<BatchResult | ApiError> {
    return answer(() => {
      const update = parseUpdate(this.#asJson({ messages }), null);
      const { hubShards } = readSettings(this.env);
      return publishBatchToHubs(this.env.PUSH_HUB, hubShards, update.batch ? update.publishes : [update.publish]);
    });
  }

  /**
   * RPC carries more than JSON (undefined, Dates, functions): the request is
   * taken as the JSON body POST /update would have received, size limit included.
   */
  #asJson(request: unknown): unknown {
    const json = toJson(request);
    const { maxBodyBytes } = readSettings(this.env);
    if (encoder.encode(json).byteLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
    return JSON.parse(json);
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
