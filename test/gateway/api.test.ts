// Race control's HTTP API and the /api/live WebSocket, over real HTTP against a
// Gateway.direct (API on a free port) fed with the shipped 10-lap race: the boards'
// messages as the firmware sent them and race control's set-up, flags and pit road
// calls (test/support/gateway-feed.ts). The last stretch of the race is held back and
// fed while a WebSocket client listens, so the live feed carries it as it is applied.
// The tests run in order: the reads see the whole race, the writes come last.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { eventSetupFor } from '../../gateway/commands/sim-race-control.js';
import { resultsJson } from '../../gateway/results.js';
import { QUARANTINE_REASONS } from '../../gateway/event-log.js';
import type { LiveMessage } from '../../gateway/api.js';
import type { LogEntry } from '../../gateway/log-entry.js';
import { replay } from '../../gateway/race-state.js';
import { resultsCsv } from '../../gateway/results-csv.js';
import { decode } from '../../protocol/codec.js';
import type { Envelope } from '../../protocol/schema.js';
import { boardTopic, controlStateTopic } from '../../protocol/topics.js';
import { directGateway, feedEntry, tenLapFeed, type FedGateway, type RaceFeed } from '../support/gateway-feed.js';

const SITE = 'sim';
let feed: RaceFeed;
let fed: FedGateway;
let base: string;
/** Where the feed is cut: entries before it go in before any client connects. */
let cut: number;
const sockets: WebSocket[] = [];

/** A live-feed client collecting every message. */
class LiveClient {
  readonly messages: LiveMessage[] = [];
  private wake: (() => void) | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as LiveMessage);
      this.wake?.();
    });
  }

  static async open(path = '/api/live'): Promise<LiveClient> {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + path);
    sockets.push(ws);
    const client = new LiveClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Resolves once `done` holds for the messages so far (a hang guard, not a timing check). */
  async until(done: (m: LiveMessage[]) => boolean, what: string): Promise<void> {
    const guard = Date.now() + 20_000;
    while (!done(this.messages)) {
      if (Date.now() > guard) throw new Error(`live feed: still waiting for ${what}; ${this.messages.length} messages so far`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

interface Reply {
  status: number;
  type: string | null;
  text: string;
  json: () => any;
}

async function request(method: string, path: string, body?: string): Promise<Reply> {
  const res = await fetch(base + path, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, json: () => JSON.parse(text) };
}
const get = (path: string) => request('GET', path);
const post = (path: string, value: unknown) => request('POST', path, typeof value === 'string' ? value : JSON.stringify(value));

/** A plain JSON copy, as it comes over the wire. */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** What the live feed says about one log entry, as the gateway applies it. */
function liveOf(e: LogEntry): unknown[] {
  if (e.source !== 'board') return [{ type: 'action', action: e.action, atUs: e.atUs }];
  if (e.channel !== 'evt') return [];
  const env = decode('envelope', e.payload) as Envelope;
  return env.events.filter((ev) => ev.kind !== 'health').map((ev) => wire({ type: 'event', event: { board: env.board, boot: env.boot, seq: env.seq, ...ev } }));
}

/** The race's last entry time plus `s` seconds: race control acts after the race. */
const after = (s: number): number => feed.entries[feed.entries.length - 1]!.atUs + s * 1_000_000;

beforeAll(async () => {
  feed = await tenLapFeed();
  fed = await directGateway({ db: ':memory:', http: 0 });
  base = fed.gw.apiUrl!;
  // Hold back the stretch from 150 entries before race control's last call (the checkered flag, pit road) to the end.
  const lastCall = feed.entries.length - 1 - [...feed.entries].reverse().findIndex((e) => e.source === 'race-control');
  cut = lastCall - 150;
  for (const e of feed.entries.slice(0, cut)) feedEntry(fed, e);
  fed.gw.flush();
});

afterAll(async () => {
  for (const s of sockets) s.terminate();
  await fed?.gw.stop();
});

describe('the HTTP API and the live feed of a gateway scoring the 10-lap race', () => {
  test('/api/live: the state first, then the race as it is applied — board events with board, boot and seq, race control\u2019s calls', async () => {
    const live = await LiveClient.open();
    await live.until((m) => m.length >= 1, 'the state');
    const first = live.messages[0]!;
    expect(first.type).toBe('state');
    expect(first).toEqual(wire({ type: 'state', state: fed.gw.state() }));
    expect((first as { state: { leaderLap: number } }).state.leaderLap).toBeLessThan(10);

    const tail = feed.entries.slice(cut);
    const want = tail.flatMap(liveOf);
    expect(want.filter((m) => (m as LiveMessage).type === 'action').length, 'race control calls in the tail').toBeGreaterThan(0);
    expect(want.filter((m) => (m as LiveMessage).type === 'event').length, 'board events in the tail').toBeGreaterThan(50);
    for (const e of tail) feedEntry(fed, e);
    fed.gw.flush();
    await live.until((m) => m.length >= 1 + want.length, `${want.length} messages`);
    expect(live.messages.slice(1)).toEqual(want);

    // Every event names its board, boot and sequence number, and what it is.
    for (const m of live.messages.slice(1)) {
      if (m.type !== 'event') continue;
      expect(m.event).toMatchObject({ board: expect.any(String), boot: expect.any(Number), seq: expect.any(Number), kind: expect.any(String) });
    }
    const kinds = new Set(live.messages.flatMap((m) => (m.type === 'event' ? [m.event.kind] : [])));
    expect(kinds.has('passing')).toBe(true);
    const calls = live.messages.flatMap((m) => (m.type === 'action' ? [m.action] : []));
    expect(calls).toContainEqual({ action: 'flag', flag: 'checkered' });

    // The state, when pushed, is the state after the race.
    fed.gw.pushState();
    await live.until((m) => m.length >= 2 + want.length, 'the pushed state');
    expect(live.messages.at(-1)).toEqual(wire({ type: 'state', state: fed.gw.state() }));
    live.close();
  });

  test('/api/live only: an upgrade on any other path is refused', async () => {
    await expect(LiveClient.open('/api/state')).rejects.toThrow();
  });

  test('GET /api lists the endpoints; GET / is the race-control page', async () => {
    const r = await get('/api');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    const endpoints = Object.keys(r.json().endpoints);
    for (const e of ['GET /', 'GET /api/state', 'GET /api/laps?car=', 'GET /api/results?format=json|csv', 'GET /api/boards', 'GET /api/quarantine?limit=&offset=', 'POST /api/setup', 'POST /api/flag', 'POST /api/pit-road', 'GET /api/live (WebSocket)']) {
      expect(endpoints).toContain(e);
    }
    const page = await get('/');
    expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.text).toContain('aria-label="Leaderboard"');
  });

  test('GET /api/state: the race after the checkered flag', async () => {
    const r = await get('/api/state');
    expect(r.status).toBe(200);
    const state = r.json();
    expect(state).toEqual(wire(fed.gw.state()));
    expect(state.flag).toBe('checkered');
    expect(state.leaderLap).toBe(10);
    expect(state.order.map((o: { car: string }) => o.car).sort()).toEqual(feed.sim.scenario.field.map((f) => f.car).sort());
  });

  test('GET /api/results: results.json (the default and ?format=json), the same as a replay of the log (R-AUDIT-1)', async () => {
    const want = JSON.parse(resultsJson(replay(feed.entries).results()));
    for (const path of ['/api/results', '/api/results?format=json']) {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.type).toBe('application/json');
      expect(r.json()).toEqual(want);
    }
    expect(want.classification).toHaveLength(6);
  });

  test('GET /api/results?format=csv: a header and one row per truck', async () => {
    const r = await get('/api/results?format=csv');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/csv; charset=utf-8');
    expect(r.text).toBe(fed.gw.resultsCsv());
    const lines = r.text.trimEnd().split('\n');
    expect(lines[0]).toBe('pos,car,driver,laps,timeS,lapsLed,status,penaltyS,lapsOff,why');
    const results = fed.gw.results();
    expect(lines.slice(1)).toEqual(results.classification.map((c) => [c.pos, c.car, c.driver, c.laps, c.timeS, c.lapsLed, c.status, c.penaltyS, c.lapsOff, c.why ?? ''].join(',')));
  });

  test('the CSV is of the same results as the JSON, also with messages received and not yet applied', async () => {
    // A second gateway, fed without the final flush: the last group commit is still open.
    const other = await directGateway({ db: ':memory:' });
    try {
      for (const e of feed.entries) feedEntry(other, e);
      const csv = other.gw.resultsCsv();
      expect(csv).toBe(resultsCsv(other.gw.results()));
      expect(csv).toBe(resultsCsv(replay(feed.entries).results()));
    } finally {
      await other.gw.stop();
    }
  });

  test('GET /api/results?format=xml: 400, saying which formats there are', async () => {
    const r = await get('/api/results?format=xml');
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({ error: "format must be json or csv, not 'xml'" });
  });

  test('GET /api/boards: the 13 boards of the set-up, each with its boot id and its quarantine count', async () => {
    const boots = new Map<string, number>();
    for (const m of feed.sim.messages) if (m.channel === 'birth') boots.set(m.board, decode('birth', m.bytes).boot);
    type Boards = { boards: Array<{ board: string; inSetup: boolean; boot: number; quarantined: number; births: number }>; quarantine: Record<string, number> };
    const before = (await get('/api/boards')).json() as Boards;
    expect(before.boards).toHaveLength(13);
    expect(before.boards.map((b) => b.board)).toEqual(feed.sim.track.boards.map((b) => b.id).sort());
    for (const b of before.boards) {
      expect(b.inSetup, b.board).toBe(true);
      expect(b.boot, b.board).toBe(boots.get(b.board));
      expect(b.births, b.board).toBeGreaterThan(0);
      expect(b.quarantined, b.board).toBe(0);
    }
    expect(before.quarantine).toEqual(Object.fromEntries(QUARANTINE_REASONS.map((q) => [q, 0])));

    // Three bad messages: broken bytes and a replay on loop-sf's topic, loop-sf's envelope on box-01's.
    const sf = feed.entries.find((e) => e.source === 'board' && e.channel === 'evt' && e.board === 'loop-sf')!;
    if (sf.source !== 'board') throw new Error('unreachable');
    fed.time.nowUs = after(0.5);
    fed.gw.receive(boardTopic(SITE, 'loop-sf', 'evt'), Uint8Array.from([0xa4, 0x00]));
    fed.gw.receive(boardTopic(SITE, 'box-01', 'evt'), sf.payload);
    fed.gw.receive(sf.topic, sf.payload);
    const now = (await get('/api/boards')).json() as Boards;
    const count = (id: string): number => now.boards.find((b) => b.board === id)!.quarantined;
    expect([count('loop-sf'), count('box-01'), count('loop-sectors')]).toEqual([2, 1, 0]);
    expect(now.quarantine).toEqual({ ...before.quarantine, malformed: 1, 'identity-mismatch': 1, duplicate: 1 });
  });

  test('GET /api/quarantine?limit=&offset=: the refused messages with their reasons, a page at a time', async () => {
    const all = (await get('/api/quarantine')).json();
    expect(all.counts).toMatchObject({ malformed: 1, 'identity-mismatch': 1, duplicate: 1 });
    expect(all.messages.map((m: { reason: string }) => m.reason)).toEqual(['malformed', 'identity-mismatch', 'duplicate']);
    expect(all.messages[0]).toMatchObject({ id: 1, topic: boardTopic(SITE, 'loop-sf', 'evt'), board: 'loop-sf', payload: 'a400', atUs: after(0.5) });
    expect(all.messages[0].detail).toMatch(/does not decode/);

    const page = (await get('/api/quarantine?limit=1&offset=1')).json();
    expect(page.messages).toEqual([all.messages[1]]);
    expect((await get('/api/quarantine?limit=5&offset=3')).json().messages).toEqual([]);

    for (const [query, error] of [
      ['limit=0', 'limit must be a whole number from 1 to 10000'],
      ['limit=10001', 'limit must be a whole number from 1 to 10000'],
      ['limit=ten', 'limit must be a whole number from 1 to 10000'],
      ['limit=1.5', 'limit must be a whole number from 1 to 10000'],
      ['offset=-1', `offset must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`],
      ['limit=2&offset=x', `offset must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`],
    ]) {
      const r = await get(`/api/quarantine?${query}`);
      expect([query, r.status, r.json()]).toEqual([query, 400, { error }]);
    }
  });

  test('POST /api/flag: a bad flag or a body that is not JSON is 400 and logs nothing', async () => {
    const entries = fed.gw.log.count();
    let r = await post('/api/flag', { flag: 'blue' });
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({ error: 'flag must be one of green, yellow, red, white, checkered' });
    r = await post('/api/flag', {});
    expect(r.status).toBe(400);
    r = await post('/api/flag', '{"flag": ');
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/^body is not JSON: /);
    // JSON, but not an object: still the caller's mistake, never a 500.
    for (const body of ['null', '"red"', '[]', '7']) {
      r = await post('/api/flag', body);
      expect([body, r.status, r.json()]).toEqual([body, 400, { error: 'flag must be one of green, yellow, red, white, checkered' }]);
      r = await post('/api/pit-road', body);
      expect([body, r.status, r.json()]).toEqual([body, 400, { error: 'open must be true or false' }]);
    }
    expect(fed.gw.log.count()).toBe(entries);
    expect((await get('/api/state')).json().flag).toBe('checkered');
  });

  test('POST /api/flag: a good flag is 200, logged as a race-control entry, in the state, on the live feed and on the control topic', async () => {
    const live = await LiveClient.open();
    await live.until((m) => m.length >= 1, 'the state');
    const entries = fed.gw.log.count();
    fed.time.nowUs = after(1);
    const r = await post('/api/flag', { flag: 'red' });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ ok: true });

    expect(fed.gw.log.count()).toBe(entries + 1);
    const last = [...fed.gw.log.entries(fed.gw.log.lastSeq())];
    expect(last).toEqual([{ seq: entries + 1, atUs: after(1), source: 'race-control', action: { action: 'flag', flag: 'red' } }]);
    expect((await get('/api/state')).json().flag).toBe('red');

    await live.until((m) => m.some((x) => x.type === 'action'), 'the flag');
    expect(live.messages.find((x) => x.type === 'action')).toEqual({ type: 'action', action: { action: 'flag', flag: 'red' }, atUs: after(1) });
    live.close();

    const control = fed.published.filter((p) => p.topic === controlStateTopic(SITE)).at(-1)!;
    expect(decode('control-state', control.payload as Uint8Array)).toMatchObject({ flag: 'red', timeUs: after(1) });
  });

  test('POST /api/pit-road: open must be true or false; a good call is 200, logged and in the state', async () => {
    const entries = fed.gw.log.count();
    const bad = await post('/api/pit-road', { open: 'no' });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ error: 'open must be true or false' });
    expect(fed.gw.log.count()).toBe(entries);

    fed.time.nowUs = after(2);
    const r = await post('/api/pit-road', { open: false, why: 'debris at the pit entry' });
    expect(r.status).toBe(200);
    const last = [...fed.gw.log.entries(fed.gw.log.lastSeq())];
    expect(last).toEqual([{ seq: entries + 1, atUs: after(2), source: 'race-control', action: { action: 'pit-road', open: false, why: 'debris at the pit entry' } }]);
    const state = (await get('/api/state')).json();
    expect(state.pitRoad).toMatchObject({ open: false, why: 'debris at the pit entry', atUs: after(2), rule: null });
    const control = fed.published.filter((p) => p.topic === controlStateTopic(SITE)).at(-1)!;
    expect(decode('control-state', control.payload as Uint8Array)).toMatchObject({ flag: 'red', pitOpen: false });
  });

  test('POST /api/setup: a broken set-up is 400 naming the field, and logs nothing', async () => {
    const entries = fed.gw.log.count();
    const setup = eventSetupFor(feed.sim.scenario, feed.sim.track);
    const broken = (edit: (s: any) => void): unknown => {
      const s = structuredClone(setup) as any;
      edit(s);
      return s;
    };
    for (const [value, field] of [
      [broken((s) => delete s.field[2].transponder), 'field[2].transponder'],
      [broken((s) => (s.laps = 'ten')), 'laps'],
      [broken((s) => (s.track.boards[0].kind = 'tower')), 'track.boards[0].kind'],
      [broken((s) => (s.colour = 'red')), 'colour'],
    ] as const) {
      const r = await post('/api/setup', value);
      expect(r.status, field).toBe(400);
      expect(r.json().error, field).toMatch(new RegExp(`^event setup: ${field.replace(/[[\].]/g, '\\$&')}: `));
    }
    for (const body of ['[1, 2]', 'null', '"setup"']) {
      const r = await post('/api/setup', body);
      expect([body, r.status]).toEqual([body, 400]);
      expect(r.json().error).toBe('event setup: (top): must be an object');
    }
    expect(fed.gw.log.count()).toBe(entries);
  });

  test('an unknown route is 404, naming it', async () => {
    for (const [method, path] of [
      ['GET', '/api/nothing'],
      ['POST', '/api/state'],
      ['DELETE', '/api/flag'],
      ['GET', '/api/flag'],
    ]) {
      const r = await request(method!, path!);
      expect([method, path, r.status, r.json()]).toEqual([method, path, 404, { error: `no route ${method} ${path}` }]);
    }
  });

  test('a body over 1 MiB is 413, and logs nothing', async () => {
    const entries = fed.gw.log.count();
    const big = JSON.stringify({ flag: 'green', pad: 'x'.repeat(1 << 20) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(1 << 20);
    const r = await request('POST', '/api/flag', big);
    expect(r.status).toBe(413);
    expect(r.json()).toEqual({ error: `body over ${1 << 20} bytes` });
    expect(fed.gw.log.count()).toBe(entries);
    // The server is still there.
    expect((await get('/api/state')).json().flag).toBe('red');
  });
});
