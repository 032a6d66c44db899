// Retention trims the whole hub, so these tests live in a file (and so a storage) of their own.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
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
    // Time passes: every stored message becomes older than HISTORY_DAYS, then the real alarm runs.
    const age = (readSettings(env).historyDays + 1) * DAY_MS;
    await runInDurableObject(hubOf(uid), (_hub, state) => state.storage.sql.exec("UPDATE messages SET ts = ts - ?", age));
    expect(await runDurableObjectAlarm(hubOf(uid))).toBe(true);
    expect(await getInbox(uid)).toEqual({ messages: [], unread: 0, unseen: 0, next: null });
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
});
