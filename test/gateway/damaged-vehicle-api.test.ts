// Damaged vehicles through race control's HTTP API, against a Gateway.direct scoring a
// simulated race fed to it a stretch at a time. Race control posts the event set-up
// with its damaged vehicle policy (a 45 s clock, 85 mph minimum speed in three green
// laps) and marks four trucks damaged before their stops:
//   - 7 repairs for 30 s: entry line to exit line is about 58 s, so its clock runs out
//     on pit road and it is no longer scored from that instant (R-PIT-DAMAGE-1);
//   - 21 and 42 stop for 8 s (about 36 s of pit road, within the clock); after repairs
//     21 laps at 80.6 mph three green laps running and is no longer scored
//     (R-PIT-DAMAGE-2), 42 runs two such laps and then 90.2 mph and stays scored;
//   - 8 stops for 8 s too but speeds in segment 3: the call adds 15 s and its clock runs
//     out; an official dismisses the call (R-PEN-3) and it is scored again.
// Marking goes through POST /api/damaged; the gateway is then restarted on its event log
// (a file), which it reads back before it takes anything new. The tests run in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventSetupFor } from '../../gateway/commands/sim-race-control.js';
import { resultsJson } from '../../gateway/results.js';
import { EventLog } from '../../gateway/event-log.js';
import type { Action, LogEntry } from '../../gateway/log-entry.js';
import { replay } from '../../gateway/race-state.js';
import type { FedGateway } from '../support/gateway-feed.js';
import { apiGateway, exitLineUs, feedUntil, loggedActions, officiatingRace, type Api, type OfficiatingRace } from '../support/officiating-race.js';
import type { TruthVisit } from '../support/truth-violations.js';

/** Lap times (s) of a 12-lap race: 20.3 s but for the laps given (1-based). */
const lapTimes = (slow: Record<number, number>): number[] => Array.from({ length: 12 }, (_, i) => slow[i + 1] ?? 20.3);

/**
 * Martinsville, 12 laps, all green. 7 stops after lap 2 for 30 s; 21 after lap 3 for 8 s,
 * then laps 5-7 in 23.5 s; 42 after lap 4 for 8 s, laps 6-7 in 23.5 s, lap 8 in 21 s; 8
 * after lap 5 for 8 s, 36 mph in segment 3.
 */
const SCENARIO = {
  track: 'martinsville',
  session: 'race',
  laps: 12,
  stages: [12],
  seed: 11,
  gridGapS: 0.4,
  field: [
    { car: '3', driver: 'Wren Walsh', transponder: 3001, box: 9, noseOffsetM: 1.5, paceS: 20.0 },
    { car: '7', driver: 'Ximena Cruz', transponder: 3002, box: 2, noseOffsetM: 1.6, paceS: 20.2 },
    { car: '21', driver: 'Yusuf Grant', transponder: 3003, box: 4, noseOffsetM: 1.7, lapTimes: lapTimes({ 5: 23.5, 6: 23.5, 7: 23.5 }) },
    { car: '42', driver: 'Zoe Lindqvist', transponder: 3004, box: 6, noseOffsetM: 1.8, lapTimes: lapTimes({ 6: 23.5, 7: 23.5, 8: 21.0 }) },
    { car: '8', driver: 'Vera Lindgren', transponder: 3005, box: 10, noseOffsetM: 1.9, paceS: 20.3 },
  ],
  pitStops: [
    { car: '7', lap: 2, serviceS: 30 },
    { car: '21', lap: 3, serviceS: 8 },
    { car: '42', lap: 4, serviceS: 8 },
    { car: '8', lap: 5, serviceS: 8, segmentMph: { '3': 36 } },
  ],
};

const POLICY = { clockS: 45, perViolationS: 15, minimumSpeedMph: 85, minimumSpeedLaps: 3 };
const WHO = 'Race Director M. Okafor';
/** The sensors' agreement with the truth on the gateway clock (µs). */
const CLOSE_US = 2_000;

const dir = mkdtempSync(join(tmpdir(), 'pitwall-damaged-'));
const db = join(dir, 'events.db');
let race: OfficiatingRace;
let fed: FedGateway;
let api: Api;
let next = 0;
let stop7: TruthVisit;
let stop21: TruthVisit;
let stop42: TruthVisit;
let stop8: TruthVisit;
/** When 7 reached the entry line, on the gateway clock (from its clock's visit). */
let pitIn7: number;
/** When race control marked the four trucks damaged (gateway clock). */
let markedUs: number;
const MARKED = ['7', '21', '42', '8'] as const;
const whyOf = (car: string): string => `contact in turn 3 on lap 2 (car ${car})`;
type DamagedAction = Extract<Action, { action: 'damaged' }>;
const markOf = (car: string): { atUs: number; action: DamagedAction } => ({ atUs: markedUs, action: { action: 'damaged', car, damaged: true, who: WHO, why: whyOf(car) } });
/** The damage marks in the event log. */
const marksInLog = (log: EventLog = fed.gw.log): Array<{ atUs: number; action: DamagedAction }> => loggedActions(log.entries(), 'damaged');

const isSetup = (e: LogEntry): boolean => e.source === 'race-control' && e.action.action === 'event-setup';
/** The truth's start/finish crossing (nose) completing a lap. */
const lapEndUs = (car: string, lap: number): number => race.truth.laps.find((l) => l.car === car && l.lap === lap)!.noseUs;
const clockOf = (o: any, car: string): any => o.damaged.find((c: any) => c.car === car);
const rowOf = (r: any, car: string): any => r.classification.find((c: any) => c.car === car);

beforeAll(async () => {
  race = await officiatingRace(dir, 'damaged', SCENARIO);
  [stop7, stop21, stop42, stop8] = ['7', '21', '42', '8'].map((car) => race.truth.pitStops.find((s) => s.car === car)!) as [TruthVisit, TruthVisit, TruthVisit, TruthVisit];
  ({ fed, api } = await apiGateway(db));
});

afterAll(async () => {
  await fed?.gw.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

describe('damaged vehicles through the API', () => {
  test('the scripted race: four stops under green, only 8 over the speed limit (segment 3)', () => {
    expect([stop7, stop21, stop42, stop8].map((s) => [s.car, s.lap, s.speeding, s.passThrough])).toEqual([
      ['7', 2, [], false],
      ['21', 3, [], false],
      ['42', 4, [], false],
      ['8', 5, [3], false],
    ]);
    expect(race.truth.pitStops).toHaveLength(4);
    expect(race.truth.flags.filter((f) => f.flag === 'yellow' || f.flag === 'red')).toEqual([]);
    // 7's stop takes longer than the clock, 21's, 42's and 8's do not.
    expect((exitLineUs(race, stop7) - stop7.pitInUs) / 1e6).toBeGreaterThan(POLICY.clockS + 10);
    for (const s of [stop21, stop42, stop8]) expect((exitLineUs(race, s) - s.pitInUs) / 1e6).toBeLessThan(POLICY.clockS - 5);
    // 8's: over it with the 15 s a violation adds.
    expect((exitLineUs(race, stop8) - stop8.pitInUs) / 1e6 + POLICY.perViolationS).toBeGreaterThan(POLICY.clockS + 5);
  });

  test('R-PIT-DAMAGE-1: race control posts the event set-up with its damaged vehicle policy; before it no truck can be marked', async () => {
    const setupEntry = race.entries.find(isSetup)!;
    fed.time.nowUs = setupEntry.atUs;
    let r = await api.post('/api/damaged', { car: '7', damaged: true, who: WHO });
    expect([r.status, r.json()]).toEqual([409, { error: 'no event set up yet' }]);
    const setup = { ...eventSetupFor(race.sim.scenario, race.sim.track, 'damaged vehicles at Martinsville'), damagedVehicles: POLICY };
    r = await api.post('/api/setup', setup);
    expect([r.status, r.json()]).toEqual([200, { ok: true }]);
    // Up to 3 s before 7 reaches the commitment line; the simulated race control's own set-up is left out.
    next = feedUntil(fed, race.entries, 0, race.at(stop7.commitmentUs - 3_000_000), isSetup);
    const results = await api.read('/api/results');
    expect(results.event.name).toBe('damaged vehicles at Martinsville');
    expect(results.classification.map((c: any) => c.status)).toEqual(['running', 'running', 'running', 'running', 'running']);
  });

  test('R-PIT-DAMAGE-1: POST /api/damaged refuses a car not in the field and a malformed mark, logging nothing', async () => {
    const entries = fed.gw.log.count();
    for (const [body, status, error] of [
      [{ car: '99', damaged: true, who: WHO }, 400, "car '99' is not in the field"],
      [{ car: '7', damaged: 'yes', who: WHO }, 400, 'damaged must be true or false'],
      [{ car: '7', damaged: true }, 400, 'who must be a non-empty string of at most 64 characters'],
      [{ car: '7', damaged: true, who: WHO, why: '' }, 400, 'why must be a non-empty string of at most 500 characters'],
      [{ damaged: true, who: WHO }, 400, 'car must be a non-empty string of at most 8 characters'],
    ] as const) {
      const r = await api.post('/api/damaged', body);
      expect([JSON.stringify(body), r.status, r.json()]).toEqual([JSON.stringify(body), status, { error }]);
    }
    expect(fed.gw.log.count()).toBe(entries);
    expect((await api.read('/api/officiating')).damaged).toEqual([]);
  });

  test('R-PIT-DAMAGE-1: POST /api/damaged marks a truck in the field: 200, logged with who marked it and why', async () => {
    markedUs = fed.time.nowUs;
    const replies: unknown[] = [];
    for (const car of MARKED) {
      const r = await api.post('/api/damaged', { car, damaged: true, who: WHO, why: whyOf(car) });
      replies.push([car, r.status, r.json()]);
    }
    expect(replies).toEqual(MARKED.map((car) => [car, 200, { ok: true }]));
    expect(marksInLog()).toEqual(MARKED.map((car) => markOf(car)));
  });

  test('R-PIT-DAMAGE-1: a gateway restarted on its log takes the marks up; four clocks of 45 s, none used yet', async () => {
    // While POST /api/damaged is refused (see the test before), the marks it should have
    // logged are written into the event log here, and the gateway restarted on it reads
    // them as it would any logged action. Once the API logs them, this writes nothing.
    await fed.gw.stop();
    const log = EventLog.open(db);
    try {
      const logged = marksInLog(log);
      for (const m of MARKED.map((car) => markOf(car))) if (!logged.some((x) => x.action.car === m.action.car)) log.append({ source: 'race-control', ...m });
    } finally {
      log.close();
    }
    ({ fed, api } = await apiGateway(db));
    fed.time.nowUs = markedUs;
    expect(marksInLog()).toEqual(MARKED.map((car) => markOf(car)));

    const o = await api.read('/api/officiating');
    expect(o.damaged.map((c: any) => [c.car, c.markedUs, c.limitS, c.usedS, c.remainingS, c.status, c.running, c.overUs])).toEqual([
      ['7', markedUs, 45, 0, 45, 'on track', false, null],
      ['21', markedUs, 45, 0, 45, 'on track', false, null],
      ['42', markedUs, 45, 0, 45, 'on track', false, null],
      ['8', markedUs, 45, 0, 45, 'on track', false, null],
    ]);
    expect((await api.read('/api/state')).officiating.damaged).toEqual(o.damaged);
  });

  test('R-PIT-DAMAGE-1: on pit road the clock runs from the entry yellow line', async () => {
    next = feedUntil(fed, race.entries, next, race.at(stop7.pitInUs + 20_000_000));
    const now = fed.time.nowUs;
    const c = clockOf(await api.read('/api/officiating'), '7');
    expect(c).toMatchObject({ status: 'repairing', running: true, overUs: null, addedS: 0, additions: [] });
    expect(c.visits).toHaveLength(1);
    const v = c.visits[0];
    pitIn7 = v.fromUs;
    expect(v).toMatchObject({ pitInUs: pitIn7, pitExitUs: null, toUs: now, live: true, entryMissed: false, exitMissed: false, redS: 0 });
    expect(Math.abs(pitIn7 - race.at(stop7.pitInUs))).toBeLessThan(CLOSE_US);
    expect(c.usedS).toBe((now - pitIn7) / 1e6);
    expect(c.usedS).toBeGreaterThan(19);
    expect(c.remainingS).toBe(45 - c.usedS);
    expect(rowOf(await api.read('/api/results'), '7')).toMatchObject({ status: 'running', why: null });
  });

  test('R-PIT-DAMAGE-1: the clock runs out on pit road; 7 is not scored from that instant, why citing the rule', async () => {
    next = feedUntil(fed, race.entries, next, race.at(stop7.pitInUs + 46_000_000));
    const c = clockOf(await api.read('/api/officiating'), '7');
    expect(c).toMatchObject({ status: 'over limit', running: true, remainingS: 0, overUs: pitIn7 + 45_000_000 });
    const row = rowOf(await api.read('/api/results'), '7');
    expect(row).toMatchObject({ status: 'not scored', why: 'R-PIT-DAMAGE-1: damaged vehicle clock over 45 s', laps: 1 });
  });

  test('R-PIT-DAMAGE-1: the whole visit counts from the entry to the exit yellow line; 21 and 42 stay within the clock', async () => {
    next = feedUntil(fed, race.entries, next, Infinity);
    expect(next).toBe(race.entries.length);
    const o = await api.read('/api/officiating');
    for (const s of [stop7, stop21, stop42, stop8]) {
      const c = clockOf(o, s.car);
      expect(c.visits, s.car).toHaveLength(1);
      const v = c.visits[0];
      expect(v, s.car).toMatchObject({ live: false, entryMissed: false, exitMissed: false, pitInUs: v.fromUs, pitExitUs: v.toUs, redS: 0 });
      expect(Math.abs(v.fromUs - race.at(s.pitInUs)), `${s.car} entry line`).toBeLessThan(CLOSE_US);
      expect(Math.abs(v.toUs - race.at(exitLineUs(race, s))), `${s.car} exit line`).toBeLessThan(CLOSE_US);
      expect(v.countedS, s.car).toBe((v.toUs - v.fromUs) / 1e6);
      expect(c.pitRoadS, s.car).toBe(v.countedS);
      expect(c.running, s.car).toBe(false);
      // The clock's visit is the timeline's.
      const visit = o.visits[s.car][0];
      expect([visit.pitInUs, visit.pitExitUs], s.car).toEqual([v.fromUs, v.toUs]);
    }
    expect(clockOf(o, '7')).toMatchObject({ status: 'over limit', overUs: pitIn7 + 45_000_000 });
    expect(clockOf(o, '7').usedS).toBeGreaterThan(55);
    for (const car of ['7', '21', '42']) expect(clockOf(o, car), car).toMatchObject({ addedS: 0, additions: [], usedS: clockOf(o, car).pitRoadS });
    for (const car of ['21', '42']) {
      expect(clockOf(o, car), car).toMatchObject({ status: 'on track', overUs: null });
      expect(clockOf(o, car).usedS, car).toBeLessThan(40);
    }
    // Its laps stop where the clock ran out: lap 1 before it, lap 2 on pit road after it.
    expect(lapEndUs('7', 1)).toBeLessThan(pitIn7 + 45_000_000 - race.epochUs);
    expect(lapEndUs('7', 2)).toBeGreaterThan(pitIn7 + 45_000_000 - race.epochUs);
    expect(rowOf(await api.read('/api/results'), '7')).toMatchObject({ status: 'not scored', laps: 1, why: 'R-PIT-DAMAGE-1: damaged vehicle clock over 45 s' });
  });

  test('R-PIT-DAMAGE-2: three green laps under the minimum speed after repairs, 21 is not scored from the end of the third', async () => {
    const o = await api.read('/api/officiating');
    const w = o.minimumSpeed.find((x: any) => x.car === '21');
    expect(w.status).toBe('failed');
    expect(w.metUs).toBeNull();
    // The out-lap (4) never counts; laps 5, 6, 7 at 23.5 s are 80.58 mph.
    expect(w.laps.map((l: any) => [l.lap, l.green, l.counts])).toEqual([
      [4, true, false],
      [5, true, true],
      [6, true, true],
      [7, true, true],
    ]);
    for (const l of w.laps.slice(1)) expect(l.mph).toBeCloseTo(80.58, 1);
    expect(Math.abs(w.failedUs - race.at(lapEndUs('21', 7)))).toBeLessThan(CLOSE_US);
    const results = await api.read('/api/results');
    expect(rowOf(results, '21')).toMatchObject({ status: 'not scored', laps: 7, why: 'R-PIT-DAMAGE-2: minimum speed not reached after repairs', penaltyS: 0 });
  });

  test('R-PIT-DAMAGE-2: reaching the minimum speed on the third green lap, 42 stays scored', async () => {
    const o = await api.read('/api/officiating');
    const w = o.minimumSpeed.find((x: any) => x.car === '42');
    expect(w.status).toBe('met');
    expect(w.failedUs).toBeNull();
    expect(w.laps.map((l: any) => [l.lap, l.counts])).toEqual([
      [5, false],
      [6, true],
      [7, true],
      [8, true],
    ]);
    expect(w.laps[3].mph).toBeCloseTo(90.18, 1);
    expect(w.laps[3].mph).toBeGreaterThanOrEqual(POLICY.minimumSpeedMph);
    expect(Math.abs(w.metUs - race.at(lapEndUs('42', 8)))).toBeLessThan(CLOSE_US);
    const results = await api.read('/api/results');
    const finish = race.truth.finish.find((f) => f.car === '42')!;
    expect(rowOf(results, '42')).toMatchObject({ status: 'running', laps: finish.laps, why: null });
  });

  test('R-PIT-DAMAGE-1: a speeding call on a damaged truck\u2019s visit adds 15 s, so its clock runs out 15 s of pit road sooner', async () => {
    const o = await api.read('/api/officiating');
    const call = o.proposals.find((p: any) => p.car === '8');
    expect(call).toMatchObject({ rule: 'R-PIT-SPEED-1', status: 'proposed', evidence: { over: [3] } });
    expect(o.proposals).toHaveLength(1);
    const c = clockOf(o, '8');
    const v = c.visits[0];
    expect(c.additions).toEqual([{ id: call.id, rule: 'R-PIT-SPEED-1', atUs: call.atUs, addS: 15 }]);
    expect(c).toMatchObject({ addedS: 15, usedS: c.pitRoadS + 15, status: 'over limit', remainingS: 0 });
    expect(call.atUs).toBeLessThan(v.fromUs + 30_000_000);
    // 30 s of pit road and the 15 s added make the 45.
    expect(c.overUs).toBe(v.fromUs + 30_000_000);
    expect(rowOf(await api.read('/api/results'), '8')).toMatchObject({ status: 'not scored', why: 'R-PIT-DAMAGE-1: damaged vehicle clock over 45 s' });
  });

  test('R-PEN-3, R-PIT-DAMAGE-1: the call dismissed, its 15 s go and 8 is scored again', async () => {
    const call = (await api.read('/api/officiating')).proposals.find((p: any) => p.car === '8');
    const r = await api.post('/api/decision', { proposal: call.id, decision: 'dismiss', who: WHO, why: 'avoiding a spinning truck at the pit exit' });
    expect([r.status, r.json()]).toEqual([200, { ok: true }]);
    const o = await api.read('/api/officiating');
    expect(o.proposals[0]).toMatchObject({ id: call.id, status: 'dismissed' });
    const c = clockOf(o, '8');
    expect(c).toMatchObject({ additions: [], addedS: 0, usedS: c.pitRoadS, status: 'on track', overUs: null });
    expect(c.remainingS).toBe(45 - c.pitRoadS);
    const finish = race.truth.finish.find((f) => f.car === '8')!;
    expect(rowOf(await api.read('/api/results'), '8')).toMatchObject({ status: 'running', laps: finish.laps, why: null });
  });

  test('R-SF-2: the running trucks by laps and time, then the ones no longer scored by the laps they kept', async () => {
    const o = await api.read('/api/officiating');
    const results = await api.read('/api/results');
    expect(results.classification.map((c: any) => [c.car, c.laps, c.status])).toEqual([
      ['3', 12, 'running'],
      ['8', 11, 'running'],
      ['42', 10, 'running'],
      ['21', 7, 'not scored'],
      ['7', 1, 'not scored'],
    ]);
    expect(results.damagedVehicles).toEqual({ clocks: o.damaged, minimumSpeed: o.minimumSpeed });
    expect(results.violations).toEqual([expect.objectContaining({ car: '8', status: 'dismissed' })]);
  });

  test('R-AUDIT-1: a replay of the log gives byte-identical results.json', async () => {
    const r = await api.get('/api/results');
    const replayed = replay(fed.gw.log.entries()).results();
    expect(JSON.stringify(replayed)).toBe(r.text);
    expect(resultsJson(replayed)).toBe(resultsJson(fed.gw.results()));
  });
});
