// `pitwall audit --db FILE --out FILE` (R-AUDIT-1): the 10-lap race logged by a gateway,
// with messages it quarantined and an official's decision, bundled into one .tar.gz
// that the system `tar` unpacks into every file the audit needs: the manifest's hashes
// hold, results.json is what `pitwall results` prints (never hard-coded here: the
// results grow), the log copy scores the same again, log.jsonl has every entry and
// quarantine.jsonl every refused message. The same log gives the same bytes; a missing,
// foreign or unreadable log and an --out in the way are refused clearly.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AUDIT_FILES, type AuditManifest } from '../../../gateway/audit.js';
import { EventLog } from '../../../gateway/event-log.js';
import type { LogEntry } from '../../../gateway/log-entry.js';
import { decode, encode } from '../../../protocol/codec.js';
import { repoPath } from '../../../protocol/repo-root.js';
import { CHANNEL_MESSAGE, boardTopic } from '../../../protocol/topics.js';
import { directGateway, feedAll, tenLapFeed } from '../../support/gateway-feed.js';
import { pitwallCli } from '../../support/pitwall-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pitwall-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'events.db');

const cli = pitwallCli();
const { pitwall } = cli;

/** What `pitwall results --db FILE [more]` prints. */
async function resultsOf(file: string, ...more: string[]): Promise<string> {
  cli.stdout = [];
  expect(await pitwall(['results', '--db', file, ...more])).toBe(0);
  return cli.stdout.join('');
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const jsonl = (file: string): any[] => {
  const text = readFileSync(file, 'utf8');
  return text === '' ? [] : text.trimEnd().split('\n').map((l) => JSON.parse(l));
};
const logged = (file: string): { entries: LogEntry[]; quarantined: ReturnType<EventLog['quarantined']> } => {
  const log = EventLog.open(file);
  try {
    return { entries: [...log.entries()], quarantined: log.quarantined(1_000_000) };
  } finally {
    log.close();
  }
};

/** Unpacks a bundle with the system tar into a new folder. */
function untar(bundle: string, name: string): string {
  const to = join(dir, name);
  mkdirSync(to);
  execFileSync('tar', ['-xzf', bundle, '-C', to]);
  return to;
}

const DECISION = { action: 'decision', proposal: 'pit-speed/11/lap-4', decision: 'dismiss', who: 'Chief Steward', why: 'timing line 2 read late; video shows 29.8 mph' } as const;

// The 10-lap race through a gateway, then what it refuses: a payload that is not an
// envelope, a topic of another site, a message logged already; then an official's decision.
beforeAll(async () => {
  const feed = await tenLapFeed();
  const fed = await directGateway({ db, site: 'sim' });
  try {
    feedAll(fed, feed.entries);
    fed.time.nowUs = feed.entries[feed.entries.length - 1]!.atUs + 1_000_000;
    const first = feed.entries.find((e) => e.source === 'board' && e.channel === 'evt')!;
    if (first.source !== 'board') throw new Error('no board entry');
    fed.gw.receive(boardTopic('sim', 'loop-sf', 'evt'), Uint8Array.of(0xa2, 0x00, 0x01));
    fed.gw.receive(boardTopic('elsewhere', first.board, 'evt'), first.payload);
    fed.gw.receive(first.topic, first.payload);
    fed.gw.flush();
  } finally {
    await fed.gw.stop();
  }
  // Logged as the decision API will log it (the log takes any action; scoring looks at what it knows).
  const log = EventLog.open(db);
  try {
    log.append({ atUs: Date.UTC(2026, 3, 18, 20, 0, 0) * 1000, source: 'race-control', action: DECISION as never });
  } finally {
    log.close();
  }
});

describe('pitwall audit', () => {
  const bundle = join(dir, 'audit.tar.gz');
  let unpacked = '';
  let manifest: AuditManifest;

  test('--help says what the bundle holds', async () => {
    expect(await pitwall(['audit', '--help'])).toBe(0);
    const help = cli.out.join('\n');
    expect(help).toMatch(/^Usage: pitwall audit --db FILE --out FILE \[--force\] \[--quiet\]/);
    for (const f of AUDIT_FILES) expect(help).toContain(f);
  });

  test('writes the bundle; tar -xzf gives every file, the manifest first', async () => {
    const started = performance.now();
    expect(await pitwall(['audit', '--db', db, '--out', bundle, '--quiet'])).toBe(0);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(cli.err).toEqual([]);
    expect(cli.stderr).toEqual([]);
    expect(cli.out.join('\n')).toMatch(new RegExp(`^${bundle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+ log entries \\(\\d+ board messages, \\d+ actions\\), 3 quarantined, 8 files, \\d+ bytes$`));
    const listing = execFileSync('tar', ['-tzf', bundle], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual([...AUDIT_FILES]);
    unpacked = untar(bundle, 'unpacked');
    expect(readdirSync(unpacked).sort()).toEqual([...AUDIT_FILES].sort());
    manifest = JSON.parse(readFileSync(join(unpacked, 'MANIFEST.json'), 'utf8')) as AuditManifest;
    // Nothing left behind beside the bundle.
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('MANIFEST.json: format, version, source, counts, and every file with its size and sha256', () => {
    const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
    const { entries, quarantined } = logged(db);
    expect(manifest.format).toBe('pitwall-audit/1');
    expect(manifest.pitwall).toBe(pkg.version);
    expect(manifest.source).toEqual({ db: resolve(db), bytes: statSync(db).size });
    expect(manifest.log.entries).toBe(entries.length);
    expect([manifest.log.firstSeq, manifest.log.lastSeq]).toEqual([1, entries.length]);
    expect(manifest.log.firstAtUs).toBe(Math.min(...entries.map((e) => e.atUs)));
    expect(manifest.log.lastAtUs).toBe(Math.max(...entries.map((e) => e.atUs)));
    const count = (f: (e: LogEntry) => boolean): number => entries.filter(f).length;
    expect(manifest.log.bySource).toEqual({ board: count((e) => e.source === 'board'), gateway: count((e) => e.source === 'gateway'), 'race-control': count((e) => e.source === 'race-control') });
    for (const ch of ['birth', 'evt', 'death'] as const) expect(manifest.log.board[ch]).toBe(count((e) => e.source === 'board' && e.channel === ch));
    expect(manifest.log.actions.decision).toBe(1);
    expect(manifest.log.actions['event-setup']).toBe(1);
    expect(manifest.log.actions.flag).toBe(count((e) => e.source !== 'board' && e.action.action === 'flag'));
    expect(manifest.log.actions['time-check']).toBeGreaterThan(0);
    expect(manifest.log.undecodable).toBe(0);
    expect(manifest.quarantine.messages).toBe(quarantined.length);
    expect(manifest.quarantine.byReason).toMatchObject({ malformed: 1, 'bad-topic': 1, duplicate: 1 });
    expect(manifest.eventSetup).toMatchObject({ seq: 1, later: [] });
    expect(manifest.files.map((f) => f.name)).toEqual(AUDIT_FILES.filter((f) => f !== 'MANIFEST.json'));
    for (const f of manifest.files) {
      const path = join(unpacked, f.name);
      expect(statSync(path).size, f.name).toBe(f.bytes);
      expect(sha256(path), f.name).toBe(f.sha256);
    }
  });

  test('results.json and results.csv are what pitwall results --db prints, byte for byte', async () => {
    expect(readFileSync(join(unpacked, 'results.json'), 'utf8')).toBe(await resultsOf(db));
    expect(readFileSync(join(unpacked, 'results.csv'), 'utf8')).toBe(await resultsOf(db, '--format', 'csv'));
    expect(JSON.parse(readFileSync(join(unpacked, 'results.json'), 'utf8')).classification).toHaveLength(6);
  });

  test('events.db scores the race again to the same results, and reading it leaves its sha256 as in the manifest', async () => {
    const copy = join(unpacked, 'events.db');
    expect(await resultsOf(copy)).toBe(readFileSync(join(unpacked, 'results.json'), 'utf8'));
    expect(await resultsOf(copy, '--format', 'csv')).toBe(readFileSync(join(unpacked, 'results.csv'), 'utf8'));
    expect(sha256(copy)).toBe(manifest.files.find((f) => f.name === 'events.db')!.sha256);
    const a = logged(db);
    const b = logged(copy);
    expect(b.entries.length).toBe(a.entries.length);
    expect(b.quarantined).toEqual(a.quarantined);
  });

  test('log.jsonl: one line per log entry in seq order, payloads in base64 and decoded, actions as logged', () => {
    const { entries } = logged(db);
    const lines = jsonl(join(unpacked, 'log.jsonl'));
    expect(lines).toHaveLength(entries.length);
    lines.forEach((l, i) => {
      const e = entries[i]!;
      expect(l.seq).toBe(e.seq);
      expect(l.atUs).toBe(e.atUs);
      expect(l.source).toBe(e.source);
      if (e.source === 'board') {
        expect(l).toMatchObject({ topic: e.topic, board: e.board, channel: e.channel, message: CHANNEL_MESSAGE[e.channel] });
        expect(Buffer.from(l.payloadBase64, 'base64').equals(Buffer.from(e.payload))).toBe(true);
        expect(l.decoded).toEqual(JSON.parse(JSON.stringify(decode(CHANNEL_MESSAGE[e.channel], e.payload))));
        expect(l.decodeError).toBeUndefined();
      } else {
        expect(l.action).toEqual(e.action);
      }
    });
    expect(lines.some((l) => l.decoded?.events?.some((ev: { kind: string }) => ev.kind === 'passing'))).toBe(true);
  });

  test('actions.jsonl: every action alone (set-up, flags, pit road, time checks, the decision with who and why)', () => {
    const { entries } = logged(db);
    const actions = entries.flatMap((e) => (e.source === 'board' ? [] : [{ seq: e.seq, atUs: e.atUs, source: e.source, action: e.action }]));
    const lines = jsonl(join(unpacked, 'actions.jsonl'));
    expect(lines).toEqual(actions);
    const kinds = new Set(lines.map((l) => l.action.action));
    for (const k of ['event-setup', 'flag', 'pit-road', 'time-check', 'decision']) expect(kinds).toContain(k);
    expect(lines.find((l) => l.action.action === 'decision')).toMatchObject({ source: 'race-control', action: DECISION });
    // The same lines as in log.jsonl.
    const log = readFileSync(join(unpacked, 'log.jsonl'), 'utf8').split('\n');
    for (const l of readFileSync(join(unpacked, 'actions.jsonl'), 'utf8').trimEnd().split('\n')) expect(log).toContain(l);
  });

  test('quarantine.jsonl: every quarantined message with its reason, detail and bytes', () => {
    const { quarantined } = logged(db);
    const lines = jsonl(join(unpacked, 'quarantine.jsonl'));
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => ({ ...l, payload: Buffer.from(l.payloadBase64, 'base64') }))).toEqual(
      quarantined.map((q) => ({ id: q.id, atUs: q.atUs, topic: q.topic, board: q.board ?? null, reason: q.reason, detail: q.detail, payloadBase64: Buffer.from(q.payload).toString('base64'), payload: Buffer.from(q.payload) })),
    );
    expect(lines.map((l) => l.reason).sort()).toEqual(['bad-topic', 'duplicate', 'malformed']);
    expect(lines.find((l) => l.reason === 'malformed')).toMatchObject({ payloadBase64: Buffer.from([0xa2, 0x00, 0x01]).toString('base64') });
  });

  test('event-setup.json: the set-up logged first, as logged', () => {
    const { entries } = logged(db);
    const first = entries.find((e) => e.source !== 'board' && e.action.action === 'event-setup');
    if (!first || first.source === 'board' || first.action.action !== 'event-setup') throw new Error('no set-up logged');
    expect(JSON.parse(readFileSync(join(unpacked, 'event-setup.json'), 'utf8'))).toEqual(first.action.setup);
    expect(manifest.eventSetup).toEqual({ seq: first.seq, atUs: first.atUs, name: first.action.setup.name, later: [] });
  });

  test('the same log gives the same bytes: a second bundle, and one written over the first with --force', async () => {
    const again = join(dir, 'again.tar.gz');
    expect(await pitwall(['audit', '--db', db, '--out', again, '--quiet'])).toBe(0);
    expect(readFileSync(again).equals(readFileSync(bundle))).toBe(true);
    writeFileSync(again, 'an older bundle');
    expect(await pitwall(['audit', '--db', db, '--out', again, '--quiet', '--force'])).toBe(0);
    expect(readFileSync(again).equals(readFileSync(bundle))).toBe(true);
    const gz = readFileSync(bundle);
    expect(gz[3]).toBe(0); // gzip: no file name
    expect(gz.readUInt32LE(4)).toBe(0); // gzip: mtime 0
  });

  test('shows a progress bar on standard error (none with --quiet)', async () => {
    const file = join(dir, 'progress.tar.gz');
    expect(await pitwall(['audit', '--db', db, '--out', file])).toBe(0);
    const bar = cli.stderr.join('');
    expect(bar).toMatch(/^audit +0% snapshot of the log$/m);
    expect(bar).toMatch(/^audit 100% \d+ bytes$/m);
    expect(cli.stdout).toEqual([]);
  });
});

describe('pitwall audit: a log that is not a race', () => {
  test('a board payload that does not decode is kept with why; no set-up: event-setup.json is null', async () => {
    const file = join(dir, 'odd.db');
    const log = EventLog.open(file);
    const good = encode('death', { board: 'loop-sf', boot: 3 });
    try {
      log.appendMany([
        { atUs: 1_000, source: 'board', topic: boardTopic('sim', 'loop-sf', 'death'), board: 'loop-sf', channel: 'death', payload: good },
        { atUs: 2_000, source: 'board', topic: boardTopic('sim', 'loop-sf', 'evt'), board: 'loop-sf', channel: 'evt', payload: Uint8Array.of(0xa2, 0x00, 0x01) },
        { atUs: 3_000, source: 'board', topic: boardTopic('sim', 'loop-sf', 'evt'), board: 'loop-sf', channel: 'evt', payload: Uint8Array.of(0xff, 0x00) },
        { atUs: 4_000, source: 'race-control', action: { action: 'flag', flag: 'green' } },
      ]);
    } finally {
      log.close();
    }
    const bundle = join(dir, 'odd.tar.gz');
    expect(await pitwall(['audit', '--db', file, '--out', bundle, '--quiet'])).toBe(0);
    expect(cli.out.join('\n')).toContain('2 board payloads do not decode');
    expect(cli.out.join('\n')).toContain('no event set-up in the log');
    const to = untar(bundle, 'odd');
    const lines = jsonl(join(to, 'log.jsonl'));
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(lines[0]).toMatchObject({ message: 'death', decoded: { board: 'loop-sf', boot: 3 } });
    // Well-formed CBOR but not an envelope: the decoder's reason, path and byte, and the CBOR as diagnostic notation.
    expect(lines[1]).toMatchObject({ message: 'envelope', decoded: null, decodeError: { reason: 'truncated', offset: 3 }, diagError: expect.stringMatching(/not well-formed/) });
    expect(lines[2]).toMatchObject({ message: 'envelope', decoded: null, decodeError: { reason: expect.any(String) }, diagError: 'not well-formed CBOR at byte 0' });
    expect(lines[3]).toEqual({ seq: 4, atUs: 4_000, source: 'race-control', action: { action: 'flag', flag: 'green' } });
    const m = JSON.parse(readFileSync(join(to, 'MANIFEST.json'), 'utf8')) as AuditManifest;
    expect(m.log.undecodable).toBe(2);
    expect(m.eventSetup).toBeNull();
    expect(readFileSync(join(to, 'event-setup.json'), 'utf8')).toBe('null\n');
    expect(readFileSync(join(to, 'results.json'), 'utf8')).toBe(await resultsOf(file));
    expect(readFileSync(join(to, 'quarantine.jsonl'), 'utf8')).toBe('');
  });

  test('a well-formed payload that is not the message says why, with its diagnostic notation', async () => {
    const file = join(dir, 'wrong-kind.db');
    const log = EventLog.open(file);
    try {
      log.append({ atUs: 1, source: 'board', topic: boardTopic('sim', 'loop-sf', 'birth'), board: 'loop-sf', channel: 'birth', payload: encode('death', { board: 'loop-sf', boot: 3 }) });
    } finally {
      log.close();
    }
    const bundle = join(dir, 'wrong-kind.tar.gz');
    expect(await pitwall(['audit', '--db', file, '--out', bundle, '--quiet'])).toBe(0);
    const [line] = jsonl(join(untar(bundle, 'wrong-kind'), 'log.jsonl'));
    expect(line).toMatchObject({ channel: 'birth', message: 'birth', decoded: null, decodeError: { reason: expect.any(String), message: expect.any(String) } });
    expect(line.diag).toMatch(/^\{0: 1, 1: "loop-sf", 2: 3/);
  });
});

describe('pitwall audit: a log still being written', () => {
  test('bundles what is committed, every file from the same instant', async () => {
    const live = join(dir, 'live.db');
    writeFileSync(live, readFileSync(db));
    const writer = EventLog.open(live);
    try {
      const committed = writer.count();
      const { entries } = logged(db);
      const boards = entries.filter((e) => e.source === 'board');
      // A group commit under way: 40 messages written inside the transaction, not committed.
      writer.begin();
      for (const e of boards.slice(0, 40)) if (e.source === 'board') writer.append({ atUs: e.atUs + 10_000_000_000, source: 'board', topic: e.topic, board: e.board, channel: e.channel, payload: e.payload });
      const bundle = join(dir, 'live.tar.gz');
      expect(await pitwall(['audit', '--db', live, '--out', bundle, '--quiet'])).toBe(0);
      writer.commit();
      expect(writer.count()).toBe(committed + 40);
      const to = untar(bundle, 'live');
      const m = JSON.parse(readFileSync(join(to, 'MANIFEST.json'), 'utf8')) as AuditManifest;
      expect(m.log.entries).toBe(committed);
      expect(jsonl(join(to, 'log.jsonl'))).toHaveLength(committed);
      expect(logged(join(to, 'events.db')).entries).toHaveLength(committed);
      expect(readFileSync(join(to, 'results.json'), 'utf8')).toBe(readFileSync(join(dir, 'unpacked', 'results.json'), 'utf8'));
    } finally {
      writer.close();
    }
  });
});

describe('pitwall audit: refusals', () => {
  const refused = async (argv: string[], message: RegExp): Promise<void> => {
    cli.err = [];
    expect(await pitwall(['audit', ...argv, '--quiet'])).toBe(2);
    expect(cli.err.join('\n')).toMatch(message);
  };

  test('no --db, no --out, an unknown option', async () => {
    await refused(['--out', join(dir, 'x.tar.gz')], /^pitwall audit: --db FILE is required$/);
    await refused(['--db', db], /^pitwall audit: --out FILE is required$/);
    await refused(['--db', db, '--out', join(dir, 'x.tar.gz'), '--colour'], /pitwall audit: .*--colour/);
  });

  test('a missing log, a folder, a file that is not SQLite, an SQLite file that is not an event log, an empty file', async () => {
    const out = join(dir, 'refused.tar.gz');
    await refused(['--db', join(dir, 'nowhere.db'), '--out', out], /^pitwall audit: no event log .*nowhere\.db$/);
    await refused(['--db', dir, '--out', out], /is a directory, not an event log/);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'lap times, typed up by hand\n'.repeat(40));
    await refused(['--db', text, '--out', out], /notes\.txt is not an SQLite database, so not a pitwall event log/);
    const other = join(dir, 'other.db');
    const o = new Database(other);
    o.exec("CREATE TABLE laps (car TEXT, lap INTEGER); INSERT INTO laps VALUES ('11', 1)");
    o.close();
    await refused(['--db', other, '--out', out], /other\.db is an SQLite file, not a pitwall event log/);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    await refused(['--db', empty, '--out', out], /empty\.db is an empty SQLite database, not a pitwall event log/);
    expect(statSync(empty).size).toBe(0);
    const newer = join(dir, 'newer.db');
    const n = new Database(newer);
    n.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('application', 'pitwall-event-log'), ('schema-version', '2')");
    n.close();
    await refused(['--db', newer, '--out', out], /newer\.db: event log schema version 2, this pitwall reads version 1/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test.skipIf(process.getuid?.() === 0)('an event log it may not read', async () => {
    const locked = join(dir, 'locked.db');
    writeFileSync(locked, readFileSync(db));
    chmodSync(locked, 0o000);
    try {
      await refused(['--db', locked, '--out', join(dir, 'locked.tar.gz')], /cannot read .*locked\.db \(EACCES\)/);
    } finally {
      chmodSync(locked, 0o644);
    }
  });

  test('an --out that exists (left as it was), is a folder, is the log itself, or has no folder', async () => {
    const existing = join(dir, 'existing.tar.gz');
    writeFileSync(existing, 'keep me');
    await refused(['--db', db, '--out', existing], /^pitwall audit: .*existing\.tar\.gz exists; use --force to replace it$/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    await refused(['--db', db, '--out', dir, '--force'], /is a directory; --out names the bundle file to write/);
    await refused(['--db', db, '--out', db, '--force'], /--out .*events\.db is the event log itself/);
    await refused(['--db', db, '--out', join(dir, 'no', 'such', 'folder', 'a.tar.gz')], /no directory .*folder to write/);
  });
});
