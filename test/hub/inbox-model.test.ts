// The inbox's cursors and marks against the plainest possible model: a set of
// flags per (uid, message). Random publishes, marks (by ids and upTo),
// retracts, expiries and trims, then every count, page and replay compared.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { History, type NewMessage } from "../../src/hub/history";
import { Inbox } from "../../src/hub/inbox";

/** One message stored alone: its id. */
const insertOne = (history: History, message: NewMessage, ts: number): number => history.insertAll([message], ts)[0]!;

import type { InboxAction, InboxStatus } from "../../src/messages";

const UIDS = ["a", "b", "c"];
const TAGS = ["social", "system"];
// Archive and unarchive twice as often: their ranges have the most edges.
const ACTIONS: InboxAction[] = ["seen", "read", "archive", "unarchive", "delete", "archive", "unarchive"];
const STATUSES: InboxStatus[] = ["all", "unread", "unseen", "archived"];
const DAY_MS = 24 * 60 * 60 * 1000;

/** A small seeded generator, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 2 ** 32;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

interface ModelMessage {
  readonly id: number;
  readonly isAll: boolean;
  readonly uids: ReadonlySet<string>;
  readonly tags: readonly string[];
  readonly expiresAt: number | null;
}

interface Flags {
  seen: boolean;
  read: boolean;
  archived: boolean;
  deleted: boolean;
}

class Model {
  readonly messages = new Map<number, ModelMessage>();
  private readonly flags = new Map<string, Flags>();

  visible(uid: string, message: ModelMessage): boolean {
    return message.isAll || message.uids.has(uid);
  }

  flagsOf(uid: string, id: number): Flags {
    const key = `${uid}/${id}`;
    let flags = this.flags.get(key);
    if (flags === undefined) {
      flags = { seen: false, read: false, archived: false, deleted: false };
      this.flags.set(key, flags);
    }
    return flags;
  }

  mark(uid: string, action: InboxAction, ids: readonly number[], upTo: number | null): void {
    const targets = new Set(ids);
    if (upTo !== null) for (const id of this.messages.keys()) if (id <= upTo) targets.add(id);
    for (const id of targets) {
      const message = this.messages.get(id);
      if (message === undefined || !this.visible(uid, message)) continue;
      const flags = this.flagsOf(uid, id);
      if (action === "seen") flags.seen = true;
      if (action === "read") flags.read = flags.seen = true;
      if (action === "archive") flags.archived = true;
      if (action === "unarchive") flags.archived = false;
      if (action === "delete") flags.deleted = true;
    }
  }

  listed(uid: string, status: InboxStatus, tag: string | null): number[] {
    return [...this.messages.values()]
      .filter((m) => this.visible(uid, m) && (tag === null || m.tags.includes(tag)))
      .filter((m) => {
        const f = this.flagsOf(uid, m.id);
        if (f.deleted) return false;
        if (status === "archived") return f.archived;
        if (f.archived) return false;
        if (status === "unread") return !f.read;
        if (status === "unseen") return !f.seen && !f.read;
        return true;
      })
      .map((m) => m.id)
      .sort((x, y) => y - x);
  }

  counts(uid: string, tag: string | null) {
    return { unread: this.listed(uid, "unread", tag).length, unseen: this.listed(uid, "unseen", tag).length };
  }
}

it("agrees with a model of flags per uid and message through random operations", async () => {
  const stub = env.PUSH_HUB.get(env.PUSH_HUB.idFromName(`inbox-model-${Date.now()}`));
  await runInDurableObject(stub, (_hub, state) => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      state.storage.sql.exec(
        "DELETE FROM messages; DELETE FROM recipients; DELETE FROM message_tags; DELETE FROM inbox_cursors; DELETE FROM inbox_marks",
      );
      const history = new History(state.storage);
      const inbox = new Inbox(state.storage.sql);
      const model = new Model();
      const random = generator(seed);
      let now = 1_000_000;
      const removeFromModel = (ids: readonly number[]) => {
        for (const id of ids) model.messages.delete(id);
      };

      for (let step = 0; step < 160; step++) {
        const context = `seed ${seed}, step ${step}`;
        const roll = random.next();
        if (roll < 0.35) {
          const isAll = random.chance(0.3);
          const uids = isAll ? [] : UIDS.filter(() => random.chance(0.5));
          if (!isAll && uids.length === 0) uids.push(random.pick(UIDS));
          const tags = TAGS.filter(() => random.chance(0.4));
          const expiresAt = random.chance(0.15) ? now + 1 + random.int(5000) : null;
          const audience = isAll ? { all: true as const } : { all: false as const, uids };
          const id = insertOne(history, { audience, event: "message", msgJson: String(step), tags, expiresAt, ref: null }, now);
          model.messages.set(id, { id, isAll, uids: new Set(uids), tags, expiresAt });
        } else if (roll < 0.75 && model.messages.size > 0) {
          const uid = random.pick(UIDS);
          const action = random.pick(ACTIONS);
          const existing = [...model.messages.keys()];
          const ids = random.chance(0.7) ? existing.filter(() => random.chance(0.3)) : [];
          const upTo = ids.length === 0 || random.chance(0.4) ? random.pick(existing) : null;
          inbox.mark(uid, action, ids, upTo);
          model.mark(uid, action, ids, upTo);
        } else if (roll < 0.82 && model.messages.size > 0) {
          const id = random.pick([...model.messages.keys()]);
          history.retract(id);
          removeFromModel([id]);
        } else if (roll < 0.9) {
          now += random.int(3000);
        } else if (roll < 0.93 && model.messages.size > 4) {
          const keep = 2 + random.int(model.messages.size - 2);
          history.trim(now, 365 * DAY_MS, keep);
          const ids = [...model.messages.keys()].sort((x, y) => y - x);
          removeFromModel(ids.slice(keep));
        }
        // What the hub does before it counts: expired messages leave first.
        const expired = history.purgeExpired(now).map((removed) => removed.id);
        removeFromModel(expired);
        expect(
          [...model.messages.values()].filter((m) => m.expiresAt !== null && m.expiresAt <= now),
          context,
        ).toEqual([]);

        for (const uid of UIDS) {
          expect(inbox.counts(uid), `${context}: counts of ${uid}`).toEqual(model.counts(uid, null));
          for (const tag of TAGS) expect(inbox.counts(uid, tag), `${context}: ${tag} counts of ${uid}`).toEqual(model.counts(uid, tag));
        }
        if (step % 8 === 0 || step === 159) {
          for (const uid of UIDS) {
            for (const status of STATUSES) {
              for (const tag of [null, ...TAGS]) {
                // Two pages of 3, then the rest: the cursors must stitch together exactly.
                const seen: number[] = [];
                let before = Number.MAX_SAFE_INTEGER;
                for (let page = 0; page < 50; page++) {
                  const rows = inbox.page(uid, { before, limit: page < 2 ? 3 : 100, status, tag }, now);
                  seen.push(...rows.messages.map((m) => Number(m.id)));
                  if (rows.next === null) break;
                  before = Number(rows.next);
                }
                expect(seen, `${context}: ${status}/${tag} page of ${uid}`).toEqual(model.listed(uid, status, tag));
              }
            }
            const after = random.pick([0, ...model.messages.keys()]);
            const replay = inbox.missedSince(uid, after, 1000, now).map((m) => m.id);
            expect(replay, `${context}: replay of ${uid} after ${after}`).toEqual(
              model
                .listed(uid, "all", null)
                .filter((id) => id > after)
                .reverse(),
            );
          }
        }
      }
    }
  });
}, 60_000);

it("keeps an unarchived stretch unarchived when everything below it is archived", async () => {
  const stub = env.PUSH_HUB.get(env.PUSH_HUB.idFromName(`inbox-gap-${Date.now()}`));
  await runInDurableObject(stub, (_hub, state) => {
    const history = new History(state.storage);
    const inbox = new Inbox(state.storage.sql);
    const ids = [1, 2, 3, 4, 5, 6].map((ts) =>
      insertOne(
        history,
        { audience: { all: false, uids: ["a"] }, event: "message", msgJson: "0", tags: [], expiresAt: null, ref: null },
        ts,
      ),
    );
    const [, second, , fourth, , sixth] = ids as [number, number, number, number, number, number];
    inbox.mark("a", "archive", [], sixth); // all six archived
    inbox.mark("a", "unarchive", [], fourth); // 1–4 back, 5–6 still archived
    inbox.mark("a", "archive", [], second); // 1–2 archived again; 3–4 must stay out
    const listed = (status: InboxStatus) =>
      inbox.page("a", { before: Number.MAX_SAFE_INTEGER, limit: 10, status, tag: null }, 0).messages.map((m) => Number(m.id));
    expect(listed("archived")).toEqual([ids[5], ids[4], ids[1], ids[0]]);
    expect(listed("all")).toEqual([ids[3], ids[2]]);
    expect(inbox.counts("a")).toEqual({ unread: 2, unseen: 2 });
  });
});
