// Board lifecycle: BoardsState from log entries (births, deaths, boots, gaps, health,
// clock offsets), BoardKeeper asking real firmware (memory boards, no broker) to
// re-send what a lossy network dropped and to answer time checks, and the snapshot
// rebuilt from the log alone equal to the live one — also for a simulated race with
// a reboot, a partition and a broker outage.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BoardKeeper, BoardsState, SeqRanges, type BoardKeeperOptions } from '../../gateway/boards.js';
import { eventSetupFor } from '../../gateway/commands/sim-race-control.js';
import { EventLog } from '../../gateway/event-log.js';
import { tinySetup } from '../support/tiny-setup.js';
import type { EventSetupInput } from '../../gateway/event-setup.js';
import { Ingest } from '../../gateway/ingest.js';
import type { Action, BoardEntry, LogEntry } from '../../gateway/log-entry.js';
import { decode, encode } from '../../protocol/codec.js';
import type { BoardEvent } from '../../protocol/schema.js';
import { boardTopic, parseTopic } from '../../protocol/topics.js';
import { MemoryBoard } from '../../sim-hardware/memory-board.js';
import type { BoardMessage } from '../../sim-hardware/sim-board.js';
import { runSimulation } from '../../sim-hardware/simulation.js';
import { Rng } from '../support/cbor-mutate.js';
import { randomScenario, writeScenario } from '../support/random-scenario.js';

const SITE = 'sim';
const T0 = 1_776_540_600_000_000;

// ------------------------------------------------------------------ hand-made entries

let nextSeq = 1;
const boardEntry = (board: string, channel: BoardEntry['channel'], payload: Uint8Array, atUs: number): BoardEntry => ({
  seq: nextSeq++,
  atUs,
  source: 'board',
  topic: boardTopic(SITE, board, channel),
  board,
  channel,
  payload,
});
const birthOf = (board: string, boot: number, seq: number, atUs: number, configHash = 0) =>
  boardEntry(board, 'birth', encode('birth', { board, boot, kind: 'loop', firmware: '0.1.0', configHash, capacities: { outbox: 512 }, timeUs: atUs, seq }), atUs);
const passing: BoardEvent = { kind: 'passing', loop: 1, transponder: 1001, timeUs: T0, strength: 200, hits: 12, flags: 0 };
const envOf = (board: string, boot: number, seq: number, atUs: number, events: BoardEvent[] = [passing]) => boardEntry(board, 'evt', encode('envelope', { board, boot, seq, events }), atUs);
const deathOf = (board: string, boot: number, atUs: number) => boardEntry(board, 'death', encode('death', { board, boot }), atUs);
const act = (action: Action, atUs: number, source: 'race-control' | 'gateway' = 'gateway'): LogEntry => ({ seq: nextSeq++, atUs, source, action });

const setupWith = (boards: Array<{ id: string; kind: 'loop' | 'box' }>): EventSetupInput => tinySetup('boards test', boards);

function applied(entries: LogEntry[]): BoardsState {
  const s = new BoardsState();
  for (const e of entries) s.apply(e);
  return s;
}

// ------------------------------------------------------------------ state

describe('SeqRanges', () => {
  test('agrees with a plain set over random additions', () => {
    const rng = new Rng(77);
    for (let round = 0; round < 50; round++) {
      const r = new SeqRanges();
      const ref = new Set<number>();
      const span = 5 + rng.int(200);
      for (let i = 0; i < span; i++) {
        const seq = rng.chance(0.6) ? i : rng.int(span);
        expect(r.add(seq)).toBe(!ref.has(seq));
        ref.add(seq);
      }
      expect(r.size).toBe(ref.size);
      expect(r.min).toBe(Math.min(...ref));
      expect(r.max).toBe(Math.max(...ref));
      const missing: number[] = [];
      for (let s = -2; s <= span + 2; s++) {
        expect(r.has(s)).toBe(ref.has(s));
        if (!ref.has(s)) missing.push(s);
      }
      const ranges = r.missing(-2, span + 2);
      expect(ranges.flatMap((g) => Array.from({ length: g.to - g.from + 1 }, (_, i) => g.from + i))).toEqual(missing);
      // Ranges are maximal: none touches the next.
      ranges.forEach((g, i) => i > 0 && expect(g.from).toBeGreaterThan(ranges[i - 1]!.to + 1));
    }
  });
});

describe('BoardsState', () => {
  test('lifecycle: setup, birth, envelopes, health, death, reconnect, reboot', () => {
    const s = new BoardsState();
    s.apply(act({ action: 'event-setup', setup: setupWith([{ id: 'loop-sf', kind: 'loop' }, { id: 'box-01', kind: 'box' }]) }, T0, 'race-control'));
    expect(s.snapshot().map((b) => [b.board, b.kind, b.inSetup, b.online])).toEqual([
      ['box-01', 'box', true, false],
      ['loop-sf', 'loop', true, false],
    ]);

    s.apply(birthOf('loop-sf', 7, 0, T0 + 1, 0xabcd));
    s.apply(envOf('loop-sf', 7, 0, T0 + 2));
    const health: BoardEvent = { kind: 'health', timeUs: T0 + 3, uptimeS: 3, outboxDepth: 2, counters: { 2: 4, 7: 1, 99: 5 } };
    s.apply(envOf('loop-sf', 7, 1, T0 + 3, [health, passing]));
    let b = s.board('loop-sf')!;
    expect(b).toMatchObject({ online: true, boot: 7, firmware: '0.1.0', configHash: 0xabcd, capacities: { outbox: 512 }, lastBirthUs: T0 + 1, lastSeenUs: T0 + 3, lastSeq: 1 });
    expect(b).toMatchObject({ births: 1, envelopes: 2, events: 3, deaths: 0 });
    expect(b.health).toEqual({ atUs: T0 + 3, timeUs: T0 + 3, uptimeS: 3, outboxDepth: 2, counters: { outboxOverwritten: 4, resent: 1, '99': 5 } });
    expect(b.boots).toEqual([{ boot: 7, firstSeq: 0, lastSeq: 1, received: 2, dead: false, gaps: [] }]);

    // The will after a lost link, then a reconnect birth of the same boot.
    s.apply(deathOf('loop-sf', 7, T0 + 4));
    expect(s.board('loop-sf')).toMatchObject({ online: false, boot: 7, deaths: 1 });
    s.apply(birthOf('loop-sf', 7, 2, T0 + 5));
    expect(s.board('loop-sf')).toMatchObject({ online: true, boot: 7, births: 2 });

    // A reboot: the death of boot 7 then boot 8's birth; a late retained death of 7 changes nothing.
    s.apply(deathOf('loop-sf', 7, T0 + 6));
    s.apply(birthOf('loop-sf', 8, 0, T0 + 7, 0x1234));
    s.apply(deathOf('loop-sf', 7, T0 + 8));
    b = s.board('loop-sf')!;
    expect(b).toMatchObject({ online: true, boot: 8, configHash: 0x1234, lastSeq: null, deaths: 3 });
    expect(b.boots.map((x) => [x.boot, x.dead])).toEqual([
      [7, true],
      [8, false],
    ]);
    // A late birth of the older boot does not take over either.
    s.apply(birthOf('loop-sf', 7, 2, T0 + 9, 0x9999));
    expect(s.board('loop-sf')).toMatchObject({ boot: 8, configHash: 0x1234, online: true });
  });

  test('a boot with no birth: its envelopes make it current, and a retained death alone never does', () => {
    const s = new BoardsState();
    s.apply(deathOf('box-01', 3, T0)); // retained, from before the gateway started
    expect(s.board('box-01')).toMatchObject({ online: false, boot: 3 });
    s.apply(envOf('box-01', 4, 12, T0 + 1));
    expect(s.board('box-01')).toMatchObject({ online: true, boot: 4, lastSeq: 12 });
    s.apply(deathOf('box-01', 2, T0 + 2));
    expect(s.board('box-01')).toMatchObject({ online: true, boot: 4 });
    expect(s.board('box-01')!.boots.map((x) => x.boot)).toEqual([3, 4, 2]);
  });

  test('gaps: missing numbers inside a boot, after a birth that says more were sent, before the first seen', () => {
    const s = new BoardsState();
    s.apply(birthOf('loop-sf', 1, 0, T0));
    for (const [seq, at] of [[0, 1], [1, 2], [2, 3], [5, 4], [6, 5]] as const) s.apply(envOf('loop-sf', 1, seq, T0 + at));
    expect(s.board('loop-sf')!.boots[0]!.gaps).toEqual([{ from: 3, to: 4, sinceUs: T0 + 4, resends: 0, lastResendUs: null }]);
    // A reconnect birth: the next envelope is 10, so 7..9 were sent.
    s.apply(birthOf('loop-sf', 1, 10, T0 + 6));
    expect(s.board('loop-sf')!.boots[0]!.gaps.map((g) => [g.from, g.to, g.sinceUs])).toEqual([
      [3, 4, T0 + 4],
      [7, 9, T0 + 6],
    ]);
    s.apply(act({ action: 'resend', board: 'loop-sf', boot: 1, fromSeq: 3, command: 4 }, T0 + 7));
    s.apply(envOf('loop-sf', 1, 3, T0 + 8));
    s.apply(envOf('loop-sf', 1, 8, T0 + 9));
    expect(s.board('loop-sf')!.boots[0]!.gaps).toEqual([
      { from: 4, to: 4, sinceUs: T0 + 4, resends: 1, lastResendUs: T0 + 7 },
      { from: 7, to: 7, sinceUs: T0 + 6, resends: 1, lastResendUs: T0 + 7 },
      { from: 9, to: 9, sinceUs: T0 + 6, resends: 1, lastResendUs: T0 + 7 },
    ]);
    for (const seq of [4, 7, 9]) s.apply(envOf('loop-sf', 1, seq, T0 + 10));
    expect(s.board('loop-sf')!.boots[0]!.gaps).toEqual([]);
    // A new gap after the resend is not covered by it.
    s.apply(envOf('loop-sf', 1, 12, T0 + 11));
    expect(s.board('loop-sf')!.boots[0]!.gaps).toEqual([{ from: 10, to: 11, sinceUs: T0 + 11, resends: 0, lastResendUs: null }]);
    expect(s.nextCommandId()).toBe(5);

    // No birth: the first seen is the start; an older one arriving later reveals the numbers between.
    s.apply(envOf('box-01', 9, 20, T0 + 12));
    expect(s.board('box-01')!.boots[0]!.gaps).toEqual([]);
    s.apply(envOf('box-01', 9, 17, T0 + 13));
    expect(s.board('box-01')!.boots[0]).toMatchObject({ firstSeq: 17, lastSeq: 20, gaps: [{ from: 18, to: 19, sinceUs: T0 + 13 }] });
  });

  test('clock offset: the board time of the reply minus the midpoint of sent and received', () => {
    const s = new BoardsState();
    s.apply(birthOf('loop-sf', 1, 0, T0));
    s.apply(act({ action: 'time-check', board: 'loop-sf', command: 5, sentUs: T0 + 1_000 }, T0 + 1_000));
    const reply = (command: number, echoUs: number, timeUs: number): BoardEvent => ({ kind: 'clock-reply', timeUs, command, echoUs });
    // Sent at +1000, received at +3000 (midpoint +2000), the board said +10000: it is 8000 µs ahead.
    s.apply(envOf('loop-sf', 1, 0, T0 + 3_000, [reply(5, T0 + 1_000, T0 + 10_000)]));
    expect(s.board('loop-sf')!.clock).toEqual({ offsetUs: 8_000, roundTripUs: 2_000, command: 5, atUs: T0 + 3_000 });
    expect(s.board('loop-sf')!.lastTimeCheckUs).toBe(T0 + 1_000);

    // A board behind the gateway, with an odd round trip.
    s.apply(act({ action: 'time-check', board: 'loop-sf', command: 6, sentUs: T0 + 20_000 }, T0 + 20_000));
    s.apply(envOf('loop-sf', 1, 1, T0 + 20_005, [reply(6, T0 + 20_000, T0 + 19_000)]));
    expect(s.board('loop-sf')!.clock).toEqual({ offsetUs: -1_002.5, roundTripUs: 5, command: 6, atUs: T0 + 20_005 });

    // Not ours: an unknown command, a wrong echo, another board's check, a second reply.
    s.apply(act({ action: 'time-check', board: 'box-01', command: 7, sentUs: T0 + 30_000 }, T0 + 30_000));
    s.apply(act({ action: 'time-check', board: 'loop-sf', command: 8, sentUs: T0 + 30_000 }, T0 + 30_000));
    s.apply(envOf('loop-sf', 1, 2, T0 + 31_000, [reply(99, T0 + 30_000, T0), reply(8, T0 + 29_999, T0), reply(7, T0 + 30_000, T0), reply(6, T0 + 20_000, T0)]));
    expect(s.board('loop-sf')!.clock!.command).toBe(6);
    expect(s.nextCommandId()).toBe(9);
  });

  test('the snapshot is a pure function of the entries', () => {
    nextSeq = 1;
    const entries = [
      act({ action: 'event-setup', setup: setupWith([{ id: 'loop-sf', kind: 'loop' }]) }, T0, 'race-control'),
      birthOf('loop-sf', 1, 0, T0 + 1),
      envOf('loop-sf', 1, 0, T0 + 2),
      envOf('loop-sf', 1, 3, T0 + 3),
      act({ action: 'resend', board: 'loop-sf', boot: 1, fromSeq: 1, command: 1 }, T0 + 4),
      deathOf('loop-sf', 1, T0 + 5),
    ];
    // A log entry ingest would never have written: the state refuses it by name.
    expect(() => new BoardsState().apply(boardEntry('loop-sf', 'evt', new Uint8Array([0xa0]), T0))).toThrow(/^log entry \d+: the evt of board loop-sf does not decode \(missing-field at v/);
    const q = new Map([['loop-sf', 2], ['ghost', 1]]);
    expect(applied(entries).snapshot(q)).toEqual(applied(entries).snapshot(q));
    expect(applied(entries).snapshot(q).map((b) => [b.board, b.quarantined, b.inSetup])).toEqual([
      ['ghost', 1, false],
      ['loop-sf', 2, true],
    ]);
  });
});

// ------------------------------------------------------------------ keeper with real firmware

/** Gateway, log, state and keeper over memory boards on a network that can lose messages. */
class Rig {
  /** Gateway clock, µs. */
  now = T0;
  /** The boards' clocks run this far ahead of the gateway's. */
  readonly boardAheadUs = 2_500_123;
  readonly log = EventLog.open(':memory:');
  readonly state = new BoardsState();
  readonly ingest = new Ingest(this.log, SITE, (e) => this.state.apply(e));
  readonly boards = new Map<string, MemoryBoard>();
  readonly commands: Array<{ topic: string; bytes: Uint8Array }> = [];
  /** Return true to lose a message on its way to the gateway. */
  lose: (m: BoardMessage) => boolean = () => false;
  /** Return true to lose a command on its way to the board. */
  loseCommand: (board: string) => boolean = () => false;
  readonly keeper: BoardKeeper;

  constructor(keeper: Partial<BoardKeeperOptions> = {}) {
    this.keeper = new BoardKeeper({
      site: SITE,
      state: this.state,
      clock: () => this.now,
      publish: (topic, bytes) => {
        this.commands.push({ topic, bytes });
        const board = parseTopic(topic).board!;
        if (!this.loseCommand(board)) this.boards.get(board)!.command(bytes);
      },
      logAction: (a) => this.ingest.action('gateway', a, this.now),
      ...keeper,
    });
  }

  add(id: string, kind: 'loop' | 'box', boot: number): MemoryBoard {
    const b = new MemoryBoard({ kind, id, boot, startClockUs: BigInt(this.now + this.boardAheadUs), deliver: (m) => this.deliver(m) });
    this.boards.set(id, b);
    return b;
  }

  /** Stops a board (its death goes out) and takes it off the rig. */
  async stop(id: string): Promise<void> {
    await this.boards.get(id)!.stop();
    this.boards.delete(id);
  }

  deliver(m: BoardMessage): void {
    if (!this.lose(m)) this.ingest.message(boardTopic(SITE, m.board, m.channel), m.bytes, this.now);
  }

  /** Lets gateway and board time pass in 10 ms steps; the keeper polls every step. */
  advance(us: number): void {
    const end = this.now + us;
    while (this.now < end) {
      this.now = Math.min(end, this.now + 10_000);
      for (const b of this.boards.values()) {
        b.clock(BigInt(this.now + this.boardAheadUs));
        b.tick();
      }
      this.keeper.poll();
    }
  }

  actions(kind: Action['action']): Array<{ atUs: number; action: Action }> {
    return [...this.log.entries()].flatMap((e) => (e.source !== 'board' && e.action.action === kind ? [{ atUs: e.atUs, action: e.action }] : []));
  }

  close(): void {
    this.log.close();
  }
}

const rigs: Rig[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const rig = (opts?: Partial<BoardKeeperOptions>): Rig => {
  const r = new Rig(opts);
  rigs.push(r);
  return r;
};
const seqOf = (m: BoardMessage): number | undefined => (m.channel === 'evt' ? decode('envelope', m.bytes).seq : undefined);

describe('BoardKeeper', () => {
  test('a lost envelope: one resend per gap, and the gap closes when the re-sent envelopes arrive', () => {
    const r = rig({ timeCheckEveryUs: 1e12 });
    // Envelopes 3 and 4 are lost the first time they are sent and once more (the first resend's copies).
    const lost = new Map([
      [3, 2],
      [4, 2],
    ]);
    r.lose = (m) => {
      const seq = seqOf(m);
      const left = seq === undefined ? 0 : (lost.get(seq) ?? 0);
      if (left > 0) lost.set(seq!, left - 1);
      return left > 0;
    };
    r.add('loop-sf', 'loop', 11);
    // Envelope 0 answers the first time check (command 1); health k goes out at k s.
    r.advance(6_000_000);
    let b = r.state.board('loop-sf')!;
    expect(b.boots[0]!.gaps).toEqual([{ from: 3, to: 4, sinceUs: T0 + 5_000_000, resends: 1, lastResendUs: T0 + 6_000_000 }]);
    // Asked once, after the 1 s grace.
    let resends = r.actions('resend');
    expect(resends).toEqual([{ atUs: T0 + 6_000_000, action: { action: 'resend', board: 'loop-sf', boot: 11, fromSeq: 3, command: 2 } }]);
    // Not asked again while the retry time runs, however often the keeper polls.
    r.advance(9_000_000);
    expect(r.actions('resend')).toHaveLength(1);
    r.advance(1_000_000);
    resends = r.actions('resend');
    expect(resends).toHaveLength(2);
    expect(resends[1]!.atUs).toBe(T0 + 16_000_000);
    b = r.state.board('loop-sf')!;
    expect(b.boots[0]!.gaps).toEqual([]);
    expect(b.boots[0]!.received).toBe(b.lastSeq! + 1);
    // The copies of envelopes already logged went to the quarantine, not into the log twice.
    expect(r.ingest.counts().duplicate).toBeGreaterThan(0);
    const logged = [...r.log.entries()].flatMap((e) => (e.source === 'board' && e.channel === 'evt' ? [decode('envelope', e.payload).seq] : []));
    expect(new Set(logged).size).toBe(logged.length);
    // The commands on the wire are the logged ones.
    const sent = r.commands.map((c) => decode('command', c.bytes)).filter((c) => c.body.kind === 'resend');
    expect(sent).toEqual([
      { board: 'loop-sf', id: 2, body: { kind: 'resend', fromSeq: 3 } },
      { board: 'loop-sf', id: 3, body: { kind: 'resend', fromSeq: 3 } },
    ]);
  });

  test('gives up after maxResends when a gap never closes; offline boards are not asked', async () => {
    const r = rig({ timeCheckEveryUs: 1e12, resendRetryUs: 2_000_000, maxResends: 3 });
    r.lose = (m) => seqOf(m) === 2;
    r.add('loop-sf', 'loop', 5);
    r.advance(30_000_000);
    expect(r.actions('resend').map((a) => a.atUs)).toEqual([T0 + 4_000_000, T0 + 6_000_000, T0 + 8_000_000]);
    expect(r.state.board('loop-sf')!.boots[0]!.gaps).toMatchObject([{ from: 2, to: 2, resends: 3 }]);

    const r2 = rig({ timeCheckEveryUs: 1e12 });
    r2.lose = (m) => seqOf(m) === 1;
    r2.add('loop-sf', 'loop', 6);
    r2.advance(2_500_000);
    await r2.stop('loop-sf'); // its death: offline
    r2.advance(5_000_000);
    expect(r2.state.board('loop-sf')).toMatchObject({ online: false });
    expect(r2.actions('resend')).toEqual([]);
  });

  test('a reconnecting board re-sends by itself: no resend is asked', () => {
    const r = rig({ timeCheckEveryUs: 1e12 });
    const b = r.add('box-01', 'box', 21);
    r.advance(2_000_000);
    b.link(false);
    r.advance(4_000_000);
    b.link(true);
    r.advance(3_000_000);
    const s = r.state.board('box-01')!;
    expect(s.births).toBe(2);
    expect(s.boots[0]!.gaps).toEqual([]);
    expect(r.actions('resend')).toEqual([]);
    expect(r.ingest.quarantined).toBe(0);
  });

  test('time checks every 10 s of gateway clock to every online board; the offset is the boards\' lead', () => {
    const r = rig();
    r.add('loop-sf', 'loop', 1);
    r.add('box-01', 'box', 2);
    r.advance(35_000_000);
    const checks = r.actions('time-check');
    // At the first poll, then every 10 s, per board.
    expect(checks.map((c) => [c.atUs - T0, (c.action as { board: string }).board])).toEqual([
      [10_000, 'box-01'],
      [10_000, 'loop-sf'],
      [10_010_000, 'box-01'],
      [10_010_000, 'loop-sf'],
      [20_010_000, 'box-01'],
      [20_010_000, 'loop-sf'],
      [30_010_000, 'box-01'],
      [30_010_000, 'loop-sf'],
    ]);
    for (const c of checks) expect(c.action).toMatchObject({ sentUs: c.atUs });
    expect(checks.map((c) => (c.action as { command: number }).command)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const id of ['loop-sf', 'box-01']) {
      const s = r.state.board(id)!;
      // The board answers at once: no round trip, the offset is exactly how far ahead its clock runs.
      expect(s.clock).toMatchObject({ offsetUs: r.boardAheadUs, roundTripUs: 0, atUs: T0 + 30_010_000 });
      expect(s.lastTimeCheckUs).toBe(T0 + 30_010_000);
    }
    const cmd = decode('command', r.commands[0]!.bytes);
    expect(r.commands[0]!.topic).toBe('pitwall/v1/sim/box-01/cmd');
    expect(cmd).toEqual({ board: 'box-01', id: 1, body: { kind: 'time-check', sentUs: T0 + 10_000 } });
  });

  test('logAction must log and apply: a keeper wired wrong fails loudly', () => {
    const state = new BoardsState();
    state.apply(birthOf('loop-sf', 1, 0, T0));
    const keeper = new BoardKeeper({ site: SITE, state, clock: () => T0, publish: () => {}, logAction: () => {} });
    expect(() => keeper.poll()).toThrow(/logAction must log the action and apply it to the BoardsState/);
    expect(() => new BoardKeeper({ site: SITE, state, clock: () => T0, publish: () => {}, logAction: () => {}, gapGraceUs: -1 })).toThrow(/gapGraceUs must be a number ≥ 0/);
  });
});

// ------------------------------------------------------------------ replay

describe('replaying the log', () => {
  test('gives the live snapshot: losses, resends, time checks, a partition, a reboot, a quarantined message', async () => {
    const r = rig({ resendRetryUs: 3_000_000 });
    r.ingest.action('race-control', { action: 'event-setup', setup: setupWith([{ id: 'loop-sf', kind: 'loop' }, { id: 'box-01', kind: 'box' }]) }, r.now);
    let n = 0;
    r.lose = (m) => m.channel === 'evt' && ++n % 7 === 0 && n < 60;
    const loop = r.add('loop-sf', 'loop', 100);
    const box = r.add('box-01', 'box', 200);
    r.advance(12_000_000);
    loop.link(false);
    r.advance(3_000_000);
    loop.link(true);
    await box.reboot(201);
    r.ingest.message(boardTopic(SITE, 'box-01', 'evt'), new Uint8Array([0xa1]), r.now);
    r.advance(25_000_000);
    await r.stop('loop-sf');
    r.advance(1_000_000);

    const live = r.state.snapshot(r.ingest.quarantinedByBoard());
    expect(r.actions('resend').length).toBeGreaterThan(0);
    // The bad message and the copies re-sent envelopes brought of what had arrived already.
    const quarantined = r.log.quarantined(1000).filter((q) => q.board === 'box-01');
    expect(quarantined.map((q) => q.reason)).toContain('malformed');
    expect(live.find((b) => b.board === 'box-01')).toMatchObject({ online: true, boot: 201, quarantined: quarantined.length });
    expect(live.find((b) => b.board === 'loop-sf')).toMatchObject({ online: false, boot: 100 });
    for (const b of live) for (const boot of b.boots) expect(boot.gaps, `${b.board} boot ${boot.boot}`).toEqual([]);

    const replayed = applied([...r.log.entries()]);
    expect(replayed.snapshot(r.log.quarantineCountsByBoard())).toEqual(live);
    expect(replayed.nextCommandId()).toBe(r.state.nextCommandId());
  });

  test('gives the live snapshot for a simulated race with board faults, from a reopened file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-boards-'));
    dirs.push(dir);
    const file = writeScenario(dir, randomScenario(4242, { laps: 12, trucks: 6, boardFaults: true }));
    const race = await runSimulation({ scenarioFile: file });
    const path = join(dir, 'event.db');
    const log = EventLog.open(path);
    const live = new BoardsState();
    const ingest = new Ingest(log, SITE, (e) => live.apply(e));
    ingest.action('race-control', { action: 'event-setup', setup: eventSetupFor(race.scenario, race.track) }, T0);
    race.messages.forEach((m, i) => ingest.message(boardTopic(SITE, m.board, m.channel), m.bytes, T0 + 1 + i));
    const snapshot = live.snapshot(ingest.quarantinedByBoard());
    log.close();

    const reboot = race.scenario.faults.find((f) => f.kind === 'board-reboot') as { board: string } | undefined;
    expect(reboot).toBeDefined();
    expect(snapshot.find((b) => b.board === reboot!.board)!.boots.length).toBe(2);
    expect(snapshot.map((b) => b.board)).toEqual(race.track.boards.map((b) => b.id).sort());
    for (const b of snapshot) expect(b).toMatchObject({ inSetup: true, online: false });

    const reopened = EventLog.open(path);
    try {
      expect(applied([...reopened.entries()]).snapshot(reopened.quarantineCountsByBoard())).toEqual(snapshot);
    } finally {
      reopened.close();
    }
  });
});
