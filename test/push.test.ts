import { afterEach, describe, expect, it } from "vitest";
import { idFor, publish, sleep } from "./helpers/publish";
import { closeAllStreams, fetchWorker, openStream, SseClient } from "./helpers/sse-client";
import { TEST_HEARTBEAT_MS, TEST_MAX_STREAMS_PER_UID } from "./helpers/test-settings";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

describe("GET /push", () => {
  it("answers an SSE stream whose first bytes are retry, the heartbeat interval and the greeting, with no id", async () => {
    const response = await fetchWorker(`/push?uid=${freshUid("greet")}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.get("content-encoding")).toBeNull();
    const client = new SseClient(response);
    await client.until(() => client.raw.includes("\n\n"), "the greeting");
    expect(client.raw).toMatch(new RegExp(`^retry: [0-9]+\n: heartbeat ${TEST_HEARTBEAT_MS}\ndata: 站内信链接成功！\n\n`));
    expect(client.events[0]).toEqual({ data: "站内信链接成功！", event: undefined, id: undefined });
  });

  it("sends the unread count right after the greeting", async () => {
    const uid = freshUid("count");
    await publish({ uid, msg: "while offline" });
    const client = await openStream(uid);
    expect(client.events[1]?.event).toBe("unread");
    // Broadcasts from earlier tests count too; this uid's own message is one more.
    const broadcastsOnly = (await openStream(freshUid("count"))).unreadCounts()[0]!;
    expect(client.unreadCounts()).toEqual([broadcastsOnly + 1]);
  });

  it("delivers a targeted message to every tab of that uid and nobody else", async () => {
    const uid = freshUid("target");
    const [tab1, tab2, other] = await Promise.all([openStream(uid), openStream(uid), openStream(freshUid("other"))]);
    const answer = await publish({ uid, msg: "hello" });
    expect(answer).toMatchObject({ code: 0, delivered: 2 });
    expect(answer.id).toMatch(/^[1-9][0-9]*$/);
    await Promise.all([tab1.untilMessages(1), tab2.untilMessages(1)]);
    for (const tab of [tab1, tab2]) {
      expect(tab.messages()).toEqual([{ id: answer.id, uid, msg: "hello", ts: expect.any(Number) }]);
      expect(tab.events.find((e) => e.id === answer.id)).toMatchObject({ event: "message", id: answer.id });
    }
    await sleep(50);
    expect(other.messages()).toEqual([]);
  });

  it("delivers a broadcast to every uid with uid null", async () => {
    const uids = [freshUid("all"), freshUid("all")];
    const clients = await Promise.all(uids.map((uid) => openStream(uid)));
    const answer = await publish({ isAll: true, msg: { text: "maintenance at 22:00" } });
    expect(answer.delivered).toBeGreaterThanOrEqual(2);
    for (const [i, client] of clients.entries()) {
      await client.untilMessages(1);
      const id = idFor(answer, uids[i]!);
      expect(client.messages()).toEqual([{ id, uid: null, msg: { text: "maintenance at 22:00" }, ts: expect.any(Number) }]);
    }
  });

  it("isAll wins over uid, as in the seed design", async () => {
    const uids = [freshUid("seed"), freshUid("seed")];
    const [a, b] = await Promise.all(uids.map((uid) => openStream(uid)));
    const answer = await publish({ uid: "someone-else", isAll: true, msg: "for all" });
    await Promise.all([a!.untilMessages(1), b!.untilMessages(1)]);
    expect(b!.messages()[0]).toMatchObject({ id: idFor(answer, uids[1]!), uid: null });
  });

  it("delivers to each of several uids once, naming each its own uid", async () => {
    const [u1, u2, u3] = [freshUid("many"), freshUid("many"), freshUid("many")];
    const [c1, c2, c3] = await Promise.all([openStream(u1), openStream(u2), openStream(u3)]);
    const answer = await publish({ uids: [u1, u2, u1], event: "like", msg: 7 });
    expect(answer.delivered).toBe(2);
    await Promise.all([c1.untilMessages(1), c2.untilMessages(1)]);
    await sleep(50);
    expect(c1.messages()).toEqual([{ id: idFor(answer, u1), uid: u1, msg: 7, ts: expect.any(Number) }]);
    expect(c2.messages()).toEqual([{ id: idFor(answer, u2), uid: u2, msg: 7, ts: expect.any(Number) }]);
    expect(c1.events.filter((e) => e.id === idFor(answer, u1)).map((e) => e.event)).toEqual(["like"]);
    expect(c3.messages()).toEqual([]);
  });

  it("pushes the new unread count with each message", async () => {
    const uid = freshUid("unread");
    const client = await openStream(uid);
    await publish({ uid, msg: 1 });
    await publish({ uid, msg: 2 });
    await client.until(() => client.named("unread").length >= 3, "two unread updates");
    const [start] = client.unreadCounts();
    expect(client.unreadCounts()).toEqual([start, start! + 1, start! + 2]);
  });

  it("gives ids that only grow, as each uid sees them", async () => {
    const uid = freshUid("ids");
    const first = await publish({ uid, msg: "a" });
    const second = await publish({ isAll: true, msg: "b" });
    const third = await publish({ uids: [uid], msg: "c" });
    expect(Number(idFor(second, uid))).toBeGreaterThan(Number(idFor(first, uid)));
    expect(Number(idFor(third, uid))).toBeGreaterThan(Number(idFor(second, uid)));
  });

  it("sends heartbeat comments", async () => {
    const client = await openStream(freshUid("ping"));
    await client.until(() => client.comments.length >= 2, "two pings", TEST_HEARTBEAT_MS * 10);
    expect(client.raw).toContain("\n: ping\n\n");
  });
});

describe("stream lifecycle", () => {
  it("forgets a client that closed its stream by the next heartbeat", async () => {
    const uid = freshUid("closed");
    const [stays, leaves] = await Promise.all([openStream(uid), openStream(uid)]);
    await leaves.close();
    await sleep(TEST_HEARTBEAT_MS * 3);
    const answer = await publish({ uid, msg: "after close" });
    expect(answer.delivered).toBe(1);
    await stays.untilMessages(1);
  });

  it("closes the oldest tab when a uid opens more than MAX_STREAMS_PER_UID", async () => {
    const uid = freshUid("tabs");
    const oldest = await openStream(uid);
    const others: SseClient[] = [];
    for (let i = 0; i < TEST_MAX_STREAMS_PER_UID; i++) others.push(await openStream(uid));
    await oldest.untilEnded();
    const answer = await publish({ uid, msg: "to the newest" });
    expect(answer.delivered).toBe(TEST_MAX_STREAMS_PER_UID);
    await Promise.all(others.map((tab) => tab.untilMessages(1)));
    expect(oldest.messages()).toEqual([]);
  });
});
