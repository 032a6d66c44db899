// History on its own, in a Durable Object's real SQLite storage: each test
// gets an object (and so a storage) of its own.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { History } from "../../src/hub/history";

const DAY_MS = 24 * 60 * 60 * 1000;
let objects = 0;

/** Run `check` against a History over a fresh object's storage. */
function withHistory(check: (history: History, storage: DurableObjectStorage) => void): Promise<void> {
  const stub = env.PUSH_HUB.get(env.PUSH_HUB.idFromName(`history-test-${Date.now()}-${objects++}`));
  return runInDurableObject(stub, (_hub, state) => check(new History(state.storage), state.storage));
}

const to = (...uids: string[]) => ({ all: false as const, uids });
const everyone = { all: true as const };

describe("History", () => {
  it("numbers messages from 1 and keeps the head across a restart of the object", () =>
    withHistory((history, storage) => {
      expect(history.headId()).toBe(0);
      expect(history.insert(to("a"), "message", '"one"', 1)).toBe(1);
      expect(history.insert(everyone, "message", '"two"', 2)).toBe(2);
      expect(new History(storage).headId()).toBe(2);
    }));

  it("pages an inbox newest first across targeted and broadcast messages, with a cursor for the next page", () =>
    withHistory((history) => {
      for (let i = 1; i <= 5; i++) history.insert(i % 2 === 0 ? everyone : to("a"), "message", JSON.stringify(i), i);
      history.insert(to("b"), "message", '"not a\'s"', 6);
      const first = history.inboxPage("a", Number.MAX_SAFE_INTEGER, 3);
      expect(first.messages.map((m) => m.msg)).toEqual([5, 4, 3]);
      expect(first.next).toBe("3");
      const second = history.inboxPage("a", 3, 3);
      expect(second.messages.map((m) => m.msg)).toEqual([2, 1]);
      expect(second.next).toBeNull();
    }));

  it("counts unread from a read cursor plus single marks, ignoring marks on other uids' messages", () =>
    withHistory((history) => {
      const mine = [1, 2, 3].map((ts) => history.insert(to("a"), "message", "0", ts));
      const theirs = history.insert(to("b"), "message", "0", 4);
      const broadcast = history.insert(everyone, "message", "0", 5);
      expect(history.unreadCount("a")).toBe(4);
      history.markRead("a", [mine[2]!, theirs, broadcast]);
      expect(history.unreadCount("a")).toBe(2);
      expect(history.unreadCount("b")).toBe(2);
      history.markReadUpTo("a", mine[1]!);
      expect(history.unreadCount("a")).toBe(0);
      expect(history.inboxPage("a", Number.MAX_SAFE_INTEGER, 10).messages.map((m) => m.read)).toEqual([true, true, true, true]);
    }));

  it("keeps at most the newest maxRows messages, with their recipients and read marks, and remembers the trim line", () =>
    withHistory((history, storage) => {
      const sent = [1, 2, 3, 4, 5, 6].map((ts) => history.insert(to("a"), "message", String(ts), ts));
      history.markRead("a", [sent[0]!, sent[5]!]);
      expect(history.trim(7, 30 * DAY_MS, 2)).toBe(4);
      expect(history.messagesAfter("a", 0, 100).map((m) => m.id)).toEqual([sent[4], sent[5]]);
      expect(history.unreadCount("a")).toBe(1);
      expect(history.trimmedUpTo()).toBe(sent[3]);
      const leftovers = (table: string) =>
        storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE id <= ?`, sent[3]!).one().n;
      expect([leftovers("recipients"), leftovers("read_marks")]).toEqual([0, 0]);
      // A restarted object knows the line, and the head never falls below it.
      const restarted = new History(storage);
      expect(restarted.trimmedUpTo()).toBe(sent[3]);
      expect(restarted.headId()).toBe(sent[5]);
    }));

  it("drops messages older than the age limit, and nothing when none is", () =>
    withHistory((history) => {
      history.insert(to("a"), "message", '"old"', 1000);
      history.insert(to("a"), "message", '"new"', 1000 + 2 * DAY_MS);
      expect(history.trim(1000 + 2 * DAY_MS, DAY_MS, 100)).toBe(1);
      expect(history.trim(1000 + 2 * DAY_MS, DAY_MS, 100)).toBe(0);
      expect(history.messagesAfter("a", 0, 10).map((m) => m.msgJson)).toEqual(['"new"']);
    }));

  it("counts unread broadcasts right after a trim, at any read cursor, and after numbering older storage", () =>
    withHistory((history, storage) => {
      const sent = [1, 2, 3, 4, 5].map((ts) => history.insert(everyone, "message", String(ts), ts));
      history.trim(6, 30 * DAY_MS, 3);
      expect(history.unreadCount("a")).toBe(3);
      history.markReadUpTo("a", sent[3]!);
      expect(history.unreadCount("a")).toBe(1);

      // Storage from before broadcasts were numbered: the column is added and filled once.
      storage.sql.exec("ALTER TABLE messages DROP COLUMN broadcast_no");
      const upgraded = new History(storage);
      expect(upgraded.unreadCount("a")).toBe(1);
      expect(upgraded.unreadCount("nobody-read")).toBe(3);
      upgraded.insert(everyone, "message", '"after"', 7);
      expect(upgraded.unreadCount("a")).toBe(2);
    }));

  it("answers a repeated idempotency key with the first result for 24 hours", () =>
    withHistory((history) => {
      const first = { code: 0 as const, id: "7", delivered: 2 };
      history.rememberResult("k", first, 1000);
      expect(history.idempotentResult("k", 1000 + DAY_MS - 1)).toEqual(first);
      expect(history.idempotentResult("k", 1000 + DAY_MS)).toBeUndefined();
      expect(history.idempotentResult("other", 1000)).toBeUndefined();
    }));
});
