// Deliver a validated publish to the hub objects that hold its recipients.
import { HttpError } from "./errors";
import { callHub } from "./hub/calls";
import type { HubPublish, PushHub } from "./hub/push-hub";
import { groupByShard, hubAt } from "./hub/shards";
import type { PublishResult } from "./messages";
import type { Publish } from "./update";

const encoder = new TextEncoder();

/** SHA-256 of the canonical request, hex: what a key's repeat is compared by. */
async function fingerprintOf(publish: Publish): Promise<string> {
  if (publish.key === undefined) return "";
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(publish.canonical));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function publishToHubs(namespace: DurableObjectNamespace<PushHub>, shards: number, publish: Publish): Promise<PublishResult> {
  const { canonical: _, ...message } = publish;
  // With shards each copy has its own id; a ref names them all (the key, or one made up here).
  const ref = publish.key ?? (shards > 1 ? crypto.randomUUID() : null);
  const request: HubPublish = { ...message, fingerprint: await fingerprintOf(publish), ref };
  // Only a publish with a key is idempotent (the hub answers a repeat with the first result), so
  // only that one is retried; without a key the caller gets 503 with Retry-After and decides.
  const idempotent = publish.key !== undefined;
  const publishAt = async (shard: number, part: HubPublish) => {
    const { result } = await callHub(
      () => hubAt(namespace, shard, shards),
      (hub) => hub.publish(part),
      idempotent,
    );
    if (result === null) {
      const key = JSON.stringify(publish.key);
      throw new HttpError(409, `the key ${key} was used in the last 24 hours for a different request; use a new key`);
    }
    return result;
  };
  if (shards === 1) return publishAt(0, request);
  const parts: Array<[number, HubPublish]> = publish.audience.all
    ? Array.from({ length: shards }, (_, shard) => [shard, request])
    : [...groupByShard(publish.audience.uids, shards)].map(([shard, uids]) => [shard, { ...request, audience: { all: false, uids } }]);
  const results = await Promise.all(parts.map(([shard, part]) => publishAt(shard, part)));
  const ids: (string | null)[] = Array.from({ length: shards }, () => null);
  for (const [i, [shard]] of parts.entries()) ids[shard] = results[i]!.id;
  return {
    code: 0,
    id: results[0]!.id,
    ids,
    delivered: results.reduce((sum, result) => sum + result.delivered, 0),
    ...(ref === null ? {} : { key: ref }),
  };
}
