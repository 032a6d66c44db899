// What a publisher does after publishing: retract a message, read its
// receipt, erase a user, and reuse an idempotency key. Through the real
// Worker and hub, with one shard or four.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { hubFor, shardOf } from "../src/hub/shards";
import type { InboxCounts, PublishResult, RetractNotice, ShardStats } from "../src/messages";
import { erase, getInbox, listed, mark, publisherCall, receipt, retract } from "./helpers/inbox";
import { HUB_SHARDS, idFor, postJson, publish } from "./helpers/publish";
import { closeAllStreams, openStream, type SseClient } from "./helpers/sse-client";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

/** How the publisher names a message: its id with one hub, its key with shards (the answer always has one then). */
const refOf = (answer: PublishResult) => (HUB_SHARDS === 1 ? answer.id : answer.key!);

async function untilCounts(tab: SseClient, expected: InboxCounts): Promise<void> {
  await tab.until(() => JSON.stringify(tab.counts().at(-1)) === JSON.stringify(expected), `counts ${JSON.stringify(expected)}`);
}

describe("DELETE /messages/{id}", () => {
  it("takes a targeted message out of every recipient's inbox and tells their open tabs", async () => {
    const [alice, bob] = [freshUid("alice"), freshUid("bob")];
    const [aliceTab, bobTab] = [await openStream(alice), await openStream(bob)];
    const [aliceStart, bobStart] = [aliceTab.counts()[0]!, bobTab.counts()[0]!];
    const answer = await publish({ uids: [alice, bob], msg: "oops" });
    await untilCounts(aliceTab, { unread: aliceStart.unread + 1, unseen: aliceStart.unseen + 1 });

    const { status, body } = await retract(refOf(answer));
    expect(status).toBe(200);
    expect(body.code).toBe(0);
    // One id per shard that held a copy: alice's and bob's, or one when they share a shard.
    const copies = new Map([alice, bob].map((uid) => [shardOf(uid, HUB_SHARDS), idFor(answer, uid)]));
    expect([...body.ids].sort()).toEqual([...copies.values()].sort());
    for (const [uid, tab, start] of [
      [alice, aliceTab, aliceStart],
      [bob, bobTab, bobStart],
    ] as const) {
      await untilCounts(tab, start);
      expect(JSON.parse(tab.named("retract")[0]!.data) as RetractNotice).toEqual({ id: idFor(answer, uid), reason: "retracted" });
      expect(await listed(uid)).not.toContain(idFor(answer, uid));
    }
    expect((await retract(refOf(answer))).status).toBe(404);
  });

  it("retracts a broadcast on every shard by its key", async () => {
    const uids = [freshUid("b1"), freshUid("b2"), freshUid("b3")];
    const answer = await publish({ isAll: true, msg: "wrong announcement", key: freshUid("announce") });
    const { status, body } = await retract(answer.key!);
    expect(status).toBe(200);
    expect(body.ids).toHaveLength(HUB_SHARDS);
    for (const uid of uids) expect(await listed(uid)).not.toContain(idFor(answer, uid));
  });

  it("answers 404 for a message that does not exist", async () => {
    expect(await retract("no-such-key")).toEqual({ status: 404, body: { code: 404, error: expect.stringMatching(/no message/) } });
  });
});

describe("GET /messages/{id}", () => {
  it("counts the audience, the streams written and who has seen and read it", async () => {
    const [alice, bob, carol] = [freshUid("alice"), freshUid("bob"), freshUid("carol")];
    await Promise.all([openStream(alice), openStream(alice), openStream(bob)]);
    const answer = await publish({ uids: [alice, bob, carol], msg: "receipt me" });
    expect(answer.delivered).toBe(3);
    await mark("seen", { uid: bob, ids: [idFor(answer, bob)] });
    await mark("read", { uid: carol, ids: [idFor(answer, carol)] });

    const { status, body } = await receipt(refOf(answer));
    expect(status).toBe(200);
    expect(body).toMatchObject({ code: 0, event: "message", broadcast: false, audience: 3, written: 3, seen: 2, read: 1 });
    expect(await receipt("no-such-key")).toMatchObject({ status: 404 });
  });

  it("counts a broadcast's readers among everyone, with no audience size", async () => {
    const reader = freshUid("reader");
    const answer = await publish({ isAll: true, msg: "news", key: freshUid("news") });
    await mark("read", { uid: reader, ids: [idFor(answer, reader)] });
    const { body } = await receipt(answer.key!);
    expect(body).toMatchObject({ broadcast: true, audience: null, read: 1, seen: 1 });
    expect(body.ids).toHaveLength(HUB_SHARDS);
  });
});

describe("DELETE /users/{uid}", () => {
  it("removes every row of the uid and closes its streams; shared messages stay for the others", async () => {
    const [gone, stays] = [freshUid("gone"), freshUid("stays")];
    const tab = await openStream(gone);
    const alone = await publish({ uid: gone, msg: "only yours" });
    const shared = await publish({ uids: [gone, stays], msg: "ours" });
    await mark("read", { uid: gone, ids: [idFor(alone, gone)] });
    await mark("archive", { uid: gone, upTo: idFor(shared, gone) });

    const { status, body } = await erase(gone);
    expect(status).toBe(200);
    // With shards, the shared message's copy on gone's shard is gone's alone unless stays lives there too.
    const copiesOnlyForGone = shardOf(gone, HUB_SHARDS) === shardOf(stays, HUB_SHARDS) ? 1 : 2;
    expect(body).toEqual({ code: 0, uid: gone, messages: copiesOnlyForGone, streams: 1 });
    await tab.untilEnded();

    const leftovers = await runInDurableObject(hubFor(env.PUSH_HUB, gone, HUB_SHARDS), (_hub, state) =>
      ["recipients", "inbox_marks", "inbox_cursors"].map(
        (table) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE uid = ?`, gone).one().n,
      ),
    );
    expect(leftovers).toEqual([0, 0, 0]);
    expect(await listed(stays)).toContain(idFor(shared, stays));
    expect(await receipt(refOf(alone))).toMatchObject({ status: 404 });
    const stats = await publisherCall<{ dropped: ShardStats["dropped"] }>("GET", "/stats");
    expect(stats.body.dropped.erased).toBeGreaterThanOrEqual(1);
  });
});

describe("idempotency keys", () => {
  it("answers the same request under a key with the first answer, and another request with 409, storing nothing", async () => {
    const uid = freshUid("idem");
    const key = freshUid("key");
    const first = await publish({ uid, msg: { n: 1 }, key });
    expect(await publish({ uid, msg: { n: 1 }, key })).toEqual(first);
    const before = await getInbox(uid);

    const response = await postJson("/update", { uid, msg: { n: 2 }, key });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ code: 409, error: expect.stringMatching(/different request/) });
    for (const other of [
      { uid: freshUid("else"), msg: { n: 1 }, key },
      { uid, msg: { n: 1 }, key, tags: ["x"] },
    ]) {
      expect((await postJson("/update", other)).status).toBe(409);
    }
    expect(await getInbox(uid)).toEqual(before);
  });
});
