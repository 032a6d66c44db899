// Seen, read, archived and deleted per user, tags and expiry, through the real
// Worker and hub: each change shows in /inbox, in the counts and in the live
// events of every open tab. (Broadcasts of other tests count too: counts are
// compared as differences.)
import { afterEach, describe, expect, it } from "vitest";
import type { InboxCounts, RetractNotice } from "../src/messages";
import { getInbox, listed, mark } from "./helpers/inbox";
import { idFor, publish, sleep } from "./helpers/publish";
import { closeAllStreams, openStream, type SseClient } from "./helpers/sse-client";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

const plus = (counts: InboxCounts, unread: number, unseen: number): InboxCounts => ({
  unread: counts.unread + unread,
  unseen: counts.unseen + unseen,
});

/** Every tab's latest counts become `expected`. */
async function tabsHear(tabs: SseClient[], expected: InboxCounts): Promise<void> {
  for (const tab of tabs) {
    await tab.until(() => JSON.stringify(tab.counts().at(-1)) === JSON.stringify(expected), `counts ${JSON.stringify(expected)}`);
  }
}

describe("seen, read, archived, deleted", () => {
  it("shows each change in /inbox, in the counts and on every open tab", async () => {
    const uid = freshUid("states");
    const other = freshUid("other");
    const tabs = [await openStream(uid), await openStream(uid)];
    const start = tabs[0]!.counts()[0]!;
    const sharedAnswer = await publish({ uids: [uid, other], msg: "three" });
    const [first, second, shared] = [await publish({ uid, msg: "one" }), await publish({ uid, msg: "two" }), sharedAnswer].map((answer) =>
      idFor(answer, uid),
    ) as [string, string, string];
    await tabsHear(tabs, plus(start, 3, 3));

    // The bell opened and showed the first: seen, still unread.
    expect(await mark("seen", { uid, ids: [first] })).toEqual(plus(start, 3, 2));
    await tabsHear(tabs, plus(start, 3, 2));
    // Read implies seen.
    expect(await mark("read", { uid, ids: [second] })).toEqual(plus(start, 2, 1));
    await tabsHear(tabs, plus(start, 2, 1));
    const rows = (await getInbox(uid)).messages.filter((m) => [first, second].includes(m.id));
    expect(rows.map((m) => [m.id, m.seen, m.read])).toEqual([
      [second, true, true],
      [first, true, false],
    ]);

    // Archived: out of the default listing and the counts, listed with status=archived.
    expect(await mark("archive", { uid, ids: [shared] })).toEqual(plus(start, 1, 0));
    await tabsHear(tabs, plus(start, 1, 0));
    expect(await listed(uid)).not.toContain(shared);
    expect(await listed(uid, { status: "archived" })).toEqual([shared]);
    expect(await mark("unarchive", { uid, ids: [shared] })).toEqual(plus(start, 2, 1));
    expect(await listed(uid, { status: "unread" })).toEqual(expect.arrayContaining([shared, first]));
    expect(await listed(uid, { status: "unseen" })).toContain(shared);

    // Deleted for this uid only: the other recipient keeps it.
    expect(await mark("delete", { uid, ids: [shared] })).toEqual(plus(start, 1, 0));
    await tabsHear(tabs, plus(start, 1, 0));
    expect(await listed(uid)).not.toContain(shared);
    expect(await listed(uid, { status: "archived" })).toEqual([]);
    expect(await listed(other)).toContain(idFor(sharedAnswer, other));
  });

  it("marks everything up to an id, never past the newest message", async () => {
    const uid = freshUid("up-to");
    const sent = [await publish({ uid, msg: 1 }), await publish({ uid, msg: 2 })].map((answer) => idFor(answer, uid));
    // "Everything up to" a far-future id covers what exists, not what comes later.
    const counts = await mark("seen", { uid, upTo: "9007199254740991" });
    expect(counts.unseen).toBeLessThan(counts.unread);
    const later = idFor(await publish({ uid, msg: 3 }), uid);
    expect(await listed(uid, { status: "unseen" })).toContain(later);
    expect(await listed(uid, { status: "unseen" })).not.toContain(sent[1]);
    await mark("archive", { uid, upTo: sent[1]! });
    expect(await listed(uid, { status: "archived" })).toEqual([sent[1], sent[0]]);
    await mark("unarchive", { uid, upTo: sent[0]! });
    expect(await listed(uid, { status: "archived" })).toEqual([sent[1]]);
  });

  it("does not replay a message the user deleted or archived", async () => {
    const uid = freshUid("replay");
    const before = await publish({ uid, msg: "seen live" });
    const [deleted, archived, kept] = [
      await publish({ uid, msg: "x" }),
      await publish({ uid, msg: "y" }),
      await publish({ uid, msg: "z" }),
    ];
    await mark("delete", { uid, ids: [idFor(deleted, uid)] });
    await mark("archive", { uid, ids: [idFor(archived, uid)] });
    const resumed = await openStream(uid, { lastEventId: idFor(before, uid) });
    expect(resumed.messages().map((m) => m.id)).toEqual([idFor(kept, uid)]);
  });
});

describe("tags", () => {
  it("filters the inbox by tag and counts per tag, targeted and broadcasts mixed", async () => {
    const uid = freshUid("tags");
    const tab = await openStream(uid);
    const social = await publish({ uid, msg: "like", tags: ["social"] });
    const both = await publish({ isAll: true, msg: "news", tags: ["social", "system"] });
    const system = await publish({ uid, msg: "login", tags: ["system"] });
    await publish({ uid, msg: "untagged" });
    await tab.untilMessages(4);
    expect(tab.messages().map((m) => m.tags)).toEqual([["social"], ["social", "system"], ["system"], undefined]);

    expect(await listed(uid, { tag: "social" })).toEqual([idFor(both, uid), idFor(social, uid)]);
    // Only this test publishes tagged messages, so the per-tag counts are exact.
    expect((await getInbox(uid, { tags: "social,system" })).byTag).toEqual({
      social: { unread: 2, unseen: 2 },
      system: { unread: 2, unseen: 2 },
    });
    await mark("read", { uid, ids: [idFor(system, uid)] });
    await mark("seen", { uid, ids: [idFor(social, uid)] });
    expect((await getInbox(uid, { tags: "social,system" })).byTag).toEqual({
      social: { unread: 2, unseen: 1 },
      system: { unread: 1, unseen: 1 },
    });
  });
});

describe("expiry", () => {
  it("takes an expired message out of the inbox, the counts, replay and open tabs", async () => {
    const uid = freshUid("expiry");
    const tab = await openStream(uid);
    const start = tab.counts()[0]!;
    const before = await publish({ uid, msg: "stays" });
    const expiring = await publish({ uid, msg: "for a moment", expiresAt: Date.now() + 400 });
    expect(await listed(uid)).toContain(idFor(expiring, uid));
    await tabsHear([tab], plus(start, 2, 2));
    expect(tab.messages().at(-1)?.expiresAt).toEqual(expect.any(Number));

    await sleep(500);
    expect(await listed(uid)).not.toContain(idFor(expiring, uid));
    expect((await getInbox(uid)).unread).toBe(start.unread + 1);
    await tabsHear([tab], plus(start, 1, 1));
    const notice = JSON.parse(tab.named("retract")[0]!.data) as RetractNotice;
    expect(notice).toEqual({ id: idFor(expiring, uid), reason: "expired" });
    const resumed = await openStream(uid, { lastEventId: idFor(before, uid) });
    expect(resumed.messages()).toEqual([]);
  });

  it("takes a ttl in seconds", async () => {
    const uid = freshUid("ttl");
    await publish({ uid, msg: "for an hour", ttl: 3600 });
    const [row] = (await getInbox(uid)).messages;
    expect(row?.expiresAt).toBeGreaterThan(Date.now() + 3590_000);
  });
});
