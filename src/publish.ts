// Deliver a validated publish to the hub objects that hold its recipients.

import { callHub } from "./hub/calls";
import type { PushHub } from "./hub/push-hub";
import { groupByShard, hubAt } from "./hub/shards";
import type { PublishResult } from "./messages";
import type { Publish } from "./update";

export async function publishToHubs(namespace: DurableObjectNamespace<PushHub>, shards: number, publish: Publish): Promise<PublishResult> {
  // Only a publish with a key is idempotent (the hub answers a repeat with the first result), so
  // only that one is retried; without a key the caller gets 503 with Retry-After and decides.
  const idempotent = publish.key !== undefined;
  const publishAt = (shard: number, part: Publish) =>
    callHub(
      () => hubAt(namespace, shard, shards),
      (hub) => hub.publish(part),
      idempotent,
    );
  if (shards === 1) return publishAt(0, publish);
  const parts: Array<[number, Publish]> = publish.audience.all
    ? Array.from({ length: shards }, (_, shard) => [shard, publish])
    : [...groupByShard(publish.audience.uids, shards)].map(([shard, uids]) => [shard, { ...publish, audience: { all: false, uids } }]);
  const results = await Promise.all(parts.map(([shard, part]) => publishAt(shard, part)));
  const ids: (string | null)[] = Array.from({ length: shards }, () => null);
  for (const [i, [shard]] of parts.entries()) ids[shard] = results[i]!.id;
  return {
    code: 0,
    id: results[0]!.id,
    ids,
    delivered: results.reduce((sum, result) => sum + result.delivered, 0),
  };
}
