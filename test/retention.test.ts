// Retention trims the whole hub, so these tests live in a file (and so a storage) of their own.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { History } from "../src/hub/history";
import type { PushHub } from "../src/hub/push-hub";
import { hubFor } from "../src/hub/shards";
import { readSettings } from "../src/settings";
import { getInbox } from "./helpers/inbox";
import { publish } from "./helpers/publish";
import { closeAllStreams, openStream } from "./helpers/sse-client";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

const DAY_MS = 24 * 60 * 60 * 1000;
const hubOf = (uid: string) => hubFor(env.PUSH_HUB, uid, readSettings(env).hubShards);

describe("retention", () => {
  it("is scheduled by publishing and runs as the object's alarm", async () => {
    const uid = freshUid("alarm");
    await publish({ uid, msg: "kept" });
    expect(await runDurableObjectAlarm(hubOf(uid))).toBe(true);
    // Nothing is old enough yet: the message stays.
    expect((await getInbox(uid)).messages.map((m) => m.msg)).toEqual(["kept"]);
  });

  it("drops messages older than HISTORY_DAYS; a resume point below them gets reset and unread counts fall", async () => {
    const uid = freshUid("aged");
    const seen = await publish({ uid, msg: "old 1" });
    await publish({ uid, msg: "old 2" });
    await publish({ isAll: true, msg: "old 3" });
    const online = await openStream(freshUid("watcher"));
    const later = Date.now() + (readSettings(env).historyDays + 1) * DAY_MS;
    const trimmed = await runInDurableObject(hubOf(uid), (hub: PushHub) => hub.applyRetention(later));
    expect(trimmed).toBeGreaterThanOrEqual(3);
    expect(await getInbox(uid)).toEqual({ messages: [], unread: 0, next: null });
    await online.until(() => online.unreadCounts().at(-1) === 0, "the unread count to fall to 0");

    const resumed = await openStream(uid, { lastEventId: seen.id });
    expect(resumed.named("reset")).toHaveLength(1);
    expect(resumed.messages()).toEqual([]);

    // A resume point at the trim line is still exact: nothing after it was lost.
    const fresh = await publish({ uid, msg: "new" });
    const head = resumed.named("reset")[0]!.id!;
    const exact = await openStream(uid, { lastEventId: head });
    expect(exact.named("reset")).toEqual([]);
    expect(exact.messages().map((m) => m.id)).toEqual([fresh.id]);
  });

  it("keeps at most the newest maxRows messages, with their recipients and read marks", async () => {
    const uid = freshUid("count");
    const sent: { id: string }[] = [];
    for (let i = 0; i < 6; i++) sent.push(await publish({ uid, msg: i }));
    await runInDurableObject(hubOf(uid), (_hub, state) => {
      const history = new History(state.storage.sql, state.storage);
      history.trim(Date.now(), 30 * DAY_MS, 2);
      expect(history.messagesAfter(uid, 0, 100).map((m) => String(m.id))).toEqual([sent[4]!.id, sent[5]!.id]);
      expect(history.unreadCount(uid)).toBe(2);
      expect(history.trimmedUpTo()).toBe(Number(sent[3]!.id));
      const leftovers = state.storage.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipients WHERE id <= ?", Number(sent[3]!.id))
        .one().n;
      expect(leftovers).toBe(0);
    });
  });

  it("counts unread broadcasts right after a trim, at any read cursor, and after numbering older storage", async () => {
    const uid = freshUid("broadcasts");
    const sent: { id: string }[] = [];
    for (let i = 0; i < 5; i++) sent.push(await publish({ isAll: true, msg: `b${i}` }));
    await runInDurableObject(hubOf(uid), (_hub, state) => {
      const history = new History(state.storage.sql, state.storage);
      history.trim(Date.now(), 30 * DAY_MS, 3);
      expect(history.unreadCount(uid)).toBe(3);
      history.markReadUpTo(uid, Number(sent[3]!.id));
      expect(history.unreadCount(uid)).toBe(1);

      // Storage from before broadcasts were numbered: the column is added and filled once.
      state.storage.sql.exec("ALTER TABLE messages DROP COLUMN broadcast_no");
      const upgraded = new History(state.storage.sql, state.storage);
      expect(upgraded.unreadCount(uid)).toBe(1);
      expect(upgraded.unreadCount(freshUid("nobody-read"))).toBe(3);
    });
    const next = await publish({ isAll: true, msg: "after the upgrade" });
    expect((await getInbox(uid)).unread).toBe(2);
    expect((await getInbox(uid)).messages[0]).toMatchObject({ id: next.id, read: false });
  });
});
