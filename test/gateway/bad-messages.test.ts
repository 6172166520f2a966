// Acceptance: "100,000 bad messages (malformed CBOR, wrong topic identity, unknown
// board, oversize, replayed sequence numbers) sent during a race: all quarantined with
// reasons; results unchanged."
//
// The shipped 10-lap race (board firmware in memory) goes into a Gateway.direct entry by
// entry, and 100,000 seeded bad messages go in between its entries, after the event
// set-up: each must land in the quarantine with the reason ingest gives it and its raw
// bytes, no good message may be lost, the event log must come out entry for entry the
// log of a clean run, and results.json byte for byte the clean run's (R-AUDIT-1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resultsJson } from '../../gateway/results.js';
import { QUARANTINE_REASONS, type QuarantineReason } from '../../gateway/event-log.js';
import type { BoardEntry } from '../../gateway/log-entry.js';
import { replay } from '../../gateway/race-state.js';
import { decode, encode, tryDecode } from '../../protocol/codec.js';
import { MAX_MESSAGE_BYTES } from '../../protocol/schema.js';
import { boardTopic, CHANNEL_MESSAGE } from '../../protocol/topics.js';
import { mutateBytes, randomBytes, Rng } from '../support/cbor-mutate.js';
import { directGateway, entryRow, feedAll, feedEntry, tenLapFeed, type FedGateway, type RaceFeed } from '../support/gateway-feed.js';

const BAD = 100_000;
const SEED = 0xbad5eed;
const SITE = 'sim';
type BadKind = Exclude<QuarantineReason, 'bad-topic'>;
const KINDS: readonly BadKind[] = ['malformed', 'identity-mismatch', 'unknown-board', 'oversize', 'duplicate'];
/** Boards that are not in the event set-up (valid ids all the same). */
const GHOSTS = ['loop-ghost', 'box-99', 'pit-spare', 'loop-sf2'];

interface Bad {
  kind: BadKind;
  topic: string;
  payload: Uint8Array;
}

const dir = mkdtempSync(join(tmpdir(), 'pitwall-bad-'));
let feed: RaceFeed;
let clean: FedGateway;
let dirty: FedGateway;
/** Every bad message, in the order it was sent. */
const sent: Bad[] = [];
let runMs = 0;

/**
 * The bad messages, made as the race goes (a replay needs an envelope already accepted),
 * each handed to the gateway right after it is made, between the race's entries.
 */
function runWithBadMessages(fed: FedGateway, entries: RaceFeed['entries']): void {
  const r = new Rng(SEED);
  const boardEntries = entries.filter((e): e is BoardEntry => e.source === 'board');
  const envelopes = boardEntries.filter((e) => e.channel === 'evt');
  const setupBoards = [...new Set(boardEntries.map((e) => e.board))].sort();

  // Exactly BAD / KINDS.length of each kind, in a seeded order.
  const kinds: BadKind[] = Array.from({ length: BAD }, (_, i) => KINDS[i % KINDS.length]!);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  // Where each goes: before entry `slot`, never before the set-up and the first board message.
  expect(entries[0]!.source === 'race-control' && entries[0]!.action.action === 'event-setup', 'the set-up comes first').toBe(true);
  expect(entries[1]!.source === 'board' && entries[1]!.channel !== 'death', 'then a board message a replay can repeat').toBe(true);
  const perSlot = new Uint32Array(entries.length);
  for (let i = 0; i < BAD; i++) perSlot[2 + r.int(entries.length - 2)]!++;

  const accepted: BoardEntry[] = [];
  const acceptedEnvelopes: BoardEntry[] = [];
  let k = 0;
  const make = (kind: BadKind): Bad => {
    switch (kind) {
      case 'malformed': {
        // A real message of a set-up board with its bytes broken (or plain noise), on its own topic.
        const src = r.pick(boardEntries);
        for (let attempt = 0; attempt < 50; attempt++) {
          const bytes = r.chance(0.85) ? mutateBytes(r, src.payload, r.pick(boardEntries).payload) : randomBytes(r);
          if (bytes.length <= MAX_MESSAGE_BYTES && !tryDecode(CHANNEL_MESSAGE[src.channel], bytes).ok) return { kind, topic: src.topic, payload: bytes };
        }
        return { kind, topic: src.topic, payload: src.payload.subarray(0, src.payload.length - 1) };
      }
      case 'identity-mismatch': {
        // A real envelope re-published on another set-up board's topic.
        const src = r.pick(envelopes);
        const others = setupBoards.filter((b) => b !== src.board);
        return { kind, topic: boardTopic(SITE, r.pick(others), 'evt'), payload: src.payload };
      }
      case 'unknown-board': {
        // A board the set-up does not list: its own well-formed envelope, or a real one on its topic.
        const ghost = r.pick(GHOSTS);
        const src = r.pick(envelopes);
        if (r.chance(0.5)) return { kind, topic: boardTopic(SITE, ghost, 'evt'), payload: src.payload };
        const env = decode('envelope', src.payload);
        return { kind, topic: boardTopic(SITE, ghost, 'evt'), payload: encode('envelope', { ...env, board: ghost }) };
      }
      case 'oversize': {
        // Over MAX_MESSAGE_BYTES: a real envelope padded out, or noise.
        const src = r.pick(envelopes);
        const size = MAX_MESSAGE_BYTES + 1 + r.int(512);
        const bytes = new Uint8Array(size);
        if (r.chance(0.5)) bytes.set(src.payload.subarray(0, Math.min(src.payload.length, size)));
        for (let i = src.payload.length; i < size; i++) bytes[i] = r.int(256);
        return { kind, topic: src.topic, payload: bytes };
      }
      case 'duplicate': {
        // A message already accepted (an envelope, or a birth), sent again byte for byte.
        const src = acceptedEnvelopes.length > 0 && r.chance(0.95) ? r.pick(acceptedEnvelopes) : r.pick(accepted);
        return { kind, topic: src.topic, payload: Uint8Array.from(src.payload) };
      }
    }
  };

  for (const [slot, entry] of entries.entries()) {
    for (let n = 0; n < perSlot[slot]!; n++) {
      const bad = make(kinds[k++]!);
      sent.push(bad);
      fed.time.nowUs = entries[slot - 1]!.atUs;
      fed.gw.receive(bad.topic, bad.payload);
    }
    feedEntry(fed, entry);
    if (entry.source === 'board' && entry.channel !== 'death') accepted.push(entry);
    if (entry.source === 'board' && entry.channel === 'evt') acceptedEnvelopes.push(entry);
  }
  fed.gw.flush();
  expect(k).toBe(BAD);
}

beforeAll(async () => {
  feed = await tenLapFeed();
  clean = await directGateway({ db: join(dir, 'clean.db') });
  feedAll(clean, feed.entries);
  dirty = await directGateway({ db: join(dir, 'dirty.db') });
  const t0 = performance.now();
  runWithBadMessages(dirty, feed.entries);
  runMs = performance.now() - t0;
  console.log(`bad messages: ${feed.entries.length} race entries and ${BAD} bad messages through the gateway in ${(runMs / 1000).toFixed(1)} s`);
}, 120_000);

afterAll(async () => {
  await clean?.gw.stop();
  await dirty?.gw.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('100,000 bad messages during a race (R-AUDIT-1)', () => {
  test('the clean run takes every message of the race and quarantines none', () => {
    const good = feed.entries.filter((e) => e.source === 'board').length;
    expect(clean.gw.ingest.accepted).toBe(good);
    expect(clean.gw.ingest.quarantined).toBe(0);
    // The live gateway (ingest, group commit, then apply) scores as a replay of the same log.
    expect(resultsJson(clean.gw.results())).toBe(resultsJson(replay(feed.entries).results()));
  });

  test('every bad message is quarantined, with the reason of its kind: 20,000 of each', () => {
    const want = Object.fromEntries(QUARANTINE_REASONS.map((q) => [q, 0])) as Record<QuarantineReason, number>;
    for (const b of sent) want[b.kind]++;
    expect(sent).toHaveLength(BAD);
    for (const kind of KINDS) expect(want[kind]).toBe(BAD / KINDS.length);
    expect(dirty.gw.ingest.counts()).toEqual(want);
    expect(dirty.gw.ingest.quarantined).toBe(BAD);
    expect(Object.values(dirty.gw.ingest.counts()).reduce((a, b) => a + b, 0)).toBe(BAD);
  });

  test('the quarantine keeps each one: its topic, board, reason, a detail and the raw bytes, in order', () => {
    const PAGE = 10_000;
    let i = 0;
    const mismatches: string[] = [];
    for (let offset = 0; offset < BAD; offset += PAGE) {
      const rows = dirty.gw.log.quarantined(PAGE, offset);
      expect(rows).toHaveLength(PAGE);
      for (const q of rows) {
        const b = sent[i]!;
        const board = b.topic.split('/')[3];
        const ok = q.reason === b.kind && q.topic === b.topic && q.board === board && q.detail.length > 0 && Buffer.compare(Buffer.from(q.payload), Buffer.from(b.payload)) === 0;
        if (!ok && mismatches.length < 5) mismatches.push(`#${i}: sent ${b.kind} on ${b.topic}, kept ${q.reason} on ${q.topic}: ${q.detail}`);
        i++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(dirty.gw.log.quarantined(10, BAD)).toEqual([]);

    // The details say what was wrong.
    const detailOf = (kind: BadKind): string => dirty.gw.log.quarantined(1, sent.findIndex((b) => b.kind === kind))[0]!.detail;
    expect(detailOf('malformed')).toMatch(/does not decode: .* byte \d+/);
    expect(detailOf('identity-mismatch')).toMatch(/the topic names board '.+', the envelope says '.+'/);
    expect(detailOf('unknown-board')).toMatch(/is not in the event setup's track\.boards/);
    expect(detailOf('oversize')).toMatch(new RegExp(`over MAX_MESSAGE_BYTES \\(${MAX_MESSAGE_BYTES}\\)`));
    expect(detailOf('duplicate')).toMatch(/is logged already/);
  });

  test('gw.quarantine() pages through them with reasons and the bytes as hex', () => {
    const page = dirty.gw.quarantine(3, BAD - 3) as { counts: Record<string, number>; messages: Array<{ id: number; reason: string; topic: string; payload: string }> };
    expect(page.counts).toEqual(dirty.gw.ingest.counts());
    expect(page.messages.map((m) => m.id)).toEqual([BAD - 2, BAD - 1, BAD]);
    page.messages.forEach((m, j) => {
      const b = sent[BAD - 3 + j]!;
      expect([m.reason, m.topic, m.payload]).toEqual([b.kind, b.topic, Buffer.from(b.payload).toString('hex')]);
    });
  });

  test('no good message is lost: the event log is the clean run\u2019s, entry for entry', () => {
    const good = feed.entries.filter((e) => e.source === 'board').length;
    expect(dirty.gw.ingest.accepted).toBe(good);
    const rows = [...dirty.gw.log.entries()].map(entryRow);
    const cleanRows = [...clean.gw.log.entries()].map(entryRow);
    expect(rows.length).toBe(feed.entries.length);
    expect(rows).toEqual(cleanRows);
    expect(rows).toEqual(feed.entries.map(entryRow));
  });

  test('results.json is byte-identical to the clean run\u2019s', () => {
    const results = resultsJson(dirty.gw.results());
    expect(results).toBe(resultsJson(clean.gw.results()));
    expect(JSON.parse(results).classification).toHaveLength(6);
    expect(dirty.gw.state()).toEqual(clean.gw.state());
  });

  test('the boards: the set-up\u2019s 13 as in the clean run, each with its quarantine count; the unknown ones listed by their count', () => {
    type Boards = { boards: Array<{ board: string; inSetup: boolean; quarantined: number }>; quarantine: Record<string, number> };
    const got = dirty.gw.boards() as Boards;
    const want = clean.gw.boards() as Boards;
    const perBoard = new Map<string, number>();
    for (const b of sent) {
      const board = b.topic.split('/')[3]!;
      perBoard.set(board, (perBoard.get(board) ?? 0) + 1);
    }
    const inSetup = got.boards.filter((b) => b.inSetup);
    expect(inSetup).toHaveLength(13);
    expect(inSetup.map((b) => ({ ...b, quarantined: 0 }))).toEqual(want.boards);
    for (const b of got.boards) expect(b.quarantined, b.board).toBe(perBoard.get(b.board) ?? 0);
    expect(got.boards.filter((b) => !b.inSetup).map((b) => b.board)).toEqual([...GHOSTS].sort());
    expect(got.boards.reduce((n, b) => n + b.quarantined, 0)).toBe(BAD);
    expect(got.quarantine).toEqual(dirty.gw.ingest.counts());
  });

});
