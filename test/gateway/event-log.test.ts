// The event log on SQLite: entries round-trip byte for byte, a file is in WAL mode and
// survives a reopen whole, the quarantine keeps refused bytes with their reasons.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EVENT_LOG_SCHEMA_VERSION, EventLog, EventLogError, QUARANTINE_REASONS, type NewBoardEntry, type NewLogEntry } from '../../gateway/event-log.js';
import type { Action } from '../../gateway/log-entry.js';

const T0 = 1_776_540_600_000_000;

const board = (i: number, bytes: number[]): NewBoardEntry => ({
  atUs: T0 + i,
  source: 'board',
  topic: 'pitwall/v1/sim/loop-sf/evt',
  board: 'loop-sf',
  channel: 'evt',
  payload: new Uint8Array(bytes),
});
const action = (i: number, a: Action, source: 'race-control' | 'gateway' = 'race-control'): NewLogEntry => ({ atUs: T0 + i, source, action: a });

let dir: string;
const open: EventLog[] = [];
const track = (log: EventLog): EventLog => (open.push(log), log);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitwall-log-'));
});
afterEach(() => {
  for (const l of open.splice(0)) l.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('EventLog', () => {
  test('append and read back: board bytes untouched, actions as JSON, seq in order', () => {
    const log = track(EventLog.open(':memory:'));
    const all = [0, 1, 0x7f, 0x80, 0xff, 0x00, 0xf6];
    const inputs = [
      board(0, all),
      action(1, { action: 'flag', flag: 'green' }),
      board(2, []),
      action(3, { action: 'time-check', board: 'loop-sf', command: 7, sentUs: T0 + 3 }, 'gateway'),
      action(4, { action: 'pit-road', open: false, why: 'caution' }),
    ];
    expect(inputs.map((e) => log.append(e))).toEqual([1, 2, 3, 4, 5]);
    const back = [...log.entries()];
    expect(back.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(back[0]).toEqual({ seq: 1, ...inputs[0] });
    expect(back[0]!.source === 'board' && [...back[0]!.payload]).toEqual(all);
    expect(back[0]!.source === 'board' && back[0]!.payload).toBeInstanceOf(Uint8Array);
    expect(back[1]).toEqual({ seq: 2, atUs: T0 + 1, source: 'race-control', action: { action: 'flag', flag: 'green' } });
    expect(back[3]).toEqual({ seq: 4, atUs: T0 + 3, source: 'gateway', action: { action: 'time-check', board: 'loop-sf', command: 7, sentUs: T0 + 3 } });
    expect(back[4]).toEqual({ seq: 5, atUs: T0 + 4, source: 'race-control', action: { action: 'pit-road', open: false, why: 'caution' } });
    expect([...log.entries(4)].map((e) => e.seq)).toEqual([4, 5]);
    expect([...log.entries(6)]).toEqual([]);
    expect(log.count()).toBe(5);
    expect(log.lastSeq()).toBe(5);
  });

  test('appendMany writes all in one transaction, or none', () => {
    const log = track(EventLog.open(':memory:'));
    log.append(board(0, [1]));
    const batch = Array.from({ length: 5000 }, (_, i) => board(i + 1, [i & 0xff, i >> 8]));
    const seqs = log.appendMany(batch);
    expect(seqs).toHaveLength(5000);
    expect(seqs[0]).toBe(2);
    expect(seqs[4999]).toBe(5001);
    expect(log.count()).toBe(5001);
    // Iteration crosses several read pages and keeps the order and the bytes.
    let i = 0;
    for (const e of log.entries(2)) {
      expect(e.seq).toBe(i + 2);
      expect(e.source === 'board' && [...e.payload]).toEqual([i & 0xff, i >> 8]);
      i++;
    }
    expect(i).toBe(5000);
    const bad = [board(9000, [1]), { ...board(9001, [2]), atUs: -1 }];
    expect(() => log.appendMany(bad)).toThrow(EventLogError);
    expect(log.count()).toBe(5001);
    expect(log.appendMany([])).toEqual([]);
  });

  test('entries appended while iterating are read too', () => {
    const log = track(EventLog.open(':memory:'));
    log.append(board(0, [0]));
    const seen: number[] = [];
    for (const e of log.entries()) {
      seen.push(e.seq);
      if (e.seq < 3) log.append(board(e.seq, [e.seq]));
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  test('refuses entries that cannot be log entries, with a clear error', () => {
    const log = track(EventLog.open(':memory:'));
    expect(() => log.append({ ...board(0, [1]), atUs: 1.5 })).toThrow(/atUs must be a whole number/);
    expect(() => log.append({ ...board(0, [1]), channel: 'cmd' as 'evt' })).toThrow(/channel is birth, evt or death/);
    expect(() => log.append({ atUs: T0, source: 'robot' as 'gateway', action: { action: 'flag', flag: 'red' } })).toThrow(/unknown log source "robot"/);
    expect(log.count()).toBe(0);
  });

  test('a file is in WAL mode and a reopen keeps every entry and quarantined message', () => {
    const path = join(dir, 'event.db');
    const log = EventLog.open(path);
    log.append(action(0, { action: 'flag', flag: 'yellow' }));
    log.appendMany([board(1, [0xa1, 0x00]), board(2, [0xa2])]);
    log.quarantine({ atUs: T0 + 3, topic: 'pitwall/v1/sim/loop-sf/evt', board: 'loop-sf', reason: 'malformed', detail: 'envelope does not decode: truncated', payload: new Uint8Array([0xa5]) });
    log.quarantine({ atUs: T0 + 4, topic: 'elsewhere', reason: 'bad-topic', detail: 'not a pitwall topic', payload: new Uint8Array([1, 2, 3]) });
    const before = [...log.entries()];
    log.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare("SELECT value FROM meta WHERE key = 'schema-version'").pluck().get()).toBe(String(EVENT_LOG_SCHEMA_VERSION));
    expect(raw.prepare('SELECT seq, source, topic, board, channel FROM log ORDER BY seq').all()).toEqual([
      { seq: 1, source: 'race-control', topic: null, board: null, channel: 'flag' },
      { seq: 2, source: 'board', topic: 'pitwall/v1/sim/loop-sf/evt', board: 'loop-sf', channel: 'evt' },
      { seq: 3, source: 'board', topic: 'pitwall/v1/sim/loop-sf/evt', board: 'loop-sf', channel: 'evt' },
    ]);
    raw.close();

    const again = track(EventLog.open(path));
    expect([...again.entries()]).toEqual(before);
    expect(again.count()).toBe(3);
    expect(again.append(board(5, [9]))).toBe(4);
    expect(again.quarantined()).toEqual([
      { id: 1, atUs: T0 + 3, topic: 'pitwall/v1/sim/loop-sf/evt', board: 'loop-sf', reason: 'malformed', detail: 'envelope does not decode: truncated', payload: new Uint8Array([0xa5]) },
      { id: 2, atUs: T0 + 4, topic: 'elsewhere', reason: 'bad-topic', detail: 'not a pitwall topic', payload: new Uint8Array([1, 2, 3]) },
    ]);
  });

  test('quarantine: pages, counts per reason and per board', () => {
    const log = track(EventLog.open(':memory:'));
    const reasons = ['duplicate', 'malformed', 'duplicate', 'oversize', 'duplicate'] as const;
    reasons.forEach((reason, i) =>
      log.quarantine({ atUs: T0 + i, topic: `pitwall/v1/sim/b${i % 2}/evt`, board: `b${i % 2}`, reason, detail: `#${i}`, payload: new Uint8Array([i]) }),
    );
    expect(log.quarantined(2, 1).map((q) => q.detail)).toEqual(['#1', '#2']);
    expect(log.quarantined().map((q) => q.id)).toEqual([1, 2, 3, 4, 5]);
    const counts = log.quarantineCounts();
    expect(Object.keys(counts).sort()).toEqual([...QUARANTINE_REASONS].sort());
    expect(counts).toMatchObject({ duplicate: 3, malformed: 1, oversize: 1, 'bad-topic': 0, 'unknown-board': 0, 'identity-mismatch': 0 });
    expect(log.quarantineCountsByBoard()).toEqual(new Map([['b0', 3], ['b1', 2]]));
    expect(() => log.quarantine({ atUs: T0, topic: 't', reason: 'odd' as 'oversize', detail: '', payload: new Uint8Array() })).toThrow(/unknown quarantine reason "odd"/);
  });

  test('refuses a file that is not an event log, or of another schema version', () => {
    const notSqlite = join(dir, 'text.db');
    writeFileSync(notSqlite, 'this is not a database, it is a text file long enough to have a header......');
    expect(() => EventLog.open(notSqlite)).toThrow(/is not an SQLite database/);

    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE things (x)');
    db.close();
    expect(() => EventLog.open(other)).toThrow(/not a pitwall event log/);

    const old = join(dir, 'old.db');
    EventLog.open(old).close();
    const o = new Database(old);
    o.prepare("UPDATE meta SET value = '0' WHERE key = 'schema-version'").run();
    o.close();
    expect(() => EventLog.open(old)).toThrow(/schema version 0, this gateway reads version 1/);
  });
});
