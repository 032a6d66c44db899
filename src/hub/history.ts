// The hub's messages in SQLite (tables in schema.ts): storing them, naming
// them, and removing them — by retract, by expiry and by retention — with
// every row that hangs off them. What each uid has seen, read, archived or
// deleted is inbox.ts.
import type { PublishResult } from "../messages";
import type { Audience } from "../update";
import { prepareStorage } from "./schema";

export interface NewMessage {
  readonly audience: Audience;
  readonly event: string;
  /** The payload as JSON text, exactly as it is stored and sent. */
  readonly msgJson: string;
  readonly tags: readonly string[];
  readonly expiresAt: number | null;
  /** A name for the message that holds on every shard (its idempotency key), or null. */
  readonly ref: string | null;
}

export interface StoredMessage {
  readonly id: number;
  readonly event: string;
  readonly msgJson: string;
  readonly ts: number;
  readonly isAll: boolean;
  readonly tags: readonly string[];
  readonly expiresAt: number | null;
}

/** A message that left storage, and who had it: everyone, or these uids. */
export interface RemovedMessage {
  readonly id: number;
  readonly isAll: boolean;
  readonly uids: readonly string[];
}

export interface MessageDetails {
  readonly id: number;
  readonly event: string;
  readonly ts: number;
  readonly isAll: boolean;
  /** How many uids it was addressed to; null for a broadcast. */
  readonly audience: number | null;
  readonly delivered: number;
}

/** A publish repeated under its key: the first answer, or a conflict when the request differs. */
export type Repeat = { readonly result: PublishResult } | { readonly conflict: true };

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** What one SQL statement may bind in a Durable Object. */
const MAX_BOUND_PARAMETERS = 100;

export class History {
  private readonly sql: SqlStorage;
  // Read once from storage, then kept in step here: every connect needs them.
  private head: number;
  private trimmedUpToId: number;
  private nextExpiryAt: number | null;
  /** The newest broadcast's number (0 before any): the next one takes the one after. */
  private lastBroadcastNo: number;
  private readonly pendingDelivered: Array<readonly [id: number, streams: number]> = [];
  private flushScheduled = false;

  constructor(private readonly storage: DurableObjectStorage) {
    prepareStorage(storage);
    this.sql = storage.sql;
    this.trimmedUpToId = this.sql.exec<{ value: number }>("SELECT value FROM meta WHERE name = 'trimmed_up_to'").toArray()[0]?.value ?? 0;
    // AUTOINCREMENT's counter, not MAX(id): the newest message may have been retracted.
    const sequence = this.sql.exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").toArray()[0]?.seq ?? 0;
    this.head = Math.max(sequence, this.trimmedUpToId);
    this.nextExpiryAt = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM messages").one().at;
    this.lastBroadcastNo =
      this.sql.exec<{ no: number }>("SELECT broadcast_no AS no FROM messages WHERE is_all = 1 ORDER BY id DESC LIMIT 1").toArray()[0]?.no ??
      0;
  }

  /** The highest id ever issued (0 before the first message), surviving trims, retracts and restarts. */
  headId(): number {
    return this.head;
  }

  /** Messages at or below this id may have been deleted by retention. */
  trimmedUpTo(): number {
    return this.trimmedUpToId;
  }

  /** When the next message expires (ms), or null. */
  nextExpiry(): number | null {
    return this.nextExpiryAt;
  }

  /**
   * Store messages for their audiences, in order; returns their ids. Rows go
   * in as multi-row INSERTs (a statement takes at most 100 parameters in a
   * Durable Object): a statement costs far more than a row. The ids are the
   * next ones after the head, given explicitly, and broadcasts take the next
   * numbers. No explicit transaction: the Durable Object commits every write
   * of one synchronous turn atomically anyway.
   */
  insertAll(messages: readonly NewMessage[], ts: number): number[] {
    const ids = messages.map((_, i) => this.head + 1 + i);
    const rows = messages.map((message, i) => [
      ids[i],
      message.event,
      message.msgJson,
      ts,
      message.audience.all ? 1 : 0,
      message.expiresAt,
      message.ref,
      message.audience.all ? ++this.lastBroadcastNo : null,
    ]);
    this.insertRows("messages (id, event, msg, ts, is_all, expires_at, ref, broadcast_no)", rows);
    this.insertRows(
      "recipients (uid, id)",
      messages.flatMap((message, i) => (message.audience.all ? [] : message.audience.uids.map((uid) => [uid, ids[i]]))),
    );
    this.insertRows(
      "message_tags (id, tag)",
      messages.flatMap((message, i) => message.tags.map((tag) => [ids[i], tag])),
    );
    for (const { expiresAt } of messages) {
      if (expiresAt !== null && (this.nextExpiryAt === null || expiresAt < this.nextExpiryAt)) this.nextExpiryAt = expiresAt;
    }
    this.head += messages.length;
    return ids;
  }

  /**
   * How many streams each message was written to when published (for
   * receipts). Written a moment later, in one statement for every publish of
   * that moment, not one more statement per publish; a receipt reads them
   * first. Zeros are the default already.
   */
  recordDelivered(delivered: ReadonlyArray<readonly [id: number, streams: number]>): void {
    for (const row of delivered) if (row[1] > 0) this.pendingDelivered.push(row);
    if (this.pendingDelivered.length === 0 || this.flushScheduled) return;
    this.flushScheduled = true;
    setTimeout(() => this.flushDelivered(), 0);
  }

  private flushDelivered(): void {
    this.flushScheduled = false;
    this.execForRows(
      this.pendingDelivered.splice(0),
      (values) => `WITH d(id, n) AS (VALUES ${values})
         UPDATE messages SET delivered = (SELECT n FROM d WHERE d.id = messages.id) WHERE id IN (SELECT id FROM d)`,
    );
  }

  /** `INSERT INTO <into> VALUES (…), (…)` in as few statements as the parameter limit allows. */
  private insertRows(into: string, rows: ReadonlyArray<readonly unknown[]>): void {
    this.execForRows(rows, (values) => `INSERT INTO ${into} VALUES ${values}`);
  }

  /**
   * One statement per as many rows as its parameters allow: `statement` gets
   * the rows' `(?, ?), (?, ?)…` and the rows are bound in order.
   */
  private execForRows(rows: ReadonlyArray<readonly unknown[]>, statement: (values: string) => string): void {
    if (rows.length === 0) return;
    const perRow = rows[0]!.length;
    const rowsPerStatement = Math.floor(MAX_BOUND_PARAMETERS / perRow);
    const placeholder = `(${Array.from({ length: perRow }, () => "?").join(", ")})`;
    for (let at = 0; at < rows.length; at += rowsPerStatement) {
      const chunk = rows.slice(at, at + rowsPerStatement);
      this.sql.exec(statement(chunk.map(() => placeholder).join(", ")), ...chunk.flat());
    }
  }

  /** The id of the message named by its id or its ref, if it is still stored. */
  idOf(ref: number | string): number | undefined {
    const rows =
      typeof ref === "number"
        ? this.sql.exec<{ id: number }>("SELECT id FROM messages WHERE id = ?", ref).toArray()
        : this.sql.exec<{ id: number }>("SELECT id FROM messages WHERE ref = ? ORDER BY id DESC LIMIT 1", ref).toArray();
    return rows[0]?.id;
  }

  details(id: number): MessageDetails | undefined {
    this.flushDelivered();
    const row = this.sql
      .exec<{ event: string; ts: number; is_all: number; delivered: number; audience: number }>(
        "SELECT event, ts, is_all, delivered, (SELECT COUNT(*) FROM recipients WHERE id = ?1) AS audience FROM messages WHERE id = ?1",
        id,
      )
      .toArray()[0];
    if (row === undefined) return undefined;
    const isAll = row.is_all === 1;
    return { id, event: row.event, ts: row.ts, isAll, audience: isAll ? null : row.audience, delivered: row.delivered };
  }

  /** Take a message out of storage (the publisher retracted it). */
  retract(id: number): RemovedMessage | undefined {
    return this.remove([id])[0];
  }

  /** Take out every message whose time is up; null-safe to call often (one comparison when nothing is due). */
  purgeExpired(now: number): RemovedMessage[] {
    if (this.nextExpiryAt === null || this.nextExpiryAt > now) return [];
    const due = this.sql.exec<{ id: number }>("SELECT id FROM messages WHERE expires_at <= ?", now).toArray();
    const removed = this.remove(due.map((row) => row.id));
    this.nextExpiryAt = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM messages").one().at;
    return removed;
  }

  /** Messages addressed to uid and nobody else (they go when the uid is erased). */
  onlyFor(uid: string): number[] {
    return this.sql
      .exec<{ id: number }>(
        `SELECT r.id FROM recipients r WHERE r.uid = ?1
           AND NOT EXISTS (SELECT 1 FROM recipients other WHERE other.id = r.id AND other.uid <> ?1)`,
        uid,
      )
      .toArray()
      .map((row) => row.id);
  }

  /**
   * Delete messages with their recipients, tags and marks. Broadcasts above a
   * removed one are renumbered, so the retained numbers stay consecutive.
   */
  remove(ids: readonly number[]): RemovedMessage[] {
    if (ids.length === 0) return [];
    return this.storage.transactionSync(() => {
      const removed: RemovedMessage[] = [];
      for (const id of ids) {
        const row = this.sql.exec<{ is_all: number }>("DELETE FROM messages WHERE id = ? RETURNING is_all", id).toArray()[0];
        if (row === undefined) continue;
        const uids = this.sql
          .exec<{ uid: string }>("DELETE FROM recipients WHERE id = ? RETURNING uid", id)
          .toArray()
          .map((r) => r.uid);
        this.sql.exec("DELETE FROM message_tags WHERE id = ?", id);
        this.sql.exec("DELETE FROM inbox_marks WHERE id = ?", id);
        if (row.is_all === 1) {
          this.sql.exec("UPDATE messages SET broadcast_no = broadcast_no - 1 WHERE is_all = 1 AND id > ?", id);
          this.lastBroadcastNo--;
        }
        removed.push({ id, isAll: row.is_all === 1, uids });
      }
      return removed;
    });
  }

  /**
   * Retention: drop messages older than `maxAgeMs` and all but the newest
   * `maxRows`, with their recipients, tags and marks. Returns how many went.
   */
  trim(now: number, maxAgeMs: number, maxRows: number): number {
    this.sql.exec("DELETE FROM idempotency WHERE ts <= ?", now - IDEMPOTENCY_WINDOW_MS);
    this.sql.exec("DELETE FROM key_claims WHERE ts <= ?", now - IDEMPOTENCY_WINDOW_MS);
    const byAge = this.sql.exec<{ id: number | null }>("SELECT MAX(id) AS id FROM messages WHERE ts < ?", now - maxAgeMs).one().id ?? 0;
    const byCount =
      this.sql.exec<{ id: number }>("SELECT id FROM messages ORDER BY id DESC LIMIT 1 OFFSET ?", maxRows).toArray()[0]?.id ?? 0;
    const upTo = Math.max(byAge, byCount);
    if (upTo <= this.trimmedUpToId) return 0;
    return this.storage.transactionSync(() => {
      const gone = this.sql.exec("DELETE FROM messages WHERE id <= ?", upTo).rowsWritten;
      for (const table of ["recipients", "message_tags", "inbox_marks"]) this.sql.exec(`DELETE FROM ${table} WHERE id <= ?`, upTo);
      this.sql.exec("INSERT INTO meta (name, value) VALUES ('trimmed_up_to', ?1) ON CONFLICT (name) DO UPDATE SET value = ?1", upTo);
      this.trimmedUpToId = upTo;
      return gone;
    });
  }

  /** Whether any message is left, so retention needs to run again later. */
  isEmpty(): boolean {
    return this.sql.exec("SELECT 1 FROM messages LIMIT 1").toArray().length === 0;
  }

  /** A publish with this key within the last 24 h: its answer, or a conflict when `fingerprint` differs. */
  repeatOf(key: string, fingerprint: string, now: number): Repeat | undefined {
    const row = this.sql
      .exec<{ result: string; fingerprint: string | null }>(
        "SELECT result, fingerprint FROM idempotency WHERE key = ? AND ts > ?",
        key,
        now - IDEMPOTENCY_WINDOW_MS,
      )
      .toArray()[0];
    if (row === undefined) return undefined;
    // Keys stored before fingerprints existed match any request, as they did then.
    if (row.fingerprint !== null && row.fingerprint !== fingerprint) return { conflict: true };
    return { result: JSON.parse(row.result) as PublishResult };
  }

  /**
   * With shards, a key is claimed on its own shard before the publish: true
   * when it is new or was used for this same request within 24 hours, false
   * when another request holds it.
   */
  claimKey(key: string, fingerprint: string, now: number): boolean {
    this.sql.exec("DELETE FROM key_claims WHERE key = ? AND ts <= ?", key, now - IDEMPOTENCY_WINDOW_MS);
    const held = this.sql
      .exec<{ fingerprint: string }>(
        "INSERT INTO key_claims (key, fingerprint, ts) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET key = key RETURNING fingerprint",
        key,
        fingerprint,
        now,
      )
      .one().fingerprint;
    return held === fingerprint;
  }

  rememberResult(key: string, fingerprint: string, result: PublishResult, now: number): void {
    this.sql.exec(
      `INSERT INTO idempotency (key, result, ts, fingerprint) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET result = excluded.result, ts = excluded.ts, fingerprint = excluded.fingerprint`,
      key,
      JSON.stringify(result),
      now,
      fingerprint,
    );
  }
}
