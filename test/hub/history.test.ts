// History and Inbox on their own, in a Durable Object's real SQLite storage:
// each test gets an object (and so a storage) of its own.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { History, type NewMessage } from "../../src/hub/history";
import { Inbox } from "../../src/hub/inbox";

/** One message stored alone: its id. */
const insertOne = (history: History, message: NewMessage, ts: number): number => history.insertAll([message], ts)[0]!;

const DAY_MS = 24 * 60 * 60 * 1000;
let objects = 0;

/** Run `check` against a History and an Inbox over a fresh object's storage. */
function withStorage(check: (history: History, inbox: Inbox, storage: DurableObjectStorage) => void): Promise<void> {
  const stub = env.PUSH_HUB.get(env.PUSH_HUB.idFromName(`history-test-${Date.now()}-${objects++}`));
  return runInDurableObject(stub, (_hub, state) => check(new History(state.storage), new Inbox(state.storage.sql), state.storage));
}

const message = (fields: Partial<NewMessage> & { uids?: string[] }): NewMessage => ({
  audience: fields.uids === undefined ? { all: true } : { all: false, uids: fields.uids },
  event: "message",
  msgJson: fields.msgJson ?? '"hi"',
  tags: fields.tags ?? [],
  expiresAt: fields.expiresAt ?? null,
  ref: fields.ref ?? null,
});
const all = (inbox: Inbox, uid: string) =>
  inbox.page(uid, { before: Number.MAX_SAFE_INTEGER, limit: 100, status: "all", tag: null }, 0).messages.map((m) => Number(m.id));

describe("History", () => {
  it("numbers messages from 1 and keeps the head across a restart, even when the newest was retracted", () =>
    withStorage((history, _inbox, storage) => {
      expect(history.headId()).toBe(0);
      expect(insertOne(history, message({ uids: ["a"] }), 1)).toBe(1);
      expect(insertOne(history, message({}), 2)).toBe(2);
      history.retract(2);
      expect(new History(storage).headId()).toBe(2);
      expect(insertOne(history, message({}), 3)).toBe(3);
    }));

  it("keeps at most the newest maxRows messages, with their recipients, tags and marks, and remembers the trim line", () =>
    withStorage((history, inbox, storage) => {
      const sent = [1, 2, 3, 4, 5, 6].map((ts) => insertOne(history, message({ uids: ["a"], tags: ["x"] }), ts));
      inbox.mark("a", "read", [sent[0]!, sent[5]!], null);
      expect(history.trim(7, 30 * DAY_MS, 2)).toBe(4);
      expect(all(inbox, "a")).toEqual([sent[5], sent[4]]);
      expect(inbox.counts("a")).toEqual({ unread: 1, unseen: 1 });
      expect(history.trimmedUpTo()).toBe(sent[3]);
      for (const table of ["recipients", "message_tags", "inbox_marks"]) {
        expect(storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE id <= ?`, sent[3]!).one().n, table).toBe(0);
      }
      const restarted = new History(storage);
      expect(restarted.trimmedUpTo()).toBe(sent[3]);
      expect(restarted.headId()).toBe(sent[5]);
    }));

  it("drops messages older than the age limit, and nothing when none is", () =>
    withStorage((history, inbox) => {
      insertOne(history, message({ uids: ["a"], msgJson: '"old"' }), 1000);
      const fresh = insertOne(history, message({ uids: ["a"], msgJson: '"new"' }), 1000 + 2 * DAY_MS);
      expect(history.trim(1000 + 2 * DAY_MS, DAY_MS, 100)).toBe(1);
      expect(history.trim(1000 + 2 * DAY_MS, DAY_MS, 100)).toBe(0);
      expect(all(inbox, "a")).toEqual([fresh]);
    }));

  it("keeps broadcasts counted right when one in the middle is retracted or expires", () =>
    withStorage((history, inbox) => {
      const sent = [1, 2, 3, 4, 5].map((ts) => insertOne(history, message({ expiresAt: ts === 4 ? 100 : null }), ts));
      expect(inbox.counts("a").unread).toBe(5);
      history.retract(sent[1]!);
      expect(inbox.counts("a").unread).toBe(4);
      expect(history.nextExpiry()).toBe(100);
      expect(history.purgeExpired(99)).toEqual([]);
      expect(history.purgeExpired(100)).toEqual([{ id: sent[3], isAll: true, uids: [] }]);
      expect(history.nextExpiry()).toBeNull();
      expect(inbox.counts("a").unread).toBe(3);
      inbox.mark("a", "read", [], sent[2]!);
      expect(inbox.counts("a").unread).toBe(1);
      insertOne(history, message({}), 6);
      expect(inbox.counts("a").unread).toBe(2);
    }));

  it("names a message by its ref, the newest when a key was used again after its 24 hours", () =>
    withStorage((history) => {
      const first = insertOne(history, message({ ref: "k" }), 1);
      expect(history.idOf("k")).toBe(first);
      expect(history.idOf(first)).toBe(first);
      const second = insertOne(history, message({ ref: "k" }), 2);
      expect(history.idOf("k")).toBe(second);
      expect(history.idOf("unknown")).toBeUndefined();
      expect(history.idOf(99)).toBeUndefined();
    }));

  it("tells who had a removed message, and finds the messages addressed to one uid alone", () =>
    withStorage((history) => {
      const alone = insertOne(history, message({ uids: ["a"] }), 1);
      const shared = insertOne(history, message({ uids: ["a", "b"] }), 2);
      insertOne(history, message({}), 3);
      expect(history.onlyFor("a")).toEqual([alone]);
      expect(history.remove([shared])).toEqual([{ id: shared, isAll: false, uids: ["a", "b"] }]);
      expect(history.details(alone)).toMatchObject({ audience: 1, isAll: false, delivered: 0 });
      history.recordDelivered([[alone, 3]]);
      expect(history.details(alone)?.delivered).toBe(3);
    }));

  it("answers a repeated key with the first result for 24 hours, and a different request under it with a conflict", () =>
    withStorage((history) => {
      const first = { code: 0 as const, id: "7", delivered: 2 };
      history.rememberResult("k", "fingerprint-1", first, 1000);
      expect(history.repeatOf("k", "fingerprint-1", 1000 + DAY_MS - 1)).toEqual({ result: first });
      expect(history.repeatOf("k", "fingerprint-2", 1000 + DAY_MS - 1)).toEqual({ conflict: true });
      expect(history.repeatOf("k", "fingerprint-1", 1000 + DAY_MS)).toBeUndefined();
      expect(history.repeatOf("other", "fingerprint-1", 1000)).toBeUndefined();
    }));

  it("upgrades storage from before seen, archive and tags: read state moves, broadcasts get numbers", () =>
    withStorage((history, _inbox, storage) => {
      const sent = [1, 2, 3].map((ts) => insertOne(history, message({}), ts));
      const sql = storage.sql;
      // The tables as they were: read cursor and marks only, no numbers on broadcasts.
      sql.exec("CREATE TABLE read_cursors (uid TEXT PRIMARY KEY, up_to INTEGER NOT NULL) WITHOUT ROWID");
      sql.exec("CREATE TABLE read_marks (uid TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (uid, id)) WITHOUT ROWID");
      sql.exec("INSERT INTO read_cursors VALUES ('a', ?)", sent[0]!);
      sql.exec("INSERT INTO read_marks VALUES ('a', ?)", sent[2]!);
      sql.exec("DROP INDEX messages_by_ref; DROP INDEX messages_expiring");
      sql.exec("ALTER TABLE messages DROP COLUMN broadcast_no");
      sql.exec("ALTER TABLE messages DROP COLUMN ref");
      new History(storage);
      const inbox = new Inbox(sql);
      expect(inbox.counts("a")).toEqual({ unread: 1, unseen: 1 });
      expect(inbox.counts("b")).toEqual({ unread: 3, unseen: 3 });
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name IN ('read_cursors', 'read_marks')").toArray();
      expect(tables).toEqual([]);
    }));
});

describe("Inbox", () => {
  it("reads imply seen; archive hides from the listing and counts; delete is for one uid only", () =>
    withStorage((history, inbox) => {
      const [one, two, three] = [1, 2, 3].map((ts) => insertOne(history, message({ uids: ["a", "b"] }), ts)) as [number, number, number];
      inbox.mark("a", "seen", [one], null);
      expect(inbox.counts("a")).toEqual({ unread: 3, unseen: 2 });
      inbox.mark("a", "read", [two], null);
      expect(inbox.counts("a")).toEqual({ unread: 2, unseen: 1 });
      inbox.mark("a", "archive", [three], null);
      expect(inbox.counts("a")).toEqual({ unread: 1, unseen: 0 });
      expect(all(inbox, "a")).toEqual([two, one]);
      inbox.mark("a", "delete", [one], null);
      expect(all(inbox, "a")).toEqual([two]);
      expect(all(inbox, "b")).toEqual([three, two, one]);
      const page = inbox.page("a", { before: Number.MAX_SAFE_INTEGER, limit: 10, status: "archived", tag: null }, 0);
      expect(page.messages.map((m) => [Number(m.id), m.seen, m.read, m.archived])).toEqual([[three, false, false, true]]);
    }));

  it("filters by tag and counts per tag across targeted messages and broadcasts", () =>
    withStorage((history, inbox) => {
      insertOne(history, message({ uids: ["a"], tags: ["social"] }), 1);
      insertOne(history, message({ tags: ["social", "system"] }), 2);
      insertOne(history, message({ tags: ["system"] }), 3);
      insertOne(history, message({ uids: ["b"], tags: ["social"] }), 4);
      const tagged = (tag: string) =>
        inbox.page("a", { before: Number.MAX_SAFE_INTEGER, limit: 10, status: "all", tag }, 0).messages.map((m) => m.tags);
      expect(tagged("social")).toEqual([["social", "system"], ["social"]]);
      expect(inbox.counts("a", "social")).toEqual({ unread: 2, unseen: 2 });
      expect(inbox.counts("a", "system")).toEqual({ unread: 2, unseen: 2 });
      expect(inbox.counts("a", "nothing")).toEqual({ unread: 0, unseen: 0 });
    }));

  it("counts who has seen and read a message, among its recipients or everyone for a broadcast", () =>
    withStorage((history, inbox) => {
      const targeted = insertOne(history, message({ uids: ["a", "b", "c"] }), 1);
      const broadcast = insertOne(history, message({}), 2);
      inbox.mark("a", "read", [targeted], null);
      inbox.mark("b", "seen", [], broadcast);
      inbox.mark("x", "read", [], broadcast);
      expect(inbox.readers(targeted, false)).toEqual({ seen: 2, read: 1 });
      expect(inbox.readers(broadcast, true)).toEqual({ seen: 2, read: 1 });
    }));
});
