// The hub's SQLite tables, and the one-time upgrades of storage written by
// earlier versions. Every other module reads and writes these tables; this
// one only creates them.
//
// messages       one row per message however many recipients it has.
//                Broadcasts are numbered 1, 2, 3… in `broadcast_no` (kept
//                consecutive), so counting the broadcasts above an id is two
//                index seeks. `ref` names the message across shards.
// recipients     (uid, id) for targeted messages.
// message_tags   (id, tag).
// inbox_cursors  per uid: everything at or below read_up_to is read, at or
//                below seen_up_to seen, at or below deleted_up_to deleted;
//                (archived_from, archived_up_to] is archived.
// inbox_marks    per (uid, id): single states that differ from the cursors:
//                seen/read 1 above the cursors, archived 1 or 0 (NULL: as
//                the cursors say), deleted 1.
// idempotency    a keyed publish's first answer on this shard, for 24 h.
// key_claims     with shards: which request a key was first used for, kept
//                on the key's own shard so a reuse is caught whatever its
//                recipients' shards.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event TEXT NOT NULL,
  msg TEXT NOT NULL,
  ts INTEGER NOT NULL,
  is_all INTEGER NOT NULL,
  broadcast_no INTEGER,
  expires_at INTEGER,
  ref TEXT,
  delivered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_broadcast ON messages(id) WHERE is_all = 1;
CREATE INDEX IF NOT EXISTS messages_by_ts ON messages(ts);
CREATE TABLE IF NOT EXISTS recipients (
  uid TEXT NOT NULL,
  id INTEGER NOT NULL,
  PRIMARY KEY (uid, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS recipients_by_id ON recipients(id);
CREATE TABLE IF NOT EXISTS message_tags (
  id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (id, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_tags_by_tag ON message_tags(tag, id);
CREATE TABLE IF NOT EXISTS inbox_cursors (
  uid TEXT PRIMARY KEY,
  read_up_to INTEGER NOT NULL DEFAULT 0,
  seen_up_to INTEGER NOT NULL DEFAULT 0,
  deleted_up_to INTEGER NOT NULL DEFAULT 0,
  archived_from INTEGER NOT NULL DEFAULT 0,
  archived_up_to INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbox_marks (
  uid TEXT NOT NULL,
  id INTEGER NOT NULL,
  seen INTEGER NOT NULL DEFAULT 0,
  read INTEGER NOT NULL DEFAULT 0,
  archived INTEGER,
  deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (uid, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inbox_marks_by_id ON inbox_marks(id);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, result TEXT NOT NULL, ts INTEGER NOT NULL, fingerprint TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_claims (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, ts INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Columns later versions added to tables that may already exist. */
const ADDED_COLUMNS: ReadonlyArray<readonly [table: string, column: string, definition: string]> = [
  ["messages", "broadcast_no", "INTEGER"],
  ["messages", "expires_at", "INTEGER"],
  ["messages", "ref", "TEXT"],
  ["messages", "delivered", "INTEGER NOT NULL DEFAULT 0"],
  ["idempotency", "fingerprint", "TEXT"],
];

/** Create what is missing and upgrade older storage; safe to run on every start. */
export function prepareStorage(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  sql.exec(SCHEMA);
  storage.transactionSync(() => {
    for (const [table, column, definition] of ADDED_COLUMNS) {
      const columns = sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`).toArray();
      if (columns.some((row) => row.name === column)) continue;
      sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      // Broadcasts stored before they were numbered get their numbers once.
      if (column === "broadcast_no") {
        sql.exec(
          `UPDATE messages SET broadcast_no =
             (SELECT COUNT(*) FROM messages AS earlier WHERE earlier.is_all = 1 AND earlier.id <= messages.id)
           WHERE is_all = 1`,
        );
      }
    }
    // Not unique: a key may be used again once its 24 hours are over.
    sql.exec("CREATE INDEX IF NOT EXISTS messages_by_ref ON messages(ref) WHERE ref IS NOT NULL");
    sql.exec("CREATE INDEX IF NOT EXISTS messages_expiring ON messages(expires_at) WHERE expires_at IS NOT NULL");
    moveReadState(sql);
  });
}

/** Read state kept before seen/archived existed: a read cursor and read marks, both implying seen. */
function moveReadState(sql: SqlStorage): void {
  const old = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('read_cursors', 'read_marks')");
  const tables = old.toArray().map((row) => row.name);
  if (tables.includes("read_cursors")) {
    sql.exec(
      `INSERT INTO inbox_cursors (uid, read_up_to, seen_up_to) SELECT uid, up_to, up_to FROM read_cursors WHERE true
       ON CONFLICT (uid) DO NOTHING`,
    );
    sql.exec("DROP TABLE read_cursors");
  }
  if (tables.includes("read_marks")) {
    sql.exec("INSERT INTO inbox_marks (uid, id, seen, read) SELECT uid, id, 1, 1 FROM read_marks WHERE true ON CONFLICT DO NOTHING");
    sql.exec("DROP TABLE read_marks");
  }
}
