// Ingest: every refusal reason with a clear detail, counted and quarantined with the
// raw bytes; the log written before anything acts; duplicates known again after a
// restart; and a seeded fuzz — thousands of hostile messages interleaved with a real
// race's board traffic (real firmware, memory boards) — where every bad one is
// quarantined with the reason expected and every good one is logged, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as cborgEncode } from 'cborg';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { eventSetupFor } from '../../gateway/commands/sim-race-control.js';
import { EventLog, QUARANTINE_REASONS, type QuarantineReason } from '../../gateway/event-log.js';
import { SetupError, type EventSetupInput } from '../../gateway/event-setup.js';
import { tinySetup } from '../support/tiny-setup.js';
import { ActionError, Ingest } from '../../gateway/ingest.js';
import type { LogEntry } from '../../gateway/log-entry.js';
import { encode, tryDecode } from '../../protocol/codec.js';
import { repoPath } from '../../protocol/repo-root.js';
import { MAX_MESSAGE_BYTES } from '../../protocol/schema.js';
import { boardTopic, CHANNEL_MESSAGE, controlStateTopic, liveTopic } from '../../protocol/topics.js';
import type { BoardMessage } from '../../sim-hardware/sim-board.js';
import { runSimulation, type SimulationResult } from '../../sim-hardware/simulation.js';
import { mutateBytes, mutateTree, parse, randomBytes, Rng } from '../support/cbor-mutate.js';

const SITE = 'sim';
const T0 = 1_776_540_600_000_000;

const topic = (board: string, channel: 'birth' | 'evt' | 'death' | 'cmd') => boardTopic(SITE, board, channel);
const birth = (board: string, boot: number, seq: number, timeUs = T0) =>
  encode('birth', { board, boot, kind: 'loop', firmware: '0.1.0', configHash: 0, capacities: { outbox: 512 }, timeUs, seq });
const envelope = (board: string, boot: number, seq: number, timeUs = T0 + seq) =>
  encode('envelope', { board, boot, seq, events: [{ kind: 'passing', loop: 1, transponder: 1001, timeUs, strength: 200, hits: 12, flags: 0 }] });
const death = (board: string, boot: number) => encode('death', { board, boot });

/** The smallest valid setup naming these (loop) boards. */
const setupWith = (boards: string[]): EventSetupInput => tinySetup('ingest test', boards.map((id) => ({ id, kind: 'loop' as const })));

/**
 * An entry as the log holds it, payload as hex: cbor-x leaves a cached DataView on arrays
 * it decoded, which toEqual would see, and the decoded value handed along is never stored.
 */
const plain = (e: LogEntry) => {
  if (e.source !== 'board') return e;
  const { value: _value, ...rest } = e;
  return { ...rest, payload: Buffer.from(e.payload).toString('hex') };
};

const logs: EventLog[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const l of logs.splice(0)) l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function harness(path = ':memory:') {
  const log = EventLog.open(path);
  logs.push(log);
  const handed: LogEntry[] = [];
  const ingest = new Ingest(log, SITE, (e) => handed.push(e));
  return { log, ingest, handed };
}

/** Feeds one message that must be refused; returns the quarantine row. */
function refused(h: ReturnType<typeof harness>, t: string, payload: Uint8Array, reason: QuarantineReason, retained = false) {
  const before = h.log.count();
  expect(h.ingest.message(t, payload, T0, { retained })).toBe('quarantined');
  expect(h.log.count()).toBe(before);
  const rows = h.log.quarantined(1, h.ingest.quarantined - 1);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.reason).toBe(reason);
  expect(rows[0]!.payload).toEqual(new Uint8Array(payload));
  expect(rows[0]!.topic).toBe(t);
  return rows[0]!;
}

describe('Ingest: rejection reasons', () => {
  test('bad-topic: not pitwall, another site, not a channel boards publish on', () => {
    const h = harness();
    const p = envelope('loop-sf', 1, 0);
    const cases: Array<[string, RegExp]> = [
      ['sensors/loop-sf/evt', /^not a pitwall topic: not a pitwall topic/],
      ['pitwall/v2/sim/loop-sf/evt', /unsupported topic version "v2"/],
      ['pitwall/v1/sim/+/evt', /wildcards belong in filters/],
      ['pitwall/v1/sim/Loop_SF/evt', /bad board id "Loop_SF"/],
      ['pitwall/v1/sim/loop-sf/status', /expected birth\|death\|evt\|cmd after the board id/],
      [boardTopic('other-site', 'loop-sf', 'evt'), /^site 'other-site' is not this gateway's site 'sim'$/],
      [topic('loop-sf', 'cmd'), /^channel 'cmd' is not one boards publish on \(birth, evt, death\)$/],
      [controlStateTopic(SITE), /^a control topic, not a board's$/],
      [liveTopic(SITE, 'order'), /^a live topic, not a board's$/],
    ];
    for (const [t, detail] of cases) {
      const row = refused(h, t, p, 'bad-topic');
      expect(row.detail, t).toMatch(detail);
      expect(row.board).toBeUndefined();
    }
    expect(h.ingest.counts()['bad-topic']).toBe(cases.length);
    expect(h.handed).toEqual([]);
  });

  test('oversize: over MAX_MESSAGE_BYTES, checked before decoding', () => {
    const h = harness();
    const row = refused(h, topic('loop-sf', 'evt'), new Uint8Array(MAX_MESSAGE_BYTES + 1).fill(0xa0), 'oversize');
    expect(row.detail).toBe('4097 bytes, over MAX_MESSAGE_BYTES (4096)');
    expect(row.board).toBe('loop-sf');
    // Exactly the limit is a decoding matter, not a size one.
    refused(h, topic('loop-sf', 'evt'), new Uint8Array(MAX_MESSAGE_BYTES).fill(0xa0), 'malformed');
  });

  test("malformed: the decode error's reason, path and byte offset in the detail", () => {
    const h = harness();
    const good = envelope('loop-sf', 1, 0);
    const cut = good.slice(0, good.length - 3);
    const c = tryDecode('envelope', cut);
    expect(!c.ok && c.error.reason).toBe('truncated');
    expect(refused(h, topic('loop-sf', 'evt'), cut, 'malformed').detail).toBe(`envelope does not decode: truncated at (message), byte ${!c.ok && c.error.offset}`);
    // Well-formed CBOR the schema refuses: an envelope with no events.
    const empty = cborgEncode(new Map<number, unknown>([[0, 1], [1, 'loop-sf'], [2, 1], [3, 0], [4, []]]));
    const d = tryDecode('envelope', empty);
    expect(d.ok).toBe(false);
    expect(refused(h, topic('loop-sf', 'evt'), empty, 'malformed').detail).toBe(`envelope does not decode: bad-count at events, byte ${!d.ok && d.error.offset}`);
    // A good birth on the evt channel is not an envelope.
    expect(refused(h, topic('loop-sf', 'evt'), birth('loop-sf', 1, 0), 'malformed').detail).toMatch(/^envelope does not decode: wrong-type at events, byte \d+$/);
    expect(refused(h, topic('loop-sf', 'death'), new Uint8Array(), 'malformed').detail).toBe('death does not decode: truncated at (message), byte 0');
    expect(h.ingest.counts().malformed).toBe(4);
  });

  test('unknown-board: every board before a setup, only its track.boards after', () => {
    const h = harness();
    expect(h.ingest.message(topic('ghost', 'birth'), birth('ghost', 1, 0), T0)).toBe('accepted');
    h.ingest.action('race-control', { action: 'event-setup', setup: setupWith(['loop-sf', 'box-01']) }, T0);
    const row = refused(h, topic('ghost', 'evt'), envelope('ghost', 1, 0), 'unknown-board');
    expect(row.detail).toBe("board 'ghost' is not in the event setup's track.boards");
    expect(row.board).toBe('ghost');
    expect(h.ingest.message(topic('box-01', 'evt'), envelope('box-01', 1, 0), T0)).toBe('accepted');
    // A later setup is the one in force.
    h.ingest.action('race-control', { action: 'event-setup', setup: setupWith(['ghost']) }, T0);
    expect(h.ingest.message(topic('ghost', 'evt'), envelope('ghost', 1, 0), T0)).toBe('accepted');
    refused(h, topic('box-01', 'evt'), envelope('box-01', 1, 1), 'unknown-board');
    expect(h.ingest.quarantinedByBoard()).toEqual(new Map([['ghost', 1], ['box-01', 1]]));
  });

  test('identity-mismatch: the payload names another board than the topic', () => {
    const h = harness();
    const row = refused(h, topic('loop-sf', 'evt'), envelope('loop-pit', 1, 0), 'identity-mismatch');
    expect(row.detail).toBe("the topic names board 'loop-sf', the envelope says 'loop-pit'");
    expect(row.board).toBe('loop-sf');
    refused(h, topic('loop-sf', 'birth'), birth('box-01', 1, 0), 'identity-mismatch');
    refused(h, topic('loop-sf', 'death'), death('box-01', 1), 'identity-mismatch');
  });

  test('duplicate: a re-sent envelope, a repeated birth, a retained death already logged', () => {
    const h = harness();
    const t = topic('loop-sf', 'evt');
    expect(h.ingest.message(topic('loop-sf', 'birth'), birth('loop-sf', 7, 0), T0)).toBe('accepted');
    for (const seq of [0, 1, 2, 5]) expect(h.ingest.message(t, envelope('loop-sf', 7, seq), T0)).toBe('accepted');
    // Re-sent after a resend request: 2 is logged, 3 and 4 fill the gap.
    expect(refused(h, t, envelope('loop-sf', 7, 2), 'duplicate').detail).toBe('envelope boot 7 seq 2 is logged already');
    expect(h.ingest.message(t, envelope('loop-sf', 7, 3), T0)).toBe('accepted');
    expect(h.ingest.message(t, envelope('loop-sf', 7, 4), T0)).toBe('accepted');
    refused(h, t, envelope('loop-sf', 7, 5), 'duplicate');
    // The same seq from another boot is another envelope.
    expect(h.ingest.message(t, envelope('loop-sf', 8, 2), T0)).toBe('accepted');
    // A retained birth redelivered on subscribing.
    expect(refused(h, topic('loop-sf', 'birth'), birth('loop-sf', 7, 0), 'duplicate', true).detail).toBe(`birth boot 7 seq 0 at ${T0} µs is logged already`);
    // A reconnect birth of the same boot is new (later clock, next seq).
    expect(h.ingest.message(topic('loop-sf', 'birth'), birth('loop-sf', 7, 6, T0 + 5_000_000), T0)).toBe('accepted');
    // Deaths: a live will repeated in one boot is a new death; a retained one already logged is not.
    const dt = topic('loop-sf', 'death');
    expect(h.ingest.message(dt, death('loop-sf', 7), T0)).toBe('accepted');
    expect(h.ingest.message(dt, death('loop-sf', 7), T0)).toBe('accepted');
    expect(refused(h, dt, death('loop-sf', 7), 'duplicate', true).detail).toBe('retained death of boot 7 is logged already');
    expect(h.ingest.message(dt, death('loop-sf', 9), T0, { retained: true })).toBe('accepted');
    expect(h.ingest.counts()).toMatchObject({ duplicate: 4 });
  });

  test('an envelope from a boot with no birth is accepted (a birth can be lost)', () => {
    const h = harness();
    expect(h.ingest.message(topic('loop-sf', 'evt'), envelope('loop-sf', 42, 17), T0)).toBe('accepted');
    expect(h.handed).toHaveLength(1);
  });

  test('never throws on hostile input: odd topics and payloads are quarantined', () => {
    const h = harness();
    expect(h.ingest.message(undefined as unknown as string, new Uint8Array([1]), T0)).toBe('quarantined');
    expect(h.ingest.message('', new Uint8Array(), T0)).toBe('quarantined');
    expect(h.ingest.message(topic('loop-sf', 'evt'), 'not bytes' as unknown as Uint8Array, T0)).toBe('quarantined');
    expect(h.log.quarantined().map((q) => q.reason)).toEqual(['bad-topic', 'bad-topic', 'malformed']);
  });
});

describe('Ingest: logging', () => {
  test('accepted messages are in the log before onAccepted sees them, in order', () => {
    const log = EventLog.open(':memory:');
    logs.push(log);
    const calls: number[] = [];
    const ingest = new Ingest(log, SITE, (e) => {
      // The entry handed on is the one the log holds, already written.
      expect(log.lastSeq()).toBe(e.seq);
      expect([...log.entries(e.seq)].map(plain)).toEqual([plain(e)]);
      calls.push(e.seq);
    });
    expect(ingest.message(topic('loop-sf', 'birth'), birth('loop-sf', 1, 0), T0 + 1)).toBe('accepted');
    expect(ingest.message(topic('loop-sf', 'evt'), envelope('loop-sf', 1, 0), T0 + 2)).toBe('accepted');
    ingest.message(topic('loop-sf', 'evt'), envelope('loop-sf', 1, 0), T0 + 3); // duplicate: not handed on
    ingest.action('race-control', { action: 'flag', flag: 'green' }, T0 + 4);
    expect(calls).toEqual([1, 2, 3]);
    const [b, e, a] = [...log.entries()];
    expect(b).toEqual({ seq: 1, atUs: T0 + 1, source: 'board', topic: topic('loop-sf', 'birth'), board: 'loop-sf', channel: 'birth', payload: birth('loop-sf', 1, 0) });
    expect(b!.source === 'board' && b!.payload).toBeInstanceOf(Uint8Array);
    expect(e).toMatchObject({ seq: 2, atUs: T0 + 2, channel: 'evt' });
    expect(a).toEqual({ seq: 3, atUs: T0 + 4, source: 'race-control', action: { action: 'flag', flag: 'green' } });
    expect(ingest.accepted).toBe(2);
  });

  test('actions are validated: event setups by validateSetup, the rest by shape', () => {
    const h = harness();
    const bad = { ...setupWith(['loop-sf']), laps: 0 };
    expect(() => h.ingest.action('race-control', { action: 'event-setup', setup: bad }, T0)).toThrow(SetupError);
    expect(() => h.ingest.action('race-control', { action: 'flag', flag: 'purple' as 'green' }, T0)).toThrow(/action 'flag': flag must be one of green, yellow, red, white, checkered/);
    expect(() => h.ingest.action('gateway', { action: 'resend', board: 'loop-sf', boot: 1, fromSeq: -1, command: 1 }, T0)).toThrow(ActionError);
    expect(() => h.ingest.action('gateway', { action: 'time-check', board: 'Bad Id', command: 1, sentUs: T0 }, T0)).toThrow(/board "Bad Id" is not a board id/);
    expect(() => h.ingest.action('gateway', { action: 'launch' } as never, T0)).toThrow(/action 'launch': unknown action/);
    expect(() => h.ingest.action('board' as 'gateway', { action: 'flag', flag: 'red' }, T0)).toThrow(/from race-control or gateway/);
    expect(h.log.count()).toBe(0);
    expect(h.handed).toEqual([]);
    const e = h.ingest.action('race-control', { action: 'event-setup', setup: setupWith(['loop-sf']) }, T0);
    expect(e.seq).toBe(1);
    expect(h.handed).toEqual([e]);
  });

  test('a restarted ingest knows the setup, the logged messages and the counts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-ingest-'));
    dirs.push(dir);
    const path = join(dir, 'event.db');
    const first = harness(path);
    first.ingest.action('race-control', { action: 'event-setup', setup: setupWith(['loop-sf']) }, T0);
    first.ingest.message(topic('loop-sf', 'birth'), birth('loop-sf', 3, 0), T0);
    first.ingest.message(topic('loop-sf', 'evt'), envelope('loop-sf', 3, 0), T0);
    first.ingest.message(topic('ghost', 'evt'), envelope('ghost', 3, 0), T0);
    first.log.close();

    const again = harness(path);
    expect(again.ingest.accepted).toBe(2);
    expect(again.ingest.counts()['unknown-board']).toBe(1);
    refused(again, topic('loop-sf', 'evt'), envelope('loop-sf', 3, 0), 'duplicate');
    refused(again, topic('loop-sf', 'birth'), birth('loop-sf', 3, 0), 'duplicate');
    refused(again, topic('ghost', 'evt'), envelope('ghost', 3, 1), 'unknown-board');
    expect(again.ingest.message(topic('loop-sf', 'evt'), envelope('loop-sf', 3, 1), T0)).toBe('accepted');
    // What was logged before the restart is not handed on again.
    expect(again.handed.map((e) => e.seq)).toEqual([4]);
  });
});

describe('Ingest: fuzz against a real race', () => {
  let race: SimulationResult;
  beforeAll(async () => {
    race = await runSimulation({ scenarioFile: repoPath('sim-hardware', 'scenarios', 'martinsville-10.json') });
  });

  test('thousands of hostile messages are all quarantined as expected; every good one is logged in order', () => {
    const h = harness();
    const rng = new Rng(0x1d6e57);
    const boards = race.track.boards.map((b) => b.id);
    h.ingest.action('race-control', { action: 'event-setup', setup: eventSetupFor(race.scenario, race.track) }, T0);

    const goods = race.messages;
    const fed: BoardMessage[] = [];
    const acceptedGoods: BoardMessage[] = [];
    const seenKeys = new Set<string>();
    const expected: QuarantineReason[] = [];
    const decodeReasons = new Set<string>();
    let now = T0;

    const keyOf = (m: BoardMessage): string | null => {
      if (m.channel === 'death') return null; // a live death is always new
      if (m.channel === 'birth') return `birth ${Buffer.from(m.bytes).toString('hex')}`;
      const e = tryDecode('envelope', m.bytes);
      return e.ok ? `evt ${e.value.board}/${e.value.boot}/${e.value.seq}` : null;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
    const otherBoard = (b: string): string => {
      const o = pick(boards.filter((x) => x !== b));
      return o;
    };

    /** One hostile message and the reason it must be refused with. */
    const hostile = (): [string, Uint8Array, QuarantineReason] => {
      const src = pick(fed.length > 0 ? fed : goods);
      const type = CHANNEL_MESSAGE[src.channel];
      for (;;) {
        switch (rng.int(8)) {
          case 0:
          case 1: {
            // Byte and tree mutations, kept only when they no longer decode.
            const tree = parse(src.bytes);
            const m = rng.chance(0.5) || !tree ? mutateBytes(rng, src.bytes, pick(goods).bytes) : mutateTree(rng, tree);
            if (m.length > MAX_MESSAGE_BYTES) return [topic(src.board, src.channel), m, 'oversize'];
            const d = tryDecode(type, m);
            if (d.ok) continue;
            decodeReasons.add(d.error.reason);
            return [topic(src.board, src.channel), m, 'malformed'];
          }
          case 2: {
            const m = randomBytes(rng);
            if (tryDecode(type, m).ok) continue;
            return [topic(src.board, src.channel), m, 'malformed'];
          }
          case 3:
            return [topic(otherBoard(src.board), src.channel), src.bytes, 'identity-mismatch'];
          case 4:
            return [topic(`ghost-${rng.int(50)}`, src.channel), src.bytes, 'unknown-board'];
          case 5: {
            const n = MAX_MESSAGE_BYTES + 1 + rng.int(4 * MAX_MESSAGE_BYTES);
            return [topic(src.board, src.channel), Uint8Array.from({ length: n }, () => rng.int(256)), 'oversize'];
          }
          case 6: {
            // A replayed sequence number (or birth) of what is logged already.
            const replay = acceptedGoods.filter((m) => m.channel !== 'death');
            if (replay.length === 0) continue;
            const m = pick(replay.slice(-200));
            return [topic(m.board, m.channel), m.bytes, 'duplicate'];
          }
          default: {
            const topics = [
              boardTopic('elsewhere', src.board, src.channel),
              topic(src.board, 'cmd'),
              controlStateTopic(SITE),
              `pitwall/v1/${SITE}/${src.board}`,
              `pitwall/v1/${SITE}/${src.board}/${src.channel}/extra`,
              String.fromCharCode(...Array.from({ length: 1 + rng.int(30) }, () => 32 + rng.int(95))),
            ];
            return [pick(topics), src.bytes, 'bad-topic'];
          }
        }
      }
    };

    const handedBefore = h.handed.length;
    for (const good of goods) {
      for (let k = rng.int(4); k > 0; k--) {
        const [t, bytes, reason] = hostile();
        now += 1;
        expect(h.ingest.message(t, bytes, now), `${reason} on ${t}`).toBe('quarantined');
        expected.push(reason);
      }
      const key = keyOf(good);
      const fresh = key === null || !seenKeys.has(key);
      now += 1;
      expect(h.ingest.message(topic(good.board, good.channel), good.bytes, now)).toBe(fresh ? 'accepted' : 'quarantined');
      if (fresh) {
        if (key) seenKeys.add(key);
        acceptedGoods.push(good);
      } else expected.push('duplicate');
      fed.push(good);
    }

    expect(expected.length).toBeGreaterThan(4000);
    const rows = h.log.quarantined(expected.length + 1);
    expect(rows.map((r) => r.reason)).toEqual(expected);
    const tally = Object.fromEntries(QUARANTINE_REASONS.map((r) => [r, expected.filter((x) => x === r).length]));
    expect(h.ingest.counts()).toEqual(tally);
    expect(h.log.quarantineCounts()).toEqual(tally);
    for (const r of QUARANTINE_REASONS) expect(tally[r], r).toBeGreaterThan(50);
    // The mutations reached the scan and the schema checks alike.
    expect(decodeReasons.size).toBeGreaterThanOrEqual(8);

    const logged = [...h.log.entries()].filter((e) => e.source === 'board');
    expect(logged).toHaveLength(acceptedGoods.length);
    logged.forEach((e, i) => {
      const g = acceptedGoods[i]!;
      expect(e.source === 'board' && [e.board, e.channel, e.topic]).toEqual([g.board, g.channel, topic(g.board, g.channel)]);
      expect(e.source === 'board' && Buffer.from(e.payload).equals(Buffer.from(g.bytes))).toBe(true);
    });
    expect(h.handed.slice(handedBefore).map(plain)).toEqual(logged.map(plain));
  });
});
