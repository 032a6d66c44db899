import { afterEach, describe, expect, it } from "vitest";
import { shardOf } from "../src/hub/shards";
import { AUTH, idFor, publish, HUB_SHARDS as SHARDS, sleep } from "./helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "./helpers/sse-client";

afterEach(closeAllStreams);

let next = 0;
/** One fresh uid living on each shard, found by hashing candidates. */
function uidPerShard(label: string): string[] {
  const found = new Map<number, string>();
  for (let attempt = 0; found.size < SHARDS && attempt < 10_000; attempt++) {
    const uid = `${label}-${Date.now()}-${next++}`;
    const shard = shardOf(uid, SHARDS);
    if (!found.has(shard)) found.set(shard, uid);
  }
  expect(found.size).toBe(SHARDS);
  return [...found.entries()].sort(([a], [b]) => a - b).map(([, uid]) => uid);
}

interface Stats {
  streams: number;
  users: number;
  published: number;
  delivered: number;
  dropped: Record<string, number>;
  shards: Array<{ streams: number; users: number; published: number; delivered: number }>;
}

async function stats(query = ""): Promise<Response> {
  return fetchWorker(`/stats${query}`, { headers: AUTH });
}

describe("sharding", () => {
  it("delivers a broadcast to users on every shard under the same ids it answered", async () => {
    const uids = uidPerShard("every-shard");
    const clients = await Promise.all(uids.map((uid) => openStream(uid)));
    const answer = await publish({ isAll: true, msg: "to every shard" });
    expect(answer.delivered).toBeGreaterThanOrEqual(SHARDS);
    await Promise.all(clients.map((client) => client.untilMessages(1)));
    if (SHARDS > 1) expect(answer.ids).toHaveLength(SHARDS);
    clients.forEach((client, shard) => {
      const id = idFor(answer, uids[shard]!);
      expect(client.messages()).toEqual([{ id, uid: null, msg: "to every shard", ts: expect.any(Number) }]);
    });
  });

  it("delivers a targeted publish only on the recipient's shard", async () => {
    const uids = uidPerShard("one-shard");
    const clients = await Promise.all(uids.map((uid) => openStream(uid)));
    const answer = await publish({ uids: [uids[0]!, uids.at(-1)!], msg: "some" });
    expect(answer.delivered).toBe(Math.min(SHARDS, 2));
    await Promise.all([clients[0]!.untilMessages(1), clients.at(-1)!.untilMessages(1)]);
    expect(clients[0]!.messages()[0]).toMatchObject({ id: idFor(answer, uids[0]!), uid: uids[0] });
    if (SHARDS > 2) expect(answer.ids?.filter((id) => id !== null)).toHaveLength(2);
    await sleep(50);
    for (const client of clients.slice(1, -1)) expect(client.messages()).toEqual([]);
  });
});

describe("GET /stats", () => {
  it("refuses a caller without the publisher token", async () => {
    const response = await fetchWorker("/stats");
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 401 });
  });

  it("counts streams and users per shard, and their sum", async () => {
    const uids = uidPerShard("stats");
    await Promise.all([...uids.map((uid) => openStream(uid)), openStream(uids[0]!)]);
    const response = await stats();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Stats;
    expect(body.shards).toHaveLength(SHARDS);
    expect(body.streams).toBe(body.shards.reduce((sum, shard) => sum + shard.streams, 0));
    expect(body.users).toBe(body.shards.reduce((sum, shard) => sum + shard.users, 0));
    // Other test files may hold streams of their own at the same time.
    expect(body.shards[0]!.streams).toBeGreaterThanOrEqual(SHARDS === 1 ? uids.length + 1 : 2);
    for (const shard of body.shards) expect(shard.streams).toBeGreaterThanOrEqual(1);
  });

  it("counts published and delivered messages", async () => {
    const uid = uidPerShard("counted")[0]!;
    await openStream(uid);
    const before = (await (await stats()).json()) as Stats;
    await publish({ uid, msg: "count me" });
    const after = (await (await stats()).json()) as Stats;
    expect(after.published - before.published).toBeGreaterThanOrEqual(1);
    expect(after.delivered - before.delivered).toBeGreaterThanOrEqual(1);
  });

  it("answers whether one uid is online and with how many tabs", async () => {
    const [uid] = uidPerShard("presence");
    expect(await (await stats(`?uid=${uid}`)).json()).toEqual({ uid, online: false, tabs: 0 });
    const tabs = await Promise.all([openStream(uid!), openStream(uid!)]);
    expect(await (await stats(`?uid=${uid}`)).json()).toEqual({ uid, online: true, tabs: 2 });
    await Promise.all(tabs.map((tab) => tab.close()));
  });

  it("refuses an invalid uid with 400", async () => {
    const response = await stats(`?uid=${"x".repeat(129)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 400 });
  });
});
