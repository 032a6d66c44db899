import { abortAllDurableObjects, evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { hubFor } from "../src/hub/shards";
import type { PublishResult } from "../src/messages";
import { readSettings } from "../src/settings";
import { idFor, publish, sleep } from "./helpers/publish";
import { closeAllStreams, openHubStream, openStream } from "./helpers/sse-client";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

/** The ids uid saw for these publishes (with shards, each shard numbers its own). */
const idsFor = (answers: PublishResult[], uid: string) => answers.map((answer) => idFor(answer, uid));

describe("resume with Last-Event-ID", () => {
  it("replays exactly what was missed, targeted and broadcast, in order, then goes live", async () => {
    const uid = freshUid("resume");
    const first = await openStream(uid);
    const seen = await publish({ uid, msg: "seen" });
    await first.untilMessages(1);
    await first.close();

    const missed = [
      await publish({ uid, msg: "missed 1" }),
      await publish({ isAll: true, msg: "missed 2" }),
      await publish({ uids: [uid, freshUid("other")], event: "like", msg: "missed 3" }),
    ];
    await publish({ uid: freshUid("someone-else"), msg: "not for us" });

    const resumed = await openStream(uid, { lastEventId: seen.id });
    expect(resumed.messages().map((m) => m.id)).toEqual(idsFor(missed, uid));
    expect(resumed.messages().map((m) => m.msg)).toEqual(["missed 1", "missed 2", "missed 3"]);
    expect(resumed.messages().map((m) => m.uid)).toEqual([uid, null, uid]);
    expect(resumed.named("reset")).toEqual([]);

    const live = await publish({ uid, msg: "live" });
    await resumed.untilMessages(4);
    expect(resumed.messages().map((m) => m.id)).toEqual([...idsFor(missed, uid), live.id]);
  });

  it("replays before the unread count and the greeting comes first", async () => {
    const uid = freshUid("order");
    const seen = await publish({ uid, msg: 0 });
    const missed = await publish({ uid, msg: 1 });
    const resumed = await openStream(uid, { lastEventId: seen.id });
    expect(resumed.events.map((e) => e.event ?? "data")).toEqual(["data", "message", "unread"]);
    expect(resumed.events[1]?.id).toBe(missed.id);
  });

  it("accepts the resume point as ?lastEventId= for clients that cannot send the header", async () => {
    const uid = freshUid("query");
    const seen = await publish({ uid, msg: "a" });
    const missed = await publish({ uid, msg: "b" });
    const resumed = await openStream(uid, { query: { lastEventId: seen.id } });
    expect(resumed.messages().map((m) => m.id)).toEqual([missed.id]);
  });

  it("has no gap and no duplicate when publishes race the resume", async () => {
    const uid = freshUid("race");
    const seen = await publish({ uid, msg: "start" });
    const before = [await publish({ uid, msg: "b1" }), await publish({ isAll: true, msg: "b2" })];
    const racing: Promise<PublishResult>[] = [];
    const resumedPromise = openStream(uid, { lastEventId: seen.id });
    for (let i = 0; i < 10; i++) racing.push(publish(i % 2 === 0 ? { uid, msg: `r${i}` } : { isAll: true, msg: `r${i}` }));
    const [resumed, raced] = await Promise.all([resumedPromise, Promise.all(racing)]);
    const expected = [...idsFor(before, uid), ...idsFor(raced, uid)]
      .map(Number)
      .sort((a, b) => a - b)
      .map(String);
    await resumed.untilMessages(expected.length);
    await sleep(50);
    const got = resumed.messages().map((m) => m.id as string);
    expect(got).toEqual(expected);
  });

  it("sends reset, carrying the current head as its id, for an unknown or malformed resume point", async () => {
    const uid = freshUid("unknown");
    const head = await publish({ uid, msg: "head" });
    for (const lastEventId of ["999999999999", "abc", "-1", "1e3"]) {
      const resumed = await openStream(uid, { lastEventId });
      const reset = resumed.named("reset");
      expect(reset).toHaveLength(1);
      expect(Number(reset[0]!.id)).toBeGreaterThanOrEqual(Number(head.id));
      expect(JSON.parse(reset[0]!.data)).toEqual({ lastEventId: reset[0]!.id });
      expect(resumed.messages()).toEqual([]);
      await resumed.close();
    }
  });

  it("sends nothing extra on a fresh stream without a resume point", async () => {
    const uid = freshUid("fresh");
    await publish({ uid, msg: "old" });
    const fresh = await openStream(uid);
    expect(fresh.messages()).toEqual([]);
    expect(fresh.named("reset")).toEqual([]);
  });
});

describe("restart", () => {
  it("survives eviction: resume replays what was missed and new ids are larger", async () => {
    const uid = freshUid("restart");
    const stub = hubFor(env.PUSH_HUB, uid, readSettings(env).hubShards);
    const stream = await openStream(uid);
    const seen = await publish({ uid, msg: "before restart" });
    await stream.untilMessages(1);
    await stream.close();
    const missed = await publish({ isAll: true, msg: "while away" });

    await evictDurableObject(stub);

    const after = await publish({ uid, msg: "after restart" });
    expect(Number(after.id)).toBeGreaterThan(Number(idFor(missed, uid)));
    const resumed = await openStream(uid, { lastEventId: seen.id });
    expect(resumed.messages().map((m) => m.id)).toEqual([idFor(missed, uid), after.id]);
    const live = await publish({ uid, msg: "live" });
    await resumed.untilMessages(3);
    expect(resumed.messages().map((m) => m.id)).toEqual([idFor(missed, uid), after.id, live.id]);
  });

  it("survives an abort with streams open: they end, and reconnecting resumes exactly", async () => {
    const uid = freshUid("crash");
    const stream = await openHubStream(uid);
    const seen = await publish({ uid, msg: "before crash" });
    await stream.untilMessages(1);

    await abortAllDurableObjects();
    await stream.untilEnded();

    const missed = await publish({ uid, msg: "after crash" });
    expect(Number(missed.id)).toBeGreaterThan(Number(seen.id));
    const resumed = await openStream(uid, { lastEventId: stream.events.filter((e) => e.id).at(-1)!.id! });
    expect(resumed.messages().map((m) => m.id)).toEqual([missed.id]);
  });
});
