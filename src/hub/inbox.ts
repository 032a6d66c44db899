// Each uid's view of the hub's messages (tables in schema.ts): what it has
// seen, read, archived or deleted, its counts, its pages and its replay.
//
// State is cursors plus marks, so "mark all read" or "archive all" is one row
// however long the history: per uid, everything at or below read_up_to is
// read (and seen), at or below seen_up_to seen, at or below deleted_up_to
// deleted, in (archived_from, archived_up_to] archived; a mark on (uid, id)
// records what differs from that. Every page walks an index in id order and
// stops at its limit; every count is a few index seeks and range counts.
import type { InboxAction, InboxCounts, InboxMessage, InboxStatus } from "../messages";
import type { StoredMessage } from "./history";

export interface PageQuery {
  /** Only messages with a smaller id. */
  readonly before: number;
  readonly limit: number;
  readonly status: InboxStatus;
  readonly tag: string | null;
}

export interface InboxRows {
  readonly messages: InboxMessage[];
  readonly next: string | null;
}

/** Who has seen and read one message. */
export interface Readers {
  readonly seen: number;
  readonly read: number;
}

interface Cursors {
  readonly read: number;
  readonly seen: number;
  readonly deleted: number;
  readonly archivedFrom: number;
  readonly archivedUpTo: number;
}

const NO_CURSORS: Cursors = { read: 0, seen: 0, deleted: 0, archivedFrom: 0, archivedUpTo: 0 };
const MAX_ID = Number.MAX_SAFE_INTEGER;

// Parameters of every walk: ?1 uid, ?2 lower bound (exclusive), ?3 upper
// bound (exclusive), ?4 limit, ?5 read cursor, ?6 seen cursor, ?7 archived
// from, ?8 archived up to, ?9 now, ?10 tag.
const ARCHIVED = "COALESCE(k.archived, m.id > ?7 AND m.id <= ?8) = 1";
// COALESCE: without a mark, k's columns are NULL, and NOT NULL would drop the row.
const READ = "(m.id <= ?5 OR COALESCE(k.read, 0) = 1)";
const SEEN = "(m.id <= ?6 OR COALESCE(k.seen, 0) = 1 OR COALESCE(k.read, 0) = 1)";
const STATUS: Record<InboxStatus, string> = {
  all: `NOT ${ARCHIVED}`,
  unread: `NOT ${ARCHIVED} AND NOT ${READ}`,
  unseen: `NOT ${ARCHIVED} AND NOT ${SEEN}`,
  archived: ARCHIVED,
};

/**
 * The messages uid may see with ?2 < id < ?3, at most ?4, in `order`, with
 * their marks. Each branch walks its own index in order and stops at the
 * limit, so a page never sorts the whole history.
 */
function walk(order: "ASC" | "DESC", status: InboxStatus, tagged: boolean): string {
  const filter = `COALESCE(k.deleted, 0) = 0 AND (m.expires_at IS NULL OR m.expires_at > ?9) AND ${STATUS[status]}${
    tagged ? " AND EXISTS (SELECT 1 FROM message_tags t WHERE t.id = m.id AND t.tag = ?10)" : ""
  }`;
  const columns = `m.id, m.event, m.msg, m.ts, m.is_all, m.expires_at,
    (SELECT group_concat(tag, ',') FROM message_tags t WHERE t.id = m.id) AS tags,
    ${SEEN} AS seen, ${READ} AS read, ${ARCHIVED} AS archived`;
  return `
  SELECT * FROM (SELECT ${columns} FROM recipients r JOIN messages m ON m.id = r.id
      LEFT JOIN inbox_marks k ON k.uid = r.uid AND k.id = r.id
    WHERE r.uid = ?1 AND r.id > ?2 AND r.id < ?3 AND ${filter} ORDER BY r.id ${order} LIMIT ?4)
  UNION ALL
  SELECT * FROM (SELECT ${columns} FROM messages m LEFT JOIN inbox_marks k ON k.uid = ?1 AND k.id = m.id
    WHERE m.is_all = 1 AND m.id > ?2 AND m.id < ?3 AND ${filter} ORDER BY m.id ${order} LIMIT ?4)
  ORDER BY id ${order} LIMIT ?4`;
}

type Row = {
  id: number;
  event: string;
  msg: string;
  ts: number;
  is_all: number;
  expires_at: number | null;
  tags: string | null;
  seen: number;
  read: number;
  archived: number;
};

const tagsOf = (row: Row): string[] => (row.tags === null ? [] : row.tags.split(",").sort());

// Counting. "Visible above x": the uid's targeted messages plus the
// broadcasts with an id above x. Broadcasts are numbered consecutively, so
// theirs is the newest number minus the number of the last one at or below x
// (or of the one before the oldest retained). With a tag, both are counted
// through the tag's index instead.
const TARGETED_ABOVE = "(SELECT COUNT(*) FROM recipients WHERE uid = ?1 AND id > ?2)";
const BROADCASTS_ABOVE = `(
  COALESCE((SELECT broadcast_no FROM messages WHERE is_all = 1 ORDER BY id DESC LIMIT 1), 0)
  - COALESCE(
      (SELECT broadcast_no FROM messages WHERE is_all = 1 AND id <= ?2 ORDER BY id DESC LIMIT 1),
      (SELECT broadcast_no - 1 FROM messages WHERE is_all = 1 ORDER BY id ASC LIMIT 1),
      0))`;
const TAGGED_TARGETED_ABOVE =
  "(SELECT COUNT(*) FROM recipients r JOIN message_tags t ON t.id = r.id AND t.tag = ?3 WHERE r.uid = ?1 AND r.id > ?2)";
const TAGGED_BROADCASTS_ABOVE =
  "(SELECT COUNT(*) FROM message_tags t JOIN messages m ON m.id = t.id AND m.is_all = 1 WHERE t.tag = ?3 AND t.id > ?2)";

/**
 * Which marks change a count: "done" ones are not counted; "undone" ones
 * (explicitly unarchived) are, inside the archived range.
 */
const MARKS = {
  unreadDone: "k.read = 1 OR k.archived = 1 OR k.deleted = 1",
  unreadUndone: "k.archived = 0 AND k.read = 0 AND k.deleted = 0",
  unseenDone: "k.seen = 1 OR k.read = 1 OR k.archived = 1 OR k.deleted = 1",
  unseenUndone: "k.archived = 0 AND k.seen = 0 AND k.read = 0 AND k.deleted = 0",
} as const;

type MarkCounts = Record<keyof typeof MARKS, number>;

/** uid's marks in (?2, ?3] counted four ways in one pass, through the tag ?4 when counting a tag. */
function marksIn(tagged: boolean): string {
  const join = tagged ? " JOIN message_tags t ON t.id = k.id AND t.tag = ?4" : "";
  const sums = Object.entries(MARKS).map(([name, where]) => `COALESCE(SUM(CASE WHEN ${where} THEN 1 ELSE 0 END), 0) AS ${name}`);
  return `SELECT ${sums.join(", ")} FROM inbox_marks k${join} WHERE k.uid = ?1 AND k.id > ?2 AND k.id <= ?3`;
}

// What each action writes for single ids: the columns of the mark.
const MARK_BY_ID: Record<InboxAction, string> = {
  seen: "seen = 1",
  read: "seen = 1, read = 1",
  archive: "archived = 1",
  unarchive: "archived = 0",
  delete: "deleted = 1",
};

/** The two questions a count asks of storage, each asked once per count of a uid. */
interface CountQuery {
  /** How many messages the uid may see with an id above x. */
  visibleAbove(x: number): number;
  /** The uid's marks with from < id <= to, counted four ways. */
  marksIn(from: number, to: number): MarkCounts;
}

/** `ask`, answering a repeated question (the same arguments) from memory. */
function remembered<A extends number[], V>(ask: (...args: A) => V): (...args: A) => V {
  const answers = new Map<string, V>();
  return (...args) => {
    const key = args.join(":");
    if (!answers.has(key)) answers.set(key, ask(...args));
    return answers.get(key)!;
  };
}

/**
 * Messages above `floor` that are not done, where done is read (or seen),
 * archived or deleted: the visible ones minus the marked done. Outside the
 * archived range a message counts unless a mark says it is done; inside it,
 * only when a mark unarchived it.
 */
function count(c: Cursors, floor: number, which: "unread" | "unseen", query: CountQuery): number {
  const done = which === "unread" ? "unreadDone" : "unseenDone";
  const undone = which === "unread" ? "unreadUndone" : "unseenUndone";
  let total = query.visibleAbove(floor) - query.marksIn(floor, MAX_ID)[done];
  // The archived range above the floor: (rangeFrom, rangeTo].
  const rangeFrom = Math.max(floor, c.archivedFrom);
  const rangeTo = Math.max(floor, c.archivedUpTo);
  if (rangeTo > rangeFrom) {
    const inRange = query.marksIn(rangeFrom, rangeTo);
    total -= query.visibleAbove(rangeFrom) - query.visibleAbove(rangeTo);
    total += inRange[done] + inRange[undone];
  }
  return total;
}

export class Inbox {
  constructor(private readonly sql: SqlStorage) {}

  /** What uid missed after `afterId`, oldest first: not deleted, not archived, not expired. */
  missedSince(uid: string, afterId: number, limit: number, now: number): StoredMessage[] {
    const c = this.cursors(uid);
    const rows = this.rows(walk("ASC", "all", false), uid, Math.max(afterId, c.deleted), MAX_ID, limit, c, now, null);
    return rows.map((row) => ({
      id: row.id,
      event: row.event,
      msgJson: row.msg,
      ts: row.ts,
      isAll: row.is_all === 1,
      tags: tagsOf(row),
      expiresAt: row.expires_at,
    }));
  }

  /** A page of uid's inbox below `query.before`, newest first. */
  page(uid: string, query: PageQuery, now: number): InboxRows {
    const c = this.cursors(uid);
    const sql = walk("DESC", query.status, query.tag !== null);
    const rows = this.rows(sql, uid, c.deleted, query.before, query.limit + 1, c, now, query.tag);
    const page = rows.slice(0, query.limit);
    return {
      messages: page.map((row) => ({
        id: String(row.id),
        event: row.event,
        msg: JSON.parse(row.msg) as unknown,
        ts: row.ts,
        broadcast: row.is_all === 1,
        tags: tagsOf(row),
        expiresAt: row.expires_at,
        seen: row.seen === 1,
        read: row.read === 1,
        archived: row.archived === 1,
      })),
      next: rows.length > query.limit ? String(page.at(-1)!.id) : null,
    };
  }

  /**
   * uid's unread and unseen counts, over everything or over one tag. Expired
   * messages must have been purged first (History.purgeExpired): counting
   * does not look at expiry.
   */
  counts(uid: string, tag: string | null = null): InboxCounts {
    const c = this.cursors(uid);
    const tagged = tag !== null;
    const visibleSql = tagged
      ? `SELECT ${TAGGED_TARGETED_ABOVE} + ${TAGGED_BROADCASTS_ABOVE} AS n`
      : `SELECT ${TARGETED_ABOVE} + ${BROADCASTS_ABOVE} AS n`;
    const marksSql = marksIn(tagged);
    // Read moves the seen cursor too, so the two counts often ask the same
    // question: each answer is kept for the other.
    const query: CountQuery = {
      visibleAbove: remembered(
        (x: number) =>
          (tagged ? this.sql.exec<{ n: number }>(visibleSql, uid, x, tag) : this.sql.exec<{ n: number }>(visibleSql, uid, x)).one().n,
      ),
      marksIn: remembered((from: number, to: number) =>
        (tagged ? this.sql.exec<MarkCounts>(marksSql, uid, from, to, tag) : this.sql.exec<MarkCounts>(marksSql, uid, from, to)).one(),
      ),
    };
    return {
      unread: count(c, Math.max(c.read, c.deleted), "unread", query),
      unseen: count(c, Math.max(c.seen, c.deleted), "unseen", query),
    };
  }

  /**
   * Apply an action to `ids` (the uid's own; others are ignored) and/or to
   * everything up to `upTo`. Read implies seen.
   */
  mark(uid: string, action: InboxAction, ids: readonly number[], upTo: number | null): void {
    const c = this.cursors(uid);
    if (upTo !== null) this.markUpTo(uid, action, upTo, c);
    const after = upTo === null ? c : this.cursors(uid);
    for (const id of ids) {
      // Below the cursors seen and read are already so; a mark would say nothing new.
      if ((action === "seen" && id <= after.seen) || (action === "read" && id <= after.read)) continue;
      this.sql.exec(
        `INSERT INTO inbox_marks (uid, id) SELECT ?1, ?2
           WHERE EXISTS (SELECT 1 FROM recipients WHERE uid = ?1 AND id = ?2) OR EXISTS (SELECT 1 FROM messages WHERE id = ?2 AND is_all = 1)
         ON CONFLICT (uid, id) DO NOTHING`,
        uid,
        id,
      );
      this.sql.exec(`UPDATE inbox_marks SET ${MARK_BY_ID[action]} WHERE uid = ? AND id = ?`, uid, id);
    }
    this.dropRedundantMarks(uid);
  }

  private markUpTo(uid: string, action: InboxAction, upTo: number, c: Cursors): void {
    const set = (fields: Partial<Cursors>) => {
      const next = { ...c, ...fields };
      this.sql.exec(
        `INSERT INTO inbox_cursors (uid, read_up_to, seen_up_to, deleted_up_to, archived_from, archived_up_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (uid) DO UPDATE SET read_up_to = ?2, seen_up_to = ?3, deleted_up_to = ?4, archived_from = ?5, archived_up_to = ?6`,
        uid,
        next.read,
        next.seen,
        next.deleted,
        next.archivedFrom,
        next.archivedUpTo,
      );
    };
    switch (action) {
      case "seen":
        if (upTo > c.seen) set({ seen: upTo });
        return;
      case "read":
        if (upTo > c.read) set({ read: upTo, seen: Math.max(c.seen, upTo) });
        return;
      case "delete":
        if (upTo > c.deleted) set({ deleted: upTo });
        return;
      case "unarchive":
        // Nothing at or below upTo is archived any more; the range above it stays.
        this.sql.exec("UPDATE inbox_marks SET archived = NULL WHERE uid = ? AND id <= ?", uid, upTo);
        if (upTo > c.archivedFrom) set({ archivedFrom: upTo });
        return;
      case "archive":
        this.archiveUpTo(uid, upTo, c, set);
        return;
    }
  }

  /**
   * Everything at or below upTo becomes archived; what lies above keeps its
   * state. When an unarchived stretch separates upTo from the archived range,
   * that stretch gets marks of its own so the range can start from zero.
   */
  private archiveUpTo(uid: string, upTo: number, c: Cursors, set: (fields: Partial<Cursors>) => void): void {
    const rangeEmpty = c.archivedUpTo <= c.archivedFrom;
    if (!rangeEmpty && c.archivedFrom > upTo) {
      this.sql.exec(
        `INSERT INTO inbox_marks (uid, id, archived)
           SELECT ?1, id, 0 FROM (SELECT id FROM recipients WHERE uid = ?1 AND id > ?2 AND id <= ?3
                                  UNION SELECT id FROM messages WHERE is_all = 1 AND id > ?2 AND id <= ?3)
         WHERE true ON CONFLICT (uid, id) DO UPDATE SET archived = COALESCE(archived, 0)`,
        uid,
        upTo,
        c.archivedFrom,
      );
    }
    this.sql.exec("UPDATE inbox_marks SET archived = NULL WHERE uid = ? AND id <= ?", uid, upTo);
    set({ archivedFrom: 0, archivedUpTo: rangeEmpty || c.archivedUpTo < upTo ? upTo : c.archivedUpTo });
  }

  /** Marks that say only what the cursors already say. */
  private dropRedundantMarks(uid: string): void {
    const c = this.cursors(uid);
    // Below the read cursor read and seen are implied; below the seen cursor, seen.
    this.sql.exec(
      `DELETE FROM inbox_marks WHERE uid = ?1 AND deleted = 0 AND archived IS NULL
         AND (id <= ?2 OR (read = 0 AND (seen = 0 OR id <= ?3)))`,
      uid,
      c.read,
      c.seen,
    );
    this.sql.exec("DELETE FROM inbox_marks WHERE uid = ? AND id <= ?", uid, c.deleted);
  }

  /** Who has seen and read message `id`: among its recipients, or anyone for a broadcast. */
  readers(id: number, broadcast: boolean): Readers {
    const among = broadcast ? "" : " AND x.uid IN (SELECT uid FROM recipients WHERE id = ?1)";
    const count = (cursorColumn: "seen_up_to" | "read_up_to", markWhere: string) =>
      this.sql
        .exec<{ n: number }>(
          `SELECT (SELECT COUNT(*) FROM inbox_cursors x WHERE x.${cursorColumn} >= ?1 AND x.deleted_up_to < ?1${among})
             + (SELECT COUNT(*) FROM inbox_marks x WHERE x.id = ?1 AND x.deleted = 0 AND (${markWhere})${among}
                  AND NOT EXISTS (SELECT 1 FROM inbox_cursors c WHERE c.uid = x.uid AND (c.${cursorColumn} >= ?1 OR c.deleted_up_to >= ?1))) AS n`,
          id,
        )
        .one().n;
    return { seen: count("seen_up_to", "x.seen = 1 OR x.read = 1"), read: count("read_up_to", "x.read = 1") };
  }

  /** Forget everything about uid's state (the messages addressed to it alone are History's to remove). */
  erase(uid: string): void {
    this.sql.exec("DELETE FROM inbox_marks WHERE uid = ?", uid);
    this.sql.exec("DELETE FROM inbox_cursors WHERE uid = ?", uid);
    this.sql.exec("DELETE FROM recipients WHERE uid = ?", uid);
  }

  private cursors(uid: string): Cursors {
    const row = this.sql
      .exec<{ read_up_to: number; seen_up_to: number; deleted_up_to: number; archived_from: number; archived_up_to: number }>(
        "SELECT read_up_to, seen_up_to, deleted_up_to, archived_from, archived_up_to FROM inbox_cursors WHERE uid = ?",
        uid,
      )
      .toArray()[0];
    if (row === undefined) return NO_CURSORS;
    return {
      read: row.read_up_to,
      seen: row.seen_up_to,
      deleted: row.deleted_up_to,
      archivedFrom: row.archived_from,
      archivedUpTo: row.archived_up_to,
    };
  }

  private rows(sql: string, uid: string, lo: number, hi: number, limit: number, c: Cursors, now: number, tag: string | null): Row[] {
    const params = [uid, lo, hi, limit, c.read, c.seen, c.archivedFrom, c.archivedUpTo, now];
    return (tag === null ? this.sql.exec<Row>(sql, ...params) : this.sql.exec<Row>(sql, ...params, tag)).toArray();
  }
}
