// The event log: the official record of an event (R-AUDIT-1) in one SQLite file.
// Every accepted board message (its raw bytes) and every race-control or gateway
// action (its JSON) gets the next sequence number; the race state is a pure function
// of these entries, so the file alone scores the race again. What ingest refuses goes
// to the quarantine table with its reason and raw bytes, never silently dropped.
// Layout and guarantees: EVENT-LOG.md.
import Database from 'better-sqlite3';
import { decodeAction, encodeAction, type Action, type ActionEntry, type BoardEntry, type LogEntry, type LogSource } from './log-entry.js';

/** Version of the tables below, kept in meta; a file of another version is refused. */
export const EVENT_LOG_SCHEMA_VERSION = 1;
/** What an event log's `meta` names as its application. */
export const EVENT_LOG_APPLICATION = 'pitwall-event-log';

/** Why ingest refused a message (the quarantine table's `reason`), in the order ingest checks. */
export const QUARANTINE_REASONS = ['bad-topic', 'oversize', 'malformed', 'unknown-board', 'identity-mismatch', 'duplicate'] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export type NewBoardEntry = Omit<BoardEntry, 'seq'>;
export type NewActionEntry = Omit<ActionEntry, 'seq'>;
/** An entry as handed to append: the log gives it its sequence number. */
export type NewLogEntry = NewBoardEntry | NewActionEntry;

export interface NewQuarantined {
  atUs: number;
  topic: string;
  /** The topic's board when the topic named one. */
  board?: string;
  reason: QuarantineReason;
  /** For people: what was wrong, e.g. the decode error and its byte offset. */
  detail: string;
  payload: Uint8Array;
}

export interface Quarantined extends NewQuarantined {
  id: number;
}

export class EventLogError extends Error {
  override readonly name = 'EventLogError';
}

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE log (
  seq INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('board', 'race-control', 'gateway')),
  topic TEXT,
  board TEXT,
  channel TEXT NOT NULL,
  payload BLOB NOT NULL
);
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  topic TEXT NOT NULL,
  board TEXT,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  payload BLOB NOT NULL
);
CREATE INDEX quarantine_reason ON quarantine (reason);
CREATE INDEX quarantine_board ON quarantine (board);
`;

/** Rows read per query while iterating: bounded memory, and the connection stays free for appends. */
const PAGE = 2048;

interface LogRow {
  seq: number;
  at_us: number;
  source: LogSource;
  topic: string | null;
  board: string | null;
  channel: string;
  payload: Buffer;
}

interface QuarantineRow {
  id: number;
  at_us: number;
  topic: string;
  board: string | null;
  reason: QuarantineReason;
  detail: string;
  payload: Buffer;
}

const BOARD_CHANNELS = new Set(['birth', 'evt', 'death']);

/** A Buffer from SQLite as a plain Uint8Array over the same bytes. */
const bytesOf = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

function checkAtUs(atUs: number): void {
  if (!Number.isSafeInteger(atUs) || atUs < 0) throw new EventLogError(`atUs must be a whole number of µs ≥ 0 (got ${String(atUs)})`);
}

/** Throws EventLogError for a board entry that cannot be a log entry. */
function checkBoard(e: NewBoardEntry): void {
  checkAtUs(e.atUs);
  if (typeof e.topic !== 'string' || typeof e.board !== 'string') throw new EventLogError('a board entry needs its topic and board');
  if (!BOARD_CHANNELS.has(e.channel)) throw new EventLogError(`a board entry's channel is birth, evt or death (got ${String(e.channel)})`);
  if (!(e.payload instanceof Uint8Array)) throw new EventLogError('a board entry keeps its payload bytes');
}

/** The columns of an entry; throws EventLogError for an entry that cannot be a log entry. */
function columns(e: NewLogEntry): [number, LogSource, string | null, string | null, string, Uint8Array] {
  if (e.source === 'board') {
    checkBoard(e);
    return [e.atUs, 'board', e.topic, e.board, e.channel, e.payload];
  }
  checkAtUs(e.atUs);
  if (e.source !== 'race-control' && e.source !== 'gateway') throw new EventLogError(`unknown log source ${JSON.stringify((e as { source: unknown }).source)}`);
  const a = e.action;
  if (typeof a !== 'object' || a === null || typeof a.action !== 'string') throw new EventLogError('an action entry needs an action');
  // The action's name in `channel` and its board in `board`, so SQL can find them.
  const board = 'board' in a && typeof a.board === 'string' ? a.board : null;
  return [e.atUs, e.source, null, board, a.action, encodeAction(a)];
}

/** Board rows per INSERT inside a group commit: one statement for many rows costs far less per row. */
const BATCH_ROWS = 16;
/** Parameters per board row of the batch insert: at_us, topic, board, channel, payload. */
const BATCH_COLUMNS = 5;
const BOARD_ROW = "(?, 'board', ?, ?, ?, ?)";

function entryOf(r: LogRow): LogEntry {
  if (r.source === 'board') {
    return { seq: r.seq, atUs: r.at_us, source: 'board', topic: r.topic!, board: r.board!, channel: r.channel as BoardEntry['channel'], payload: bytesOf(r.payload) };
  }
  let action: Action;
  try {
    action = decodeAction(r.payload);
  } catch (e) {
    throw new EventLogError(`log entry ${r.seq}: the action is not JSON (${(e as Error).message})`);
  }
  return { seq: r.seq, atUs: r.at_us, source: r.source, action };
}

export class EventLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[number, string, string | null, string | null, string, Uint8Array]>;
  private readonly insertBatch: Database.Statement<unknown[]>;
  private readonly insertQuarantine: Database.Statement<[number, string, string | null, string, string, Uint8Array]>;
  private readonly page: Database.Statement<[number, number], LogRow>;
  private readonly many: (entries: readonly NewLogEntry[]) => number[];
  private readonly countStmt: Database.Statement<[], number>;
  private readonly lastStmt: Database.Statement<[], number | null>;
  /** The sequence number the next entry gets. */
  private nextSeq: number;
  /** A group commit is open (begin() without its commit() yet). */
  private grouped = false;
  /**
   * Board rows of the open group commit not written yet: BATCH_COLUMNS parameters each.
   * They are written when BATCH_ROWS are waiting, and before anything else touches the
   * log table (an action, a read, the commit); until the commit nothing of the group is
   * visible to another connection either way.
   */
  private readonly batch: unknown[] = new Array<unknown>(BATCH_ROWS * BATCH_COLUMNS).fill(null);
  private batched = 0;
  /** Why the open group commit was lost (rolled back); commit() throws it. */
  private lost: { error: unknown } | null = null;

  private constructor(db: Database.Database) {
    this.db = db;
    this.insert = db.prepare('INSERT INTO log (at_us, source, topic, board, channel, payload) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertBatch = db.prepare(`INSERT INTO log (at_us, source, topic, board, channel, payload) VALUES ${new Array(BATCH_ROWS).fill(BOARD_ROW).join(', ')}`);
    this.insertQuarantine = db.prepare('INSERT INTO quarantine (at_us, topic, board, reason, detail, payload) VALUES (?, ?, ?, ?, ?, ?)');
    this.page = db.prepare('SELECT seq, at_us, source, topic, board, channel, payload FROM log WHERE seq >= ? ORDER BY seq LIMIT ?');
    this.many = db.transaction((entries: readonly NewLogEntry[]) => entries.map((e) => this.write(e)));
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM log').pluck();
    this.lastStmt = db.prepare<[], number | null>('SELECT max(seq) FROM log').pluck();
    this.nextSeq = (this.lastStmt.get() ?? 0) + 1;
  }

  /** Opens (creating if new) the log at `path`, or a log in memory for ':memory:'. */
  static open(path: string): EventLog {
    const db = new Database(path);
    try {
      // WAL: readers (API, exports) never block the writer; NORMAL: a commit is durable
      // once the WAL is synced at a checkpoint — a power cut may lose the last commits,
      // never corrupt the file.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      EventLog.prepareSchema(db, path);
      return new EventLog(db);
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new EventLogError(`${path} is not an SQLite database, so not a pitwall event log`);
      throw e;
    }
  }

  private static prepareSchema(db: Database.Database, path: string): void {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (tables.length === 0) {
      db.transaction(() => {
        db.exec(SCHEMA);
        const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        put.run('application', EVENT_LOG_APPLICATION);
        put.run('schema-version', String(EVENT_LOG_SCHEMA_VERSION));
      })();
      return;
    }
    const meta = tables.includes('meta') ? new Map((db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value])) : new Map<string, string>();
    if (meta.get('application') !== EVENT_LOG_APPLICATION) throw new EventLogError(`${path} is an SQLite file but not a pitwall event log`);
    const version = meta.get('schema-version');
    if (version !== String(EVENT_LOG_SCHEMA_VERSION)) throw new EventLogError(`${path}: event log schema version ${version ?? '(none)'}, this gateway reads version ${EVENT_LOG_SCHEMA_VERSION}`);
  }

  /** Writes one entry now (after any batched rows) and returns its sequence number. */
  private write(e: NewLogEntry): number {
    const c = columns(e);
    this.writeBatch();
    let seq: number;
    try {
      seq = Number(this.insert.run(...c).lastInsertRowid);
    } catch (err) {
      // SQLite rolls a transaction back by itself on some errors (a full disk, I/O).
      if (this.grouped && !this.db.inTransaction) this.loseGroup(err);
      throw err;
    }
    this.nextSeq = seq + 1;
    return seq;
  }

  /** Writes the batched board rows of the group commit; on failure the whole group is lost. */
  private writeBatch(): void {
    if (this.lost) throw this.lost.error;
    const n = this.batched;
    if (n === 0) return;
    this.batched = 0;
    const b = this.batch;
    try {
      // SQLite numbers the rows (one past the largest, as append() did); they must be the ones handed out.
      let last: number;
      if (n === BATCH_ROWS) {
        last = Number(this.insertBatch.run(b).lastInsertRowid);
      } else {
        last = 0;
        for (let i = 0; i < n * BATCH_COLUMNS; i += BATCH_COLUMNS) last = Number(this.insert.run(b[i] as number, 'board', b[i + 1] as string, b[i + 2] as string, b[i + 3] as string, b[i + 4] as Uint8Array).lastInsertRowid);
      }
      if (last !== this.nextSeq - 1) throw new EventLogError(`log entries numbered up to ${last}, not ${this.nextSeq - 1}: another writer on this log?`);
    } catch (e) {
      this.loseGroup(e);
      throw e;
    } finally {
      // Keep no payloads alive.
      for (let i = BATCH_COLUMNS - 1; i < n * BATCH_COLUMNS; i += BATCH_COLUMNS) b[i] = null;
    }
  }

  /** Before a read: the batched rows written, so the read sees every entry appended. */
  private settle(): void {
    if (this.lost) return;
    try {
      this.writeBatch();
    } catch {
      // The group is lost (rolled back); commit() reports it.
    }
  }

  /**
   * The open group commit cannot be written: it is rolled back, nothing more joins it,
   * and commit() reports it — none of its entries is in the log, so none may be acted on.
   */
  private loseGroup(error: unknown): void {
    this.lost = { error };
    this.batched = 0;
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } finally {
      this.nextSeq = (this.lastStmt.get() ?? 0) + 1;
    }
  }

  /**
   * Appends one entry and returns its sequence number. Outside a group commit it is in
   * the log when this returns; inside one it is part of the group, which commit() writes
   * whole or not at all (and every read of the log sees it meanwhile).
   */
  append(entry: NewLogEntry): number {
    if (!this.grouped || entry.source !== 'board') return this.write(entry);
    checkBoard(entry);
    if (this.lost) throw this.lost.error;
    const b = this.batch;
    let i = this.batched * BATCH_COLUMNS;
    const seq = this.nextSeq++;
    b[i++] = entry.atUs;
    b[i++] = entry.topic;
    b[i++] = entry.board;
    b[i++] = entry.channel;
    b[i] = entry.payload;
    if (++this.batched === BATCH_ROWS) this.writeBatch();
    return seq;
  }

  /**
   * Group commit: entries appended between begin() and commit() are made durable
   * together. The gateway applies them only after commit(), so what it applied is always
   * in the log.
   */
  begin(): void {
    if (this.grouped) return;
    if (!this.db.inTransaction) this.db.exec('BEGIN');
    this.grouped = true;
  }

  /**
   * Commits the open group. Throws when it could not be written; then none of the
   * group's entries is in the log (it is rolled back), and the caller must not act on them.
   */
  commit(): void {
    try {
      this.writeBatch();
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } catch (e) {
      if (!this.lost) this.loseGroup(e);
    }
    this.grouped = false;
    const lost = this.lost;
    this.lost = null;
    if (lost) throw lost.error;
  }

  /** Writes entries in one transaction (all or none); returns their sequence numbers in order. */
  appendMany(entries: readonly NewLogEntry[]): number[] {
    if (entries.length === 0) return [];
    // Inside an open group commit the batch simply joins it.
    if (this.db.inTransaction) return entries.map((e) => this.append(e));
    try {
      return this.many(entries);
    } catch (e) {
      // Rolled back: the numbers handed out are free again.
      this.nextSeq = (this.lastStmt.get() ?? 0) + 1;
      throw e;
    }
  }

  /** Entries in sequence order from `fromSeq`; entries appended while iterating are included. */
  *entries(fromSeq = 1): IterableIterator<LogEntry> {
    let next = Math.max(1, Math.floor(fromSeq));
    for (;;) {
      this.settle();
      const rows = this.page.all(next, PAGE);
      if (rows.length === 0) return;
      next = rows[rows.length - 1]!.seq + 1;
      for (const r of rows) yield entryOf(r);
    }
  }

  /** Entries in the log. */
  count(): number {
    this.settle();
    return this.countStmt.get()!;
  }

  /** The sequence number of the last entry (0 when empty). */
  lastSeq(): number {
    this.settle();
    return this.lastStmt.get() ?? 0;
  }

  /** Keeps a refused message with why; returns its quarantine id. */
  quarantine(q: NewQuarantined): number {
    checkAtUs(q.atUs);
    if (!(QUARANTINE_REASONS as readonly string[]).includes(q.reason)) throw new EventLogError(`unknown quarantine reason ${JSON.stringify(q.reason)}`);
    return Number(this.insertQuarantine.run(q.atUs, String(q.topic), q.board ?? null, q.reason, q.detail, q.payload).lastInsertRowid);
  }

  /** Quarantined messages, oldest first. */
  quarantined(limit = 100, offset = 0): Quarantined[] {
    const rows = this.db.prepare('SELECT id, at_us, topic, board, reason, detail, payload FROM quarantine ORDER BY id LIMIT ? OFFSET ?').all(limit, offset) as QuarantineRow[];
    return rows.map((r) => {
      const q: Quarantined = { id: r.id, atUs: r.at_us, topic: r.topic, reason: r.reason, detail: r.detail, payload: bytesOf(r.payload) };
      if (r.board !== null) q.board = r.board;
      return q;
    });
  }

  /** Quarantined messages per reason, every reason present (0 when none). */
  quarantineCounts(): Record<QuarantineReason, number> {
    const out = Object.fromEntries(QUARANTINE_REASONS.map((r) => [r, 0])) as Record<QuarantineReason, number>;
    for (const r of this.db.prepare('SELECT reason, count(*) AS n FROM quarantine GROUP BY reason').all() as Array<{ reason: QuarantineReason; n: number }>) out[r.reason] = r.n;
    return out;
  }

  /** Quarantined messages per board named by their topic. */
  quarantineCountsByBoard(): Map<string, number> {
    const rows = this.db.prepare('SELECT board, count(*) AS n FROM quarantine WHERE board IS NOT NULL GROUP BY board ORDER BY board').all() as Array<{ board: string; n: number }>;
    return new Map(rows.map((r) => [r.board, r.n]));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
