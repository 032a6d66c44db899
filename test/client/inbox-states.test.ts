// The client's inbox calls and its counts and retract callbacks, inside workerd
// against the real Worker and hub (fetch is the Worker's own).
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  archive,
  deleteMessages,
  fetchInbox,
  type InboxCounts,
  type InboxTarget,
  markRead,
  markSeen,
  type Subscription,
  subscribe,
  unarchive,
} from "../../src/client/index";
import { AUTH, publish } from "../helpers/publish";
import { BASE, fetchWorker } from "../helpers/sse-client";
import { freshUid } from "../helpers/uids";

const opened: Subscription[] = [];
afterEach(() => {
  for (const subscription of opened.splice(0)) subscription.close();
});

const targetFor = (uid: string): InboxTarget => ({
  url: BASE,
  uid,
  fetch: (input, init) => exports.default.fetch(new Request(input, init)),
});

async function until(what: string, ready: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const idsOf = (page: { messages: { id: string }[] }) => page.messages.map((m) => m.id);

describe("the inbox calls", () => {
  it("change seen, read, archived and deleted, each answering the counts, and list by status", async () => {
    const uid = freshUid("client-states");
    const target = targetFor(uid);
    const [a, b, c] = [await publish({ uid, msg: "a" }), await publish({ uid, msg: "b" }), await publish({ uid, msg: "c" })];

    expect(await markSeen(target, { upTo: a.id })).toEqual({ unread: 3, unseen: 2 });
    expect(idsOf(await fetchInbox(target, { status: "unseen" }))).toEqual([c.id, b.id]);
    expect(await markRead(target, { ids: [b.id] })).toEqual({ unread: 2, unseen: 1 });
    expect(idsOf(await fetchInbox(target, { status: "unread" }))).toEqual([c.id, a.id]);

    expect(await archive(target, { ids: [c.id] })).toEqual({ unread: 1, unseen: 0 });
    expect(idsOf(await fetchInbox(target))).toEqual([b.id, a.id]);
    const archived = await fetchInbox(target, { status: "archived" });
    expect(archived.messages).toMatchObject([{ id: c.id, archived: true, seen: false, read: false }]);
    expect(await unarchive(target, { ids: [c.id] })).toEqual({ unread: 2, unseen: 1 });

    expect(await deleteMessages(target, { ids: [a.id], upTo: b.id })).toEqual({ unread: 1, unseen: 1 });
    expect(idsOf(await fetchInbox(target))).toEqual([c.id]);
  });

  it("filter by tag and count per tag", async () => {
    const uid = freshUid("client-tags");
    const target = targetFor(uid);
    const social = await publish({ uid, msg: "liked", tags: ["social"] });
    const system = await publish({ uid, msg: "maintenance", tags: ["system"] });
    await markSeen(target, { ids: [system.id] });
    const page = await fetchInbox(target, { tag: "social", tags: ["social", "system"] });
    expect(idsOf(page)).toEqual([social.id]);
    expect(page.messages[0]!.tags).toEqual(["social"]);
    expect(page.byTag).toEqual({ social: { unread: 1, unseen: 1 }, system: { unread: 1, unseen: 0 } });
    // Without tags= the answer has no byTag.
    expect((await fetchInbox(target)).byTag).toBeUndefined();
  });
});

describe("a subscription", () => {
  it("hears both counts on every change, and every retract with its reason", async () => {
    const uid = freshUid("client-live");
    const target = targetFor(uid);
    const counts: InboxCounts[] = [];
    const unread: number[] = [];
    const retracts: string[] = [];
    const subscription = subscribe({
      ...target,
      onCounts: (next) => counts.push(next),
      onUnread: (next) => unread.push(next),
      onRetract: (id, reason) => retracts.push(`${reason}:${id}`),
    });
    opened.push(subscription);
    await until("live", () => subscription.state === "live");
    expect(counts).toEqual([{ unread: 0, unseen: 0 }]);

    const first = await publish({ uid, msg: "first", tags: ["social"] });
    const second = await publish({ uid, msg: "second" });
    await until("two messages counted", () => counts.at(-1)?.unread === 2);
    await markSeen(target, { ids: [first.id] });
    await until("the seen count", () => counts.at(-1)?.unseen === 1);
    expect(counts.at(-1)).toEqual({ unread: 2, unseen: 1 });

    const retracted = await fetchWorker(`/messages/${second.id}`, { method: "DELETE", headers: AUTH });
    expect(retracted.status).toBe(200);
    await until("the retract", () => retracts.length === 1);
    expect(retracts).toEqual([`retracted:${second.id}`]);
    await until("the recount", () => counts.at(-1)?.unread === 1);
    expect(counts.at(-1)).toEqual({ unread: 1, unseen: 0 });
    expect(unread).toEqual(counts.map((c) => c.unread));
    // A retract does not move the resume point.
    expect(subscription.lastEventId).toBe(second.id);
  });
});
