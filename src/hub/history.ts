// The hub's durable memory, in the Durable Object's SQLite storage.
// A message is one row in `messages` however many recipients it has; targeted
// recipients are rows in `recipients`, broadcasts are flagged `is_all` and
// numbered 1, 2, 3… in `broadcast_no`, so counting the broadcasts above an id
// is two index seeks instead of a scan of every retained broadcast.
// Read state per uid is a cursor (`read_cursors.up_to`, everything at or below
// is read) plus single marks above it (`read_marks`), so "mark all read" is one
// row whatever the history holds.

import type { InboxMessage, PublishResult } from "../messages";
import type { Audience } from "../update";

export interface StoredMessage {
  readonly id: number;
  readonly event: string;
  readonly msgJson: string;
  readonly ts: number;
  readonly isAll: boolean;
}

export interface InboxRows {
  readonly messages: InboxMessage[];
  readonly next: string | null;
}

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event TEXT NOT NULL,
  msg TEXT NOT NULL,
  ts INTEGER NOT NULL,
  is_all INTEGER NOT NULL,
  broadcast_no INTEGER
);
CREATE INDEX IF NOT EXISTS messages_broadcast ON messages(id) WHERE is_all = 1;
CREATE INDEX IF NOT EXISTS messages_by_ts ON messages(ts);
CREATE TABLE IF NOT EXISTS recipients (
  uid TEXT NOT NULL,
  id INTEGER NOT NULL,
  PRIMARY KEY (uid, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recipients_by_id ON recipients(id);
CREATE TABLE IF NOT EXISTS read_cursors (uid TEXT PRIMARY KEY, up_to INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS read_marks (
  uid TEXT NOT NULL,
  id INTEGER NOT NULL,
  PRIMARY KEY (uid, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS read_marks_by_id ON read_marks(id);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, result TEXT NOT NULL, ts INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

// Every message visible to uid ?1 with ?2 < id < ?3, at most ?4 of them, in
// `order`. Each branch walks its own index in order and stops at the limit,
// so a page never sorts the whole history.
function visibleQuery(order: "ASC" | "DESC"): string {
  return `
  SELECT * FROM (SELECT m.id, m.event, m.msg, m.ts, m.is_all FROM recipients r JOIN messages m ON m.id = r.id
    WHERE r.uid = ?1 AND r.id > ?2 AND r.id < ?3 ORDER BY r.id ${order} LIMIT ?4)
  UNION ALL
  SELECT * FROM (SELECT id, event, msg, ts, is_all FROM messages
    WHERE is_all = 1 AND id > ?2 AND id < ?3 ORDER BY id ${order} LIMIT ?4)
  ORDER BY id ${order} LIMIT ?4`;
}
const VISIBLE_ASC = visibleQuery("ASC");
const VISIBLE_DESC = visibleQuery("DESC");

// How many retained broadcasts have an id above ?2: the newest broadcast's
// number minus the number of the last one at or below ?2 (or of the one
// before the oldest retained, when none is). Trims remove a prefix of ids, so
// the retained numbers stay consecutive.
const BROADCASTS_AFTER = `(
  COALESCE((SELECT broadcast_no FROM messages WHERE is_all = 1 ORDER BY id DESC LIMIT 1), 0)
  - COALESCE(
      (SELECT broadcast_no FROM messages WHERE is_all = 1 AND id <= ?2 ORDER BY id DESC LIMIT 1),
      (SELECT broadcast_no - 1 FROM messages WHERE is_all = 1 ORDER BY id ASC LIMIT 1),
      0))`;

type Row = { id: number; event: string; msg: string; ts: number; is_all: number };

const toStored = (row: Row): StoredMessage => ({
  id: row.id,
  event: row.event,
  msgJson: row.msg,
  ts: row.ts,
  isAll: row.is_all === 1,
});

export class History {
  // Read once from storage, then kept in step by insert and trim: every connect needs them.
  private head: number;
  private trimmedUpToId: number;

  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    const sql = storage.sql;
    this.sql = sql;
    sql.exec(SCHEMA);
    this.numberOlderBroadcasts();
    const rows = sql.exec<{ value: number }>("SELECT value FROM meta WHERE name = 'trimmed_up_to'").toArray();
    this.trimmedUpToId = rows[0]?.value ?? 0;
    const { head } = sql.exec<{ head: number | null }>("SELECT MAX(id) AS head FROM messages").one();
    this.head = Math.max(head ?? 0, this.trimmedUpToId);
  }

  /** Storage written before broadcasts were numbered gets the column and the numbers once. */
  private numberOlderBroadcasts(): void {
    try {
      this.sql.exec("SELECT broadcast_no FROM messages LIMIT 0");
      return;
    } catch {
      // The column is missing: add it below.
    }
    this.storage.transactionSync(() => {
      this.sql.exec("ALTER TABLE messages ADD COLUMN broadcast_no INTEGER");
      this.sql.exec(
        `UPDATE messages SET broadcast_no =
           (SELECT COUNT(*) FROM messages AS earlier WHERE earlier.is_all = 1 AND earlier.id <= messages.id)
         WHERE is_all = 1`,
      );
    });
  }

  /** The highest id ever issued (0 before the first message), surviving trims and restarts. */
  headId(): number {
    return this.head;
  }

  /** Messages at or below this id may have been deleted by retention. */
  trimmedUpTo(): number {
    return this.trimmedUpToId;
  }

  /**
   * Store one message for its audience; returns its id. No explicit
   * transaction: the Durable Object commits every write of one synchronous
   * turn atomically anyway, and a savepoint per publish cost ~30% of targeted
   * publish throughput in the bench. Nothing here can fail halfway (the id is
   * new and the uids are distinct).
   */
  insert(audience: Audience, event: string, msgJson: string, ts: number): number {
    const { id } = this.sql
      .exec<{ id: number }>(
        `INSERT INTO messages (event, msg, ts, is_all, broadcast_no) VALUES (?1, ?2, ?3, ?4,
           CASE WHEN ?4 = 1 THEN COALESCE((SELECT broadcast_no FROM messages WHERE is_all = 1 ORDER BY id DESC LIMIT 1), 0) + 1 END)
         RETURNING id`,
        event,
        msgJson,
        ts,
        audience.all ? 1 : 0,
      )
      .one();
    if (!audience.all) {
      for (const uid of audience.uids) this.sql.exec("INSERT INTO recipients (uid, id) VALUES (?, ?)", uid, id);
    }
    this.head = id;
    return id;
  }

  /** Up to `limit` messages for uid after `afterId`, oldest first. */
  messagesAfter(uid: string, afterId: number, limit: number): StoredMessage[] {
    return this.sql.exec<Row>(VISIBLE_ASC, uid, afterId, Number.MAX_SAFE_INTEGER, limit).toArray().map(toStored);
  }

  /** A page of uid's inbox below `beforeId`, newest first, with read flags. */
  inboxPage(uid: string, beforeId: number, limit: number): InboxRows {
    const rows = this.sql.exec<Row>(VISIBLE_DESC, uid, 0, beforeId, limit + 1).toArray();
    const page = rows.slice(0, limit);
    const cursor = this.readCursor(uid);
    const marked = new Set(
      page.length === 0
        ? []
        : this.sql
            .exec<{ id: number }>(
              "SELECT id FROM read_marks WHERE uid = ? AND id >= ? AND id <= ?",
              uid,
              page[page.length - 1]!.id,
              page[0]!.id,
            )
            .toArray()
            .map((row) => row.id),
    );
    return {
      messages: page.map((row) => ({
        id: String(row.id),
        event: row.event,
        msg: JSON.parse(row.msg) as unknown,
        ts: row.ts,
        read: row.id <= cursor || marked.has(row.id),
      })),
      next: rows.length > limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  unreadCount(uid: string): number {
    const cursor = this.readCursor(uid);
    const row = this.sql
      .exec<{ unread: number }>(
        `SELECT (SELECT COUNT(*) FROM recipients WHERE uid = ?1 AND id > ?2)
              + ${BROADCASTS_AFTER}
              - (SELECT COUNT(*) FROM read_marks WHERE uid = ?1 AND id > ?2) AS unread`,
        uid,
        cursor,
      )
      .one();
    return row.unread;
  }

  /** Mark single messages read; ids that are not uid's, or already read, are ignored. */
  markRead(uid: string, ids: readonly number[]): void {
    const cursor = this.readCursor(uid);
    this.storage.transactionSync(() => {
      for (const id of ids) {
        if (id <= cursor) continue;
        this.sql.exec(
          `INSERT OR IGNORE INTO read_marks (uid, id)
             SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM recipients WHERE uid = ?1 AND id = ?2)
                              OR EXISTS (SELECT 1 FROM messages WHERE id = ?2 AND is_all = 1)`,
          uid,
          id,
        );
      }
    });
  }

  /** Mark everything of uid's with id <= upTo read. */
  markReadUpTo(uid: string, upTo: number): void {
    if (upTo <= this.readCursor(uid)) return;
    this.storage.transactionSync(() => {
      this.sql.exec("INSERT INTO read_cursors (uid, up_to) VALUES (?1, ?2) ON CONFLICT (uid) DO UPDATE SET up_to = ?2", uid, upTo);
      this.sql.exec("DELETE FROM read_marks WHERE uid = ? AND id <= ?", uid, upTo);
    });
  }

  /** The first answer to a publish with this key, if it came within the last 24 h. */
  idempotentResult(key: string, now: number): PublishResult | undefined {
    const rows = this.sql
      .exec<{ result: string }>("SELECT result FROM idempotency WHERE key = ? AND ts > ?", key, now - IDEMPOTENCY_WINDOW_MS)
      .toArray();
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].result) as PublishResult);
  }

  rememberResult(key: string, result: PublishResult, now: number): void {
    this.sql.exec(
      "INSERT INTO idempotency (key, result, ts) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET result = excluded.result, ts = excluded.ts",
      key,
      JSON.stringify(result),
      now,
    );
  }

  /**
   * Retention: drop messages older than `maxAgeMs` and all but the newest
   * `maxRows`, with their recipients and read marks. Returns how many went.
   */
  trim(now: number, maxAgeMs: number, maxRows: number): number {
    this.sql.exec("DELETE FROM idempotency WHERE ts <= ?", now - IDEMPOTENCY_WINDOW_MS);
    const byAge = this.sql.exec<{ id: number | null }>("SELECT MAX(id) AS id FROM messages WHERE ts < ?", now - maxAgeMs).one().id ?? 0;
    const byCount =
      this.sql.exec<{ id: number }>("SELECT id FROM messages ORDER BY id DESC LIMIT 1 OFFSET ?", maxRows).toArray()[0]?.id ?? 0;
    const upTo = Math.max(byAge, byCount);
    if (upTo <= this.trimmedUpTo()) return 0;
    return this.storage.transactionSync(() => {
      const gone = this.sql.exec("DELETE FROM messages WHERE id <= ?", upTo).rowsWritten;
      this.sql.exec("DELETE FROM recipients WHERE id <= ?", upTo);
      this.sql.exec("DELETE FROM read_marks WHERE id <= ?", upTo);
      this.sql.exec("INSERT INTO meta (name, value) VALUES ('trimmed_up_to', ?1) ON CONFLICT (name) DO UPDATE SET value = ?1", upTo);
      this.trimmedUpToId = upTo;
      return gone;
    });
  }

  /** Whether any message is left, so retention needs to run again later. */
  isEmpty(): boolean {
    return this.sql.exec("SELECT 1 FROM messages LIMIT 1").toArray().length === 0;
  }

  private readCursor(uid: string): number {
    const rows = this.sql.exec<{ up_to: number }>("SELECT up_to FROM read_cursors WHERE uid = ?", uid).toArray();
    return rows[0]?.up_to ?? 0;
  }
}
