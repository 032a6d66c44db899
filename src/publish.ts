// Deliver validated publishes to the hub objects that hold their recipients:
// one RPC per shard however many messages, each shard storing and fanning
// out its part in one synchronous turn.
import { HttpError } from "./errors";
import { callHub } from "./hub/calls";
import type { HubPublish, PushHub } from "./hub/push-hub";
import { groupByShard, hubAt, shardOf } from "./hub/shards";
import type { BatchResult, PublishResult } from "./messages";
import type { Publish, Update } from "./update";

const encoder = new TextEncoder();

/** SHA-256 of the canonical request, hex: what a key's repeat is compared by. */
async function fingerprintOf(publish: Publish): Promise<string> {
  if (publish.key === undefined) return "";
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(publish.canonical));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

const conflict = (key: string, index: number | null) =>
  new HttpError(
    409,
    `${index === null ? "the key" : `messages[${index}].key`} ${JSON.stringify(key)} was used in the last 24 hours for a different request; use a new key`,
  );

/** One message or a batch, as `POST /update` carries them. */
export function publishUpdate(
  namespace: DurableObjectNamespace<PushHub>,
  shards: number,
  update: Update,
): Promise<PublishResult | BatchResult> {
  return update.batch ? publishBatchToHubs(namespace, shards, update.publishes) : publishToHubs(namespace, shards, update.publish);
}

export async function publishToHubs(namespace: DurableObjectNamespace<PushHub>, shards: number, publish: Publish): Promise<PublishResult> {
  const [result] = await deliver(namespace, shards, [publish], false);
  return { code: 0, ...result! };
}

export async function publishBatchToHubs(
  namespace: DurableObjectNamespace<PushHub>,
  shards: number,
  publishes: readonly Publish[],
): Promise<BatchResult> {
  return { code: 0, results: await deliver(namespace, shards, publishes, true) };
}

type Delivered = Omit<PublishResult, "code">;

async function deliver(
  namespace: DurableObjectNamespace<PushHub>,
  shards: number,
  publishes: readonly Publish[],
  batch: boolean,
): Promise<Delivered[]> {
  const requests: HubPublish[] = await Promise.all(
    publishes.map(async (publish) => {
      const { canonical: _, ...message } = publish;
      // With shards each copy has its own id; a ref names them all (the key, or one made up here).
      const ref = message.key ?? (shards > 1 ? crypto.randomUUID() : null);
      return { ...message, fingerprint: await fingerprintOf(publish), ref };
    }),
  );
  if (shards > 1) await claimKeys(namespace, shards, requests, batch);

  // Each message's part for each shard that holds a recipient (every shard for a broadcast), in message order.
  const byShard = new Map<number, { index: number; part: HubPublish }[]>();
  const shardsOf: number[][] = requests.map(() => []);
  for (const [index, request] of requests.entries()) {
    const parts: Array<[number, HubPublish]> = request.audience.all
      ? Array.from({ length: shards }, (_, shard) => [shard, request])
      : [...groupByShard(request.audience.uids, shards)].map(([shard, uids]) => [shard, { ...request, audience: { all: false, uids } }]);
    for (const [shard, part] of parts) {
      const list = byShard.get(shard) ?? [];
      list.push({ index, part });
      byShard.set(shard, list);
      shardsOf[index]!.push(shard);
    }
  }

  // Only keyed publishes are idempotent (a repeat answers the first result), so
  // only those are retried; without keys the caller gets 503 with Retry-After.
  const idempotent = requests.every((request) => request.key !== undefined);
  const answers = new Map<number, readonly PublishResult[]>();
  await Promise.all(
    [...byShard].map(async ([shard, entries]) => {
      const outcome = await callHub(
        () => hubAt(namespace, shard, shards),
        (hub) => hub.publish(entries.map((entry) => entry.part)),
        idempotent,
      );
      if (outcome.conflictAt !== null) {
        const index = entries[outcome.conflictAt]!.index;
        throw conflict(requests[index]!.key!, batch ? index : null);
      }
      answers.set(shard, outcome.results);
    }),
  );

  // Each message's answer from its shards' answers.
  const position = new Map<number, number>();
  return requests.map((request, index) => {
    const resultOn = (shard: number) => {
      const at = position.get(shard) ?? 0;
      position.set(shard, at + 1);
      return answers.get(shard)![at]!;
    };
    const parts = shardsOf[index]!.map((shard) => [shard, resultOn(shard)] as const);
    const key = request.ref === null ? {} : { key: request.ref };
    if (shards === 1) return { id: parts[0]![1].id, delivered: parts[0]![1].delivered, ...key };
    const ids: (string | null)[] = Array.from({ length: shards }, () => null);
    for (const [shard, result] of parts) ids[shard] = result.id;
    return { id: parts[0]![1].id, ids, delivered: parts.reduce((sum, [, result]) => sum + result.delivered, 0), ...key };
  });
}

/** Each key claimed on its own shard first, so a reuse for another request is caught whoever its recipients are. */
async function claimKeys(namespace: DurableObjectNamespace<PushHub>, shards: number, requests: readonly HubPublish[], batch: boolean) {
  const byShard = new Map<number, number[]>();
  for (const [index, { key }] of requests.entries()) {
    if (key === undefined) continue;
    const shard = shardOf(key, shards);
    byShard.set(shard, [...(byShard.get(shard) ?? []), index]);
  }
  await Promise.all(
    [...byShard].map(async ([shard, indexes]) => {
      const claims = indexes.map((index) => ({ key: requests[index]!.key!, fingerprint: requests[index]!.fingerprint }));
      const conflictAt = await callHub(
        () => hubAt(namespace, shard, shards),
        (hub) => hub.claimKeys(claims),
        true,
      );
      if (conflictAt >= 0) throw conflict(claims[conflictAt]!.key, batch ? indexes[conflictAt]! : null);
    }),
  );
}
