// The publisher's view of the hubs: counters summed over every shard, and one uid's presence.
import { callHub } from "./hub/calls";
import type { PushHub } from "./hub/push-hub";
import { callEveryShard, hubFor } from "./hub/shards";
import type { InboxStats, Presence, ShardStats } from "./messages";

export async function collectStats(namespace: DurableObjectNamespace<PushHub>, shards: number): Promise<InboxStats> {
  const perShard: ShardStats[] = await callEveryShard(namespace, shards, (hub) => hub.stats(), true);
  const sum = (pick: (s: ShardStats) => number) => perShard.reduce((total, s) => total + pick(s), 0);
  return {
    streams: sum((s) => s.streams),
    users: sum((s) => s.users),
    published: sum((s) => s.published),
    delivered: sum((s) => s.delivered),
    dropped: {
      gone: sum((s) => s.dropped.gone),
      slow: sum((s) => s.dropped.slow),
      replaced: sum((s) => s.dropped.replaced),
      expired: sum((s) => s.dropped.expired),
      erased: sum((s) => s.dropped.erased),
    },
    shards: perShard,
  };
}

export async function presenceOf(namespace: DurableObjectNamespace<PushHub>, shards: number, uid: string): Promise<Presence> {
  const { online, tabs } = await callHub(
    () => hubFor(namespace, uid, shards),
    (hub) => hub.presence(uid),
    true,
  );
  return { uid, online, tabs };
}
