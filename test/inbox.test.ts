import { afterEach, describe, expect, it } from "vitest";
import { getInbox, markRead } from "./helpers/inbox";
import { idFor, postJson, publish, sleep } from "./helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "./helpers/sse-client";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

describe("GET /inbox", () => {
  it("lists a user's messages newest first, with its unread count, paged by before", async () => {
    const uid = freshUid("inbox");
    const sent: { id: string }[] = [];
    for (let i = 0; i < 5; i++) sent.push(await publish({ uid, event: i % 2 ? "like" : "message", msg: { n: i } }));
    const first = await getInbox(uid, { limit: "2" });
    expect(first.messages.map((m) => m.id)).toEqual([sent[4]!.id, sent[3]!.id]);
    expect(first.messages[0]).toEqual({
      id: sent[4]!.id,
      event: "message",
      msg: { n: 4 },
      ts: expect.any(Number),
      broadcast: false,
      tags: [],
      expiresAt: null,
      seen: false,
      read: false,
      archived: false,
    });
    expect(first.messages[1]!.event).toBe("like");
    expect(first.next).toBe(sent[3]!.id);
    const second = await getInbox(uid, { limit: "2", before: first.next! });
    expect(second.messages.map((m) => m.id)).toEqual([sent[2]!.id, sent[1]!.id]);
    const last = await getInbox(uid, { limit: "2", before: second.next! });
    expect(last.messages.map((m) => m.id)).toEqual([sent[0]!.id]);
    expect(last.next).toBeNull();
    expect(first.unread).toBe(5);
  });

  it("holds messages published while the user was offline", async () => {
    const uid = freshUid("offline");
    const answer = await publish({ uid, msg: "while you were away" });
    expect(answer.delivered).toBe(0);
    const inbox = await getInbox(uid);
    expect(inbox.messages).toEqual([expect.objectContaining({ id: answer.id, event: "message", msg: "while you were away", read: false })]);
    expect(inbox.unread).toBe(1);
  });

  it("refuses a bad limit or before", async () => {
    const queries: Record<string, string>[] = [{ limit: "0" }, { limit: "101" }, { limit: "x" }, { before: "0" }, { before: "1.5" }];
    for (const query of queries) {
      const response = await fetchWorker(`/inbox?${new URLSearchParams({ uid: "u", ...query })}`);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/limit|before/);
    }
  });
});

describe("unread counts", () => {
  it("rises with each message and falls when read by ids and by upTo, live on every tab", async () => {
    const uid = freshUid("count");
    const [tab1, tab2] = await Promise.all([openStream(uid), openStream(uid)]);
    const start = tab1.unreadCounts()[0]!;
    const sent = [await publish({ uid, msg: 1 }), await publish({ uid, msg: 2 }), await publish({ uid, msg: 3 })];
    expect((await getInbox(uid)).unread).toBe(start + 3);

    expect(await markRead({ uid, ids: [sent[1]!.id] })).toEqual({ unread: start + 2, unseen: start + 2 });
    expect((await getInbox(uid)).messages.filter((m) => m.read).map((m) => m.id)).toEqual([sent[1]!.id]);
    expect(await markRead({ uid, upTo: sent[2]!.id })).toEqual({ unread: 0, unseen: 0 });
    expect(await markRead({ uid, upTo: sent[2]!.id })).toEqual({ unread: 0, unseen: 0 });

    const expected = [start, start + 1, start + 2, start + 3, start + 2, 0];
    for (const tab of [tab1, tab2]) {
      await tab.until(() => tab.unreadCounts().length >= expected.length, "every unread change");
      expect(tab.unreadCounts()).toEqual(expected);
    }
  });

  it("keeps read state per uid, also for a broadcast", async () => {
    const [alice, bob] = [freshUid("alice"), freshUid("bob")];
    await markRead({ uid: alice, upTo: (await publish({ uid: alice, msg: "clear" })).id });
    await markRead({ uid: bob, upTo: (await publish({ uid: bob, msg: "clear" })).id });
    const broadcast = await publish({ isAll: true, msg: "for everyone" });
    expect((await getInbox(alice)).unread).toBe(1);
    expect(await markRead({ uid: alice, ids: [idFor(broadcast, alice)] })).toEqual({ unread: 0, unseen: 0 });
    expect((await getInbox(bob)).unread).toBe(1);
    expect((await getInbox(bob)).messages[0]).toMatchObject({ id: idFor(broadcast, bob), read: false });
    expect((await getInbox(alice)).messages[0]).toMatchObject({ id: idFor(broadcast, alice), read: true });
  });

  it("ignores ids that are not the user's", async () => {
    const [owner, stranger] = [freshUid("owner"), freshUid("stranger")];
    const message = await publish({ uid: owner, msg: "private" });
    await markRead({ uid: stranger, ids: [message.id] });
    expect((await getInbox(owner)).messages[0]).toMatchObject({ id: message.id, read: false });
    expect((await getInbox(stranger)).messages.map((m) => m.id)).not.toContain(message.id);
  });

  it("refuses a read call with nothing to mark or a bad id", async () => {
    for (const body of [{ uid: "u" }, { uid: "u", ids: ["x"] }, { uid: "u", upTo: "0" }, { uid: "u", ids: "1" }, { ids: ["1"] }]) {
      const response = await postJson("/inbox/read", body, {});
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { code: number }).code).toBe(400);
    }
  });
});

describe("idempotent publish", () => {
  it("answers a repeated key with the first result and stores and delivers once", async () => {
    const uid = freshUid("idem");
    const stream = await openStream(uid);
    const key = `like-${uid}`;
    const first = await publish({ uid, msg: "once", key });
    const again = await publish({ uid, msg: "once", key });
    const viaHeader = await publish({ uid, msg: "once" }, { "Idempotency-Key": key });
    expect(again).toEqual(first);
    expect(viaHeader).toEqual(first);
    await stream.untilMessages(1);
    await sleep(50);
    expect(stream.messages().map((m) => m.id)).toEqual([first.id]);
    const stored = (await getInbox(uid)).messages.filter((m) => m.msg === "once");
    expect(stored.map((m) => m.id)).toEqual([first.id]);
  });

  it("treats different keys as different messages", async () => {
    const uid = freshUid("keys");
    const a = await publish({ uid, msg: "a", key: `${uid}-a` });
    const b = await publish({ uid, msg: "a", key: `${uid}-b` });
    expect(a.id).not.toBe(b.id);
  });
});
