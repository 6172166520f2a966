// The audit bundle (R-AUDIT-1): one event log, everything a scoring audit needs, in one
// deterministic .tar.gz — the log itself (a consistent copy, to re-run everything), every
// entry readable without pitwall (log.jsonl: payloads in base64 and decoded), race
// control's and the gateway's actions alone, every quarantined message, the event set-up
// in force, the results exactly as `pitwall results` prints them, and a manifest with
// counts and each file's sha256. Layout: AUDIT.md.
//
// Everything in the bundle is read from one snapshot of the log (VACUUM INTO), so a log
// a gateway is still writing gives files that agree with each other, and the same log
// gives the same bytes.
import { accessSync, closeSync, constants, copyFileSync, existsSync, linkSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { decode, DecodeError } from '../protocol/codec.js';
import { diagnose } from '../protocol/diag.js';
import { repoPath } from '../protocol/repo-root.js';
import { CHANNEL_MESSAGE } from '../protocol/topics.js';
import { EVENT_LOG_APPLICATION, EVENT_LOG_SCHEMA_VERSION, EventLog, QUARANTINE_REASONS, type Quarantined, type QuarantineReason } from './event-log.js';
import { validateSetup } from './event-setup.js';
import type { ActionEntry, BoardEntry, LogEntry } from './log-entry.js';
import { replay } from './race-state.js';
import { resultsCsv } from './results-csv.js';
import { resultsJson } from './results.js';
import { tarContentBytes, writeTarGz, type TarEntry } from './tar-gz.js';

export const AUDIT_FORMAT = 'pitwall-audit/1';

/** The bundle's files, in the order they are in the archive. */
export const AUDIT_FILES = ['MANIFEST.json', 'event-setup.json', 'results.json', 'results.csv', 'actions.jsonl', 'quarantine.jsonl', 'log.jsonl', 'events.db'] as const;
export type AuditFileName = (typeof AUDIT_FILES)[number];

const BOARD_CHANNELS = ['birth', 'evt', 'death'] as const;

/** Why a bundle cannot be made: a missing or foreign log, an --out in the way. */
export class AuditError extends Error {
  override readonly name = 'AuditError';
}

export interface AuditManifest {
  format: typeof AUDIT_FORMAT;
  /** The pitwall version (package.json) that made the bundle. */
  pitwall: string;
  /** The event log audited: its path (absolute) and its size on disk when audited. */
  source: { db: string; bytes: number };
  log: {
    schemaVersion: number;
    entries: number;
    firstSeq: number | null;
    lastSeq: number | null;
    /** Earliest and latest `atUs` of the entries (µs since the epoch); null for an empty log. */
    firstAtUs: number | null;
    lastAtUs: number | null;
    bySource: Record<string, number>;
    /** Board messages per channel. */
    board: Record<(typeof BOARD_CHANNELS)[number], number>;
    /** Actions per name (race control's and the gateway's). */
    actions: Record<string, number>;
    /** Board payloads that do not decode as their channel's message (log.jsonl says why). */
    undecodable: number;
  };
  quarantine: {
    messages: number;
    firstAtUs: number | null;
    lastAtUs: number | null;
    byReason: Record<QuarantineReason, number>;
  };
  /** The set-up the race is scored with (event-setup.json): the first valid one logged; `later`: seqs of set-ups logged after it. */
  eventSetup: { seq: number; atUs: number; name: string; later: number[] } | null;
  files: Array<{ name: AuditFileName; bytes: number; sha256: string }>;
}

export interface AuditOptions {
  /** The event log. */
  db: string;
  /** The bundle to write (a .tar.gz). */
  out: string;
  /** Replace `out` if it exists. */
  force?: boolean;
  /** How far along (0..1) and at what. */
  onProgress?: (fraction: number, detail: string) => void;
}

export interface AuditReport {
  out: string;
  /** Size of the bundle written. */
  bytes: number;
  manifest: AuditManifest;
}

// ------------------------------------------------------------------ the lines

/** Bigints as decimal strings, byte strings as base64: JSON for anything a decoder may give. */
const jsonValue = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v);

const base64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** A board payload read with the protocol's decoder, or why it does not decode (with the CBOR as diagnostic notation, or where it stops being CBOR). */
export function decodedPayload(channel: string, payload: Uint8Array): Record<string, unknown> {
  const type = (CHANNEL_MESSAGE as Record<string, (typeof CHANNEL_MESSAGE)[keyof typeof CHANNEL_MESSAGE] | undefined>)[channel];
  if (type === undefined) return { message: null, decoded: null, decodeError: { reason: 'unknown-channel', path: '', offset: 0, message: `no pitwall message on channel '${channel}'` }, ...diagOf(payload) };
  try {
    return { message: type, decoded: decode(type, payload) };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { message: type, decoded: null, decodeError: { reason: e.reason, path: e.path, offset: e.offset, message: e.message }, ...diagOf(payload) };
  }
}

function diagOf(payload: Uint8Array): { diag: string } | { diagError: string } {
  try {
    return { diag: diagnose(payload) };
  } catch (e) {
    return { diagError: (e as Error).message };
  }
}

/** One entry of log.jsonl (and, for an action, of actions.jsonl). */
export function logLine(e: LogEntry): Record<string, unknown> {
  if (e.source === 'board') {
    const b: BoardEntry = e;
    return { seq: b.seq, atUs: b.atUs, source: b.source, topic: b.topic, board: b.board, channel: b.channel, payloadBase64: base64(b.payload), ...decodedPayload(b.channel, b.payload) };
  }
  const a: ActionEntry = e;
  return { seq: a.seq, atUs: a.atUs, source: a.source, action: a.action };
}

/** One entry of quarantine.jsonl. */
export function quarantineLine(q: Quarantined): Record<string, unknown> {
  return { id: q.id, atUs: q.atUs, topic: q.topic, board: q.board ?? null, reason: q.reason, detail: q.detail, payloadBase64: base64(q.payload) };
}

const jsonLine = (v: unknown): string => JSON.stringify(v, jsonValue) + '\n';

// ------------------------------------------------------------------ staging

/** A file being written to the staging directory, hashed as it goes. */
class StagedFile {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingChars = 0;
  bytes = 0;
  sha256 = '';

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
  }

  write(s: string): void {
    this.pending.push(s);
    this.pendingChars += s.length;
    if (this.pendingChars >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done);
    this.hash.update(buf);
    this.bytes += buf.length;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.sha256 = this.hash.digest('hex');
  }
}

function hashFile(path: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, bytes)) > 0; bytes += n) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

// ------------------------------------------------------------------ checks

/** Throws AuditError unless `db` is an event log this pitwall reads. */
function checkSource(db: string): void {
  if (!existsSync(db)) throw new AuditError(`no event log ${db}`);
  if (statSync(db).isDirectory()) throw new AuditError(`${db} is a directory, not an event log`);
  try {
    accessSync(db, constants.R_OK);
  } catch (e) {
    throw new AuditError(`cannot read ${db} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** The source opened without changing it: read-only when it cannot be written anyway. */
function openSource(db: string): Database.Database {
  let writable = true;
  try {
    accessSync(db, constants.W_OK);
  } catch {
    writable = false;
  }
  try {
    // Read-write (no pragma, no write) when allowed: the last connection to close then
    // tidies a WAL log's -wal and -shm files away, as the gateway's own does.
    return new Database(db, { fileMustExist: true, readonly: !writable });
  } catch (e) {
    throw new AuditError(`cannot open ${db}: ${(e as Error).message}`);
  }
}

/** Throws AuditError unless the open database is an event log of the schema this pitwall reads. */
function checkEventLog(src: Database.Database, db: string): void {
  let tables: string[];
  try {
    tables = src.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new AuditError(`${db} is not an SQLite database, so not a pitwall event log`);
    throw new AuditError(`cannot read ${db}: ${(e as Error).message}`);
  }
  if (!tables.includes('meta')) throw new AuditError(`${db} is ${tables.length === 0 ? 'an empty SQLite database' : 'an SQLite file'}, not a pitwall event log`);
  const meta = new Map((src.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]));
  if (meta.get('application') !== EVENT_LOG_APPLICATION) throw new AuditError(`${db} is an SQLite file but not a pitwall event log`);
  const version = meta.get('schema-version');
  if (version !== String(EVENT_LOG_SCHEMA_VERSION)) throw new AuditError(`${db}: event log schema version ${version ?? '(none)'}, this pitwall reads version ${EVENT_LOG_SCHEMA_VERSION}`);
}

/** Throws AuditError when `out` cannot be written (or may not be replaced). */
function checkOut(out: string, db: string, force: boolean): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AuditError(`no directory ${dir} to write ${out} in`);
  const same = (a: string, b: string): boolean => existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
  if ([db, `${db}-wal`, `${db}-shm`].some((f) => same(out, f))) throw new AuditError(`--out ${out} is the event log itself`);
  if (!existsSync(out)) return;
  if (statSync(out).isDirectory()) throw new AuditError(`${out} is a directory; --out names the bundle file to write`);
  if (!force) throw new AuditError(`${out} exists; use --force to replace it`);
}

function pitwallVersion(): string {
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

// ------------------------------------------------------------------ the bundle

const sortedRecord = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Writes the audit bundle of `opts.db` to `opts.out`: whole or not at all (it is written
 * beside `out` and moved into place at the end). Throws AuditError for a source or an
 * `out` it will not use.
 */
export async function writeAudit(opts: AuditOptions): Promise<AuditReport> {
  const { db, out } = opts;
  const force = opts.force === true;
  const progress = opts.onProgress ?? (() => {});
  checkSource(db);
  checkOut(out, db, force);
  const sourceBytes = statSync(db).size;

  let stage: string;
  try {
    stage = mkdtempSync(join(dirname(resolve(out)), `.${basename(out)}.audit-`));
  } catch (e) {
    throw new AuditError(`cannot write in ${dirname(resolve(out))} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    // 1. One snapshot of the log: everything below is read from it.
    progress(0, 'snapshot of the log');
    const snapshot = join(stage, 'events.db');
    const src = openSource(db);
    try {
      checkEventLog(src, db);
      src.prepare('VACUUM INTO ?').run(snapshot);
    } catch (e) {
      if (e instanceof AuditError) throw e;
      throw new AuditError(`cannot copy ${db}: ${(e as Error).message}`);
    } finally {
      src.close();
    }
    // In WAL mode, as the gateway keeps its log: then opening the copy to read it (pitwall
    // results --db events.db) leaves its bytes, and its sha256, as they are.
    const snap = new Database(snapshot, { fileMustExist: true });
    try {
      snap.pragma('journal_mode = WAL');
    } finally {
      snap.close();
    }
    const snapshotFile = hashFile(snapshot);
    progress(0.05, 'reading the log');
    // Read through EventLog, as `pitwall results` reads: on a copy, since opening one sets it up for writing.
    const work = join(stage, 'work.db');
    copyFileSync(snapshot, work);
    const log = EventLog.open(work);

    const staged = new Map<AuditFileName, StagedFile>();
    const file = (name: AuditFileName): StagedFile => {
      const f = new StagedFile(join(stage, name));
      staged.set(name, f);
      return f;
    };
    let manifest: AuditManifest;
    try {
      // 2. Every entry: log.jsonl, actions.jsonl, the counts, the set-up — and the race
      // scored from the same entries on the way (replay, as `pitwall results`).
      const total = log.count();
      const logFile = file('log.jsonl');
      const actionsFile = file('actions.jsonl');
      const bySource = new Map<string, number>();
      const board = { birth: 0, evt: 0, death: 0 };
      const actions = new Map<string, number>();
      let undecodable = 0;
      let firstSeq: number | null = null;
      let lastSeq: number | null = null;
      let firstAtUs: number | null = null;
      let lastAtUs: number | null = null;
      let setup: LoggedSetup | null = null;
      const laterSetups: number[] = [];
      let n = 0;
      function* audited(): Generator<LogEntry> {
        for (const e of log.entries()) {
          const line = logLine(e);
          const text = jsonLine(line);
          logFile.write(text);
          firstSeq ??= e.seq;
          lastSeq = e.seq;
          if (firstAtUs === null || e.atUs < firstAtUs) firstAtUs = e.atUs;
          if (lastAtUs === null || e.atUs > lastAtUs) lastAtUs = e.atUs;
          bySource.set(e.source, (bySource.get(e.source) ?? 0) + 1);
          if (e.source === 'board') {
            if (e.channel in board) board[e.channel]++;
            if (line.decoded === null) undecodable++;
          } else {
            actionsFile.write(text);
            const name = String(e.action?.action);
            actions.set(name, (actions.get(name) ?? 0) + 1);
            if (e.action?.action === 'event-setup') {
              if (setup === null && validSetup(e.action.setup)) setup = { seq: e.seq, atUs: e.atUs, setup: e.action.setup };
              else if (setup !== null) laterSetups.push(e.seq);
            }
          }
          if (++n % 1024 === 0) progress(0.05 + 0.55 * (n / Math.max(1, total)), `log entry ${n}/${total}`);
          yield e;
        }
      }
      const state = replay(audited());
      logFile.close();
      actionsFile.close();
      progress(0.6, 'scoring');
      const results = state.results();
      const resultsJsonFile = file('results.json');
      resultsJsonFile.write(resultsJson(results));
      resultsJsonFile.close();
      const resultsCsvFile = file('results.csv');
      resultsCsvFile.write(resultsCsv(results));
      resultsCsvFile.close();

      const s = setup as LoggedSetup | null;
      const setupFile = file('event-setup.json');
      setupFile.write(JSON.stringify(s?.setup ?? null, null, 2) + '\n');
      setupFile.close();

      // 3. Every quarantined message.
      progress(0.7, 'quarantine');
      const byReason = log.quarantineCounts();
      const quarantined = QUARANTINE_REASONS.reduce((sum, r) => sum + byReason[r], 0);
      const quarantineFile = file('quarantine.jsonl');
      let qFirst: number | null = null;
      let qLast: number | null = null;
      const PAGE = 2048;
      for (let offset = 0; ; offset += PAGE) {
        const page = log.quarantined(PAGE, offset);
        for (const q of page) {
          quarantineFile.write(jsonLine(quarantineLine(q)));
          if (qFirst === null || q.atUs < qFirst) qFirst = q.atUs;
          if (qLast === null || q.atUs > qLast) qLast = q.atUs;
        }
        if (page.length < PAGE) break;
      }
      quarantineFile.close();

      const described = (name: AuditFileName): { name: AuditFileName; bytes: number; sha256: string } => {
        if (name === 'events.db') return { name, ...snapshotFile };
        const f = staged.get(name)!;
        return { name, bytes: f.bytes, sha256: f.sha256 };
      };
      manifest = {
        format: AUDIT_FORMAT,
        pitwall: pitwallVersion(),
        source: { db: resolve(db), bytes: sourceBytes },
        log: {
          schemaVersion: EVENT_LOG_SCHEMA_VERSION,
          entries: n,
          firstSeq,
          lastSeq,
          firstAtUs,
          lastAtUs,
          bySource: sortedRecord(bySource),
          board,
          actions: sortedRecord(actions),
          undecodable,
        },
        quarantine: { messages: quarantined, firstAtUs: qFirst, lastAtUs: qLast, byReason },
        eventSetup: s === null ? null : { seq: s.seq, atUs: s.atUs, name: String((s.setup as { name?: unknown }).name), later: laterSetups },
        files: AUDIT_FILES.filter((f) => f !== 'MANIFEST.json').map(described),
      };
    } finally {
      log.close();
      for (const f of staged.values()) if (f.sha256 === '') f.close();
    }
    rmSync(work, { force: true });

    // 4. The archive, written beside `out` and moved into place whole.
    const entries: TarEntry[] = AUDIT_FILES.map((name) =>
      name === 'MANIFEST.json' ? { name, data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8') } : { name, path: join(stage, name) },
    );
    const contentBytes = tarContentBytes(entries);
    let written = 0;
    progress(0.75, 'writing the bundle');
    const partial = join(stage, 'bundle.tar.gz');
    await writeTarGz(partial, entries, (b) => {
      written += b;
      progress(0.75 + 0.24 * (written / Math.max(1, contentBytes)), 'writing the bundle');
    });
    place(partial, out, force);
    return { out, bytes: statSync(out).size, manifest };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** An event set-up as logged (the action's `setup`, as race control entered it). */
interface LoggedSetup {
  seq: number;
  atUs: number;
  setup: unknown;
}

function validSetup(setup: unknown): boolean {
  try {
    validateSetup(setup);
    return true;
  } catch {
    return false;
  }
}

/** Moves the finished bundle to `out`: never over an existing file unless `force`. */
function place(partial: string, out: string, force: boolean): void {
  if (force) {
    renameSync(partial, out);
    return;
  }
  try {
    // A link fails if `out` appeared meanwhile: nothing is ever replaced without --force.
    linkSync(partial, out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new AuditError(`${out} exists; use --force to replace it`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    // A file system without hard links.
    if (existsSync(out)) throw new AuditError(`${out} exists; use --force to replace it`);
    renameSync(partial, out);
    return;
  }
  unlinkSync(partial);
}
