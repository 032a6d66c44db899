// Which PushHub object serves a uid. One object ("global") by default; with
// HUB_SHARDS=n a stable hash puts each uid on one of n objects, so a uid's
// streams, history and read state always live together.
import { callHub } from "./calls";
import type { PushHub } from "./push-hub";

/** FNV-1a over the uid's UTF-16 code units: stable across deploys and runtimes. */
export function shardOf(uid: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < uid.length; i++) {
    hash ^= uid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export function hubName(shard: number, shards: number): string {
  return shards === 1 ? "global" : `shard-${shard}`;
}

// idFromName hashes the name every call; an id is a plain value, safe to keep for the isolate's life.
const ids = new WeakMap<DurableObjectNamespace<PushHub>, Map<string, DurableObjectId>>();

export function hubAt(namespace: DurableObjectNamespace<PushHub>, shard: number, shards: number): DurableObjectStub<PushHub> {
  const name = hubName(shard, shards);
  let byName = ids.get(namespace);
  if (byName === undefined) {
    byName = new Map();
    ids.set(namespace, byName);
  }
  let id = byName.get(name);
  if (id === undefined) {
    id = namespace.idFromName(name);
    byName.set(name, id);
  }
  return namespace.get(id);
}

export function hubFor(namespace: DurableObjectNamespace<PushHub>, uid: string, shards: number): DurableObjectStub<PushHub> {
  return hubAt(namespace, shardOf(uid, shards), shards);
}

/** uids grouped by the shard that holds them. */
export function groupByShard(uids: readonly string[], shards: number): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const uid of uids) {
    const shard = shardOf(uid, shards);
    const group = groups.get(shard);
    if (group === undefined) groups.set(shard, [uid]);
    else group.push(uid);
  }
  return groups;
}

/** `call` on every shard's hub (through callHub's retry rules), the answers in shard order. */
export function callEveryShard<T>(
  namespace: DurableObjectNamespace<PushHub>,
  shards: number,
  call: (hub: DurableObjectStub<PushHub>) => Promise<T>,
  idempotent: boolean,
): Promise<T[]> {
  return Promise.all(Array.from({ length: shards }, (_, shard) => callHub(() => hubAt(namespace, shard, shards), call, idempotent)));
}
