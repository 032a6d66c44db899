// Deliver a validated publish to the hub objects that hold its recipients.
import { HttpError } from "./errors";
import { callHub } from "./hub/calls";
import type { HubPublish, PushHub } from "./hub/push-hub";
import { groupByShard, hubAt, shardOf } from "./hub/shards";
import type { PublishResult } from "./messages";
import type { Publish } from "./update";

const encoder = new TextEncoder();

/** SHA-256 of the canonical request, hex: what a key's repeat is compared by. */
async function fingerprintOf(publish: Publish): Promise<string> {
  if (publish.key === undefined) return "";
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(publish.canonical));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

const conflict = (key: string) =>
  new HttpError(409, `the key ${JSON.stringify(key)} was used in the last 24 hours for a different request; use a new key`);

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
    if (result === null) throw conflict(publish.key!);
    return result;
  };
  if (shards === 1) return publishAt(0, request);
  // Each shard knows only its own copies: a key is claimed on its own shard
  // first, so a reuse for another request is caught whoever its recipients are.
  if (publish.key !== undefined) {
    const key = publish.key;
    const claimed = await callHub(
      () => hubAt(namespace, shardOf(key, shards), shards),
      (hub) => hub.claimKey(key, request.fingerprint),
      true,
    );
    if (!claimed) throw conflict(key);
  }
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
