// The timing board in the live state (race-state.ts snapshot().timing) and the lap
// times (laps(), GET /api/laps): against hand-built races whose every crossing time is
// known (test/support/scoring-log.ts: trucks lapping at even speeds), then against the
// shipped 10-lap race through the gateway's API, with a call confirmed so a penalty shows.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { LogEntry } from '../../gateway/log-entry.js';
import { replay, type RaceSnapshot, type TimingRow } from '../../gateway/race-state.js';
import { feedAll, tenLapFeed } from '../support/gateway-feed.js';
import { apiGateway, type Api } from '../support/officiating-race.js';
import { entry, GREEN_US, LAP_M, ScoringLog, shuffled, tinySetup, type DriveOptions } from '../support/scoring-log.js';
import type { FedGateway } from '../support/gateway-feed.js';

const S = 1_000_000;
// A leads at 50 m/s (20 s laps), B follows at 49 m/s, C runs at 25 m/s and is lapped.
const A: DriveOptions = { lineUs: GREEN_US + 1 * S, speedMps: 50, paceLap: true };
const B: DriveOptions = { lineUs: GREEN_US + 1.5 * S, speedMps: 49, paceLap: true };
const C: DriveOptions = { lineUs: GREEN_US + 2 * S, speedMps: 25, paceLap: true };
const lapS = (o: DriveOptions): number => LAP_M / o.speedMps;
const at = (o: DriveOptions, n: number): number => ScoringLog.lineUs(o, n);

function race(missB: string[] = []): LogEntry[] {
  const log = new ScoringLog(tinySetup([entry('1', 101), entry('2', 102), entry('3', 103)], 10));
  log.flag(GREEN_US, 'green');
  log.drive('1', A).drive('2', { ...B, miss: missB }).drive('3', C);
  return log.entries;
}

/** The state with what was logged up to `untilUs`. */
function stateAt(entries: readonly LogEntry[], untilUs: number): RaceSnapshot {
  return replay(entries.filter((e) => e.atUs <= untilUs)).snapshot();
}

const row = (s: RaceSnapshot, car: string): TimingRow => s.timing.find((t) => t.car === car)!;

describe('timing rows from a hand-built race', () => {
  // 5 s after the leader's fifth lap: A and B on lap 5, C on lap 2.
  const nowUs = at(A, 5) + 5 * S;

  test('order, laps, last and best lap', () => {
    const s = stateAt(race(), nowUs);
    expect(s.timing.map((t) => [t.pos, t.car, t.driver, t.laps])).toEqual([
      [1, '1', 'Driver 1', 5],
      [2, '2', 'Driver 2', 5],
      [3, '3', 'Driver 3', 2],
    ]);
    expect(s.timing.map((t) => t.pos)).toEqual(s.order.map((p) => p.pos));
    for (const [car, o] of [['1', A], ['2', B], ['3', C]] as const) {
      expect(row(s, car).lastLapS).toBeCloseTo(lapS(o), 5);
      expect(row(s, car).bestLapS).toBeCloseTo(lapS(o), 5);
    }
    expect(s.timing.every((t) => t.status === 'running' && t.pitStops === 0 && t.penalties.length === 0 && !t.inferred)).toBe(true);
  });

  test('gap and interval at the line; a lapped truck as "+N laps"', () => {
    const s = stateAt(race(), nowUs);
    expect(row(s, '1').gapS).toBeNull();
    expect(row(s, '1').intervalS).toBeNull();
    // B completed lap 5 this long after A did.
    expect(row(s, '2').gapS).toBeCloseTo((at(B, 5) - at(A, 5)) / S, 5);
    expect(row(s, '2').intervalS).toBeCloseTo((at(B, 5) - at(A, 5)) / S, 5);
    // C completed lap 2 at 82 s: A had completed lap 4 (81 s), B lap 3 (62.7 s; lap 4 at 83.1 s).
    expect(at(A, 4) < at(C, 2) && at(C, 2) < at(A, 5)).toBe(true);
    expect(at(B, 3) < at(C, 2) && at(C, 2) < at(B, 4)).toBe(true);
    expect(row(s, '3').gapS).toBe('+2 laps');
    expect(row(s, '3').intervalS).toBe('+1 lap');
  });

  test('a pass between the line and the next loop: gap and interval in the line order of that lap, never negative', () => {
    // X, Y and Z at 50 m/s: Y crosses the line for lap 3 first (60.9 s), then X (61.0 s),
    // then Z (61.3 s). Y then slows to 40 m/s: X and Z pass it before sector 1, so the
    // running order (R-SF-5, the latest loop) is X, Z, Y while the line's lap 3 went Y, X, Z.
    const X: DriveOptions = { lineUs: GREEN_US + 1 * S, speedMps: 50, paceLap: true };
    const Y: DriveOptions = { lineUs: GREEN_US + 0.9 * S, speedMps: 50, paceLap: true, laps: 3 };
    const Z: DriveOptions = { lineUs: GREEN_US + 1.3 * S, speedMps: 50, paceLap: true };
    const log = new ScoringLog(tinySetup([entry('1', 101), entry('2', 102), entry('3', 103)], 10));
    log.flag(GREEN_US, 'green');
    log.drive('1', X).drive('2', Y).drive('3', Z);
    for (const m of [250, 500, 800, 1000]) log.passing(m === 1000 ? 1 : m === 250 ? 2 : m === 500 ? 3 : 5, 102, at(Y, 3) + ((m + 2) / 40) * S);
    // All three past sector 1 of lap 4, none at sector 2.
    const s = stateAt(log.entries, GREEN_US + 68 * S);
    expect(s.timing.map((t) => [t.car, t.laps])).toEqual([['1', 3], ['3', 3], ['2', 3]]);
    for (const t of s.timing) {
      if (typeof t.gapS === 'number') expect(t.gapS, `gap of ${t.car}`).toBeGreaterThanOrEqual(0);
      if (typeof t.intervalS === 'number') expect(t.intervalS, `interval of ${t.car}`).toBeGreaterThanOrEqual(0);
    }
    // Y led lap 3 at the line: no gap, nobody ahead of it there.
    expect(row(s, '2').gapS).toBeNull();
    expect(row(s, '2').intervalS).toBeNull();
    // X 0.1 s behind Y at the line, Z 0.3 s behind X (nose times; Y's scored time is a few ms
    // off its nose time, its speed at the line taken across the slowing).
    expect(row(s, '1').gapS).toBeCloseTo(0.1, 1);
    expect(row(s, '1').intervalS).toBe(row(s, '1').gapS);
    expect(row(s, '3').intervalS).toBeCloseTo(0.3, 5);
    expect(row(s, '3').gapS).toBeCloseTo((row(s, '1').gapS as number) + 0.3, 5);
  });

  test('before the green crossing nothing is timed', () => {
    const s = stateAt(race(), GREEN_US + 0.5 * S);
    expect(s.timing.map((t) => [t.laps, t.lastLapS, t.bestLapS, t.gapS, t.intervalS])).toEqual([
      [0, null, null, null, null],
      [0, null, null, null, null],
      [0, null, null, null, null],
    ]);
  });

  test('the best lap is the fastest so far, the last lap the latest', () => {
    // B slows for its laps 3..: drive it again from lap 2 at 40 m/s.
    const log = new ScoringLog(tinySetup([entry('1', 101), entry('2', 102)], 10));
    log.flag(GREEN_US, 'green');
    log.drive('1', A).drive('2', { ...B, laps: 2 });
    const slow: DriveOptions = { lineUs: at(B, 2), speedMps: 40 };
    // From lap 2's line on at 40 m/s: its loops of lap 3 on, and the line crossings after.
    for (let k = 0; k <= 4; k++) {
      for (const l of [2, 3, 5, 1]) {
        const posM = l === 1 ? 1000 : l === 2 ? 250 : l === 3 ? 500 : 800;
        if (l === 1 && k === 4) continue;
        log.passing(l, 102, slow.lineUs + (((k * LAP_M + posM + 2) / slow.speedMps) * S));
      }
    }
    const state = replay(log.entries);
    const b = row(state.snapshot(), '2');
    expect(b.laps).toBe(6);
    expect(b.lastLapS).toBeCloseTo(LAP_M / 40, 4);
    // Lap 2's crossing is placed with the average of the speeds on its two sides, so laps 2 and 3 are a little off.
    const times = state.laps('2')[0]!.lapS;
    expect(b.bestLapS).toBe(Math.min(...times));
    expect(b.bestLapS).toBeCloseTo(lapS(B), 1);
  });

  test('an inferred crossing is marked while it is the last lap (R-SF-9)', () => {
    const entries = race(['1@3']);
    // Inferred once sector 1 (250 m past the line, ~5.1 s) hears the truck.
    const during = stateAt(entries, at(B, 3) + 7 * S);
    expect(row(during, '2').laps).toBe(3);
    expect(row(during, '2').inferred).toBe(true);
    expect(row(during, '2').lastLapS).toBeCloseTo(lapS(B), 3);
    expect(during.inferred).toEqual([{ car: '2', lap: 3, loop: 1 }]);
    const after = stateAt(entries, at(B, 4) + 5 * S);
    expect(row(after, '2').inferred).toBe(false);
  });

  test('the same in any order of arrival', () => {
    const entries = race(['1@3']);
    const want = stateAt(entries, nowUs).timing;
    const cut = entries.filter((e) => e.atUs <= nowUs);
    for (const seed of [1, 2, 3]) expect(replay(shuffled(cut, seed)).snapshot().timing).toEqual(want);
  });

  test('a finish: every truck finished once the leader took the checkered flag', () => {
    const s = replay(race()).snapshot();
    expect(row(s, '1').status).toBe('finished');
    expect(row(s, '1').laps).toBe(10);
    expect(row(s, '2').status).toBe('finished');
  });

  test('laps(): each truck\'s lap times, laps by inferred crossings', () => {
    const state = replay(race(['1@3']).filter((e) => e.atUs <= nowUs));
    const laps = state.laps();
    expect(laps.map((l) => [l.car, l.driver, l.lapS.length, l.inferredLaps])).toEqual([
      ['1', 'Driver 1', 5, []],
      ['2', 'Driver 2', 5, [3]],
      ['3', 'Driver 3', 2, []],
    ]);
    for (const x of laps[0]!.lapS) expect(x).toBeCloseTo(lapS(A), 5);
    for (const x of laps[2]!.lapS) expect(x).toBeCloseTo(lapS(C), 5);
    expect(state.laps('3').map((l) => l.car)).toEqual(['3']);
    expect(state.laps('none')).toEqual([]);
  });
});

describe('through the API: the shipped 10-lap race', () => {
  let fed: FedGateway;
  let api: Api;

  let rest: LogEntry[];

  beforeAll(async () => {
    const feed = await tenLapFeed();
    ({ fed, api } = await apiGateway(':memory:'));
    // Up to the first speeding call whose visit is over (so a decision is taken mid-race), then the rest later.
    let i = 0;
    for (; i < feed.entries.length; i += 100) {
      feedAll(fed, feed.entries.slice(i, i + 100));
      const o = fed.gw.race.officiating();
      if (o?.proposals.some((p) => p.violation === 'speeding' && o.visits.get(p.car)?.find((v) => v.id === p.visit)?.complete)) break;
    }
    rest = feed.entries.slice(i + 100);
    expect(rest.length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await fed?.gw.stop();
  });

  test('the live feed with ?events=0: states and actions, no board events', async () => {
    const open = async (path: string): Promise<{ ws: WebSocket; types: string[] }> => {
      const ws = new WebSocket(fed.gw.apiUrl!.replace(/^http/, 'ws') + path);
      const types: string[] = [];
      ws.on('message', (d) => types.push((JSON.parse(String(d)) as { type: string }).type));
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      return { ws, types };
    };
    const all = await open('/api/live');
    const states = await open('/api/live?events=0');
    try {
      feedAll(fed, rest.splice(0, 200));
      fed.gw.pushState();
      const guard = Date.now() + 10_000;
      while (states.types.filter((t) => t === 'state').length < 2 || !all.types.includes('event')) {
        if (Date.now() > guard) throw new Error(`live feed: ${all.types.length} and ${states.types.length} messages`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(states.types.every((t) => t === 'state' || t === 'action')).toBe(true);
      expect(all.types.filter((t) => t === 'event').length).toBeGreaterThan(0);
    } finally {
      all.ws.close();
      states.ws.close();
    }
  });

  test('GET /api/laps is the race state\'s laps, and agrees with the timing rows', async () => {
    feedAll(fed, rest.splice(0, Math.floor(rest.length / 2)));
    const { cars } = (await api.read('/api/laps')) as { cars: Array<{ car: string; lapS: number[] }> };
    expect(cars).toEqual(fed.gw.race.laps());
    expect(cars).toHaveLength(fed.gw.race.eventSetup()!.field.length);
    const state = (await api.read('/api/state')) as RaceSnapshot;
    for (const t of state.timing) {
      const mine = cars.find((c) => c.car === t.car)!;
      expect(mine.lapS.length).toBe(t.laps);
      if (t.laps > 0) {
        expect(t.lastLapS).toBe(mine.lapS[mine.lapS.length - 1]);
        expect(t.bestLapS).toBe(Math.min(...mine.lapS));
      }
    }
    const one = (await api.read(`/api/laps?car=${cars[0]!.car}`)) as { cars: unknown[] };
    expect(one.cars).toEqual([cars[0]]);
  });

  test('pit stops counted, a confirmed call shows as the truck\'s penalty', async () => {
    const o = await api.read('/api/officiating');
    const speeding = (o.proposals as Array<{ id: string; car: string; violation: string; status: string }>).find((p) => p.violation === 'speeding')!;
    expect(speeding.status).toBe('proposed');
    const before = (await api.read('/api/state')) as RaceSnapshot;
    const stopped = Object.values(o.visits as Record<string, Array<{ car: string; stop: { stopUs: number | null } | null }>>)
      .flat()
      .filter((v) => v.stop?.stopUs != null);
    for (const t of before.timing) expect([t.car, t.pitStops]).toEqual([t.car, stopped.filter((v) => v.car === t.car).length]);
    expect(before.timing.some((t) => t.pitStops > 0)).toBe(true);
    expect(row(before, speeding.car).penalties).toEqual([]);

    const r = await api.post('/api/decision', { proposal: speeding.id, decision: 'confirm', who: 'Pit road official' });
    expect(r.status).toBe(200);
    const after = (await api.read('/api/state')) as RaceSnapshot;
    const penalty = after.officiating.outstanding.find((p) => p.id === speeding.id)!;
    expect(row(after, speeding.car).penalties).toEqual([penalty.penalty]);
    expect(penalty.penalty).toBe('pass-through');
    expect(after.timing.filter((t) => t.penalties.length > 0).map((t) => t.car)).toEqual([speeding.car]);
    feedAll(fed, rest);
    const end = (await api.read('/api/state')) as RaceSnapshot;
    expect(end.timing.every((t) => t.status === 'finished')).toBe(true);
    expect(after.event).toMatchObject({ laps: 10, pitSpeedLimitMph: expect.any(Number), pitSpeedToleranceMph: expect.any(Number) });
  });
});
