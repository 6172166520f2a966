// The pit road penalty workflow end to end through race control's HTTP API, against a
// Gateway.direct scoring a simulated race fed to it in three stretches:
//   1. up to just after truck 98's first stop, speeding in segment 2 under green: the
//      call is proposed (R-PIT-SPEED-1) with every segment's speed as its evidence; an
//      official confirms it (R-PEN-3) and a pass-through is outstanding;
//   2. on past 98's pass-through, speeding in segment 4: the pass-through is served
//      (R-PEN-1) and the speeding is proposed as R-PIT-SPEED-2; confirmed, a second
//      pass-through is outstanding. Truck 11's speeding call is dismissed with a reason;
//   3. to the finish: nothing more of 98 on pit road, so the second pass-through becomes
//      30 s on its total time (R-PEN-2), which drops it behind truck 5.
// Every decision is in the event log with who and why, and the log alone gives the
// same results.json, byte for byte (R-AUDIT-1). The tests run in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resultsJson } from '../../gateway/results.js';
import { EventLog } from '../../gateway/event-log.js';
import type { Action, LogEntry } from '../../gateway/log-entry.js';
import { replay } from '../../gateway/race-state.js';
import type { FedGateway } from '../support/gateway-feed.js';
import { runPitwall } from '../support/pitwall-cli.js';
import { tinySetup } from '../support/tiny-setup.js';
import { apiGateway, exitLineUs, feedUntil, loggedActions, officiatingRace, type Api, type OfficiatingRace } from '../support/officiating-race.js';
import type { TruthVisit } from '../support/truth-violations.js';

/**
 * Martinsville (30 mph, 5 mph tolerance), 12 laps, all green. 98 stops after lap 2,
 * 36.5 mph in segment 2; drives through after lap 6, 37.2 mph in segment 4. 11 stops
 * after lap 3, 36 mph in segment 3. 5 laps slowly: it finishes on 98's lap, 7 to 8 s
 * behind it.
 */
const SCENARIO = {
  track: 'martinsville',
  session: 'race',
  laps: 12,
  stages: [12],
  seed: 7,
  gridGapS: 0.4,
  field: [
    { car: '98', driver: 'Blake Brandt', transponder: 2001, box: 3, noseOffsetM: 1.6, paceS: 20.2 },
    { car: '11', driver: 'Avery Hartley', transponder: 2002, box: 1, noseOffsetM: 1.5, paceS: 20.1 },
    { car: '34', driver: 'Casey Coleman', transponder: 2003, box: 5, noseOffsetM: 1.7, paceS: 20.3 },
    { car: '9', driver: 'Dana Dorsey', transponder: 2004, box: 7, noseOffsetM: 1.8, paceS: 20.4 },
    { car: '5', driver: 'Emerson Easton', transponder: 2005, box: 9, noseOffsetM: 1.9, paceS: 26.5 },
  ],
  pitStops: [
    { car: '98', lap: 2, serviceS: 12, segmentMph: { '2': 36.5 } },
    { car: '11', lap: 3, serviceS: 12, segmentMph: { '3': 36 } },
    { car: '98', lap: 6, serviceS: 0, passThrough: true, segmentMph: { '4': 37.2 } },
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'pitwall-penalties-'));
const db = join(dir, 'events.db');
let race: OfficiatingRace;
let fed: FedGateway;
let api: Api;
/** The next entry to feed. */
let next = 0;
/** Truck 98's first stop and its pass-through, truck 11's stop, in the truth. */
let stop98: TruthVisit;
let pass98: TruthVisit;
let stop11: TruthVisit;
/** When each decision was made (gateway clock). */
const decidedUs: Record<string, number> = {};
let firstId: string;
let secondId: string;
let dismissedId: string;
let passVisit: any;
/** results.json as the API gave it at the end, before the gateway stopped. */
let finalText: string;
let stopped = false;

const WHO = 'Chief Steward R. Vance';
/** What both of 98's speeding calls are when first proposed: certain, the card's green column, a pass-through, undecided. */
const PROPOSED_98 = { car: '98', column: 'green', confidence: 'certain', status: 'proposed', penalty: 'pass-through', decision: null };

beforeAll(async () => {
  race = await officiatingRace(dir, 'penalties', SCENARIO);
  [stop98, stop11, pass98] = race.truth.pitStops as [TruthVisit, TruthVisit, TruthVisit];
  ({ fed, api } = await apiGateway(db));
  // Stretch 1: up to 2 s after 98 has left pit road.
  next = feedUntil(fed, race.entries, 0, race.at(stop98.pitOutUs + 2_000_000));
});

afterAll(async () => {
  if (!stopped) await fed?.gw.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the penalty workflow through the API', () => {
  test('the scripted race: 98 speeds in segment 2 of a stop, then in segment 4 of a pass-through; 11 speeds in segment 3', () => {
    expect([stop98.car, stop98.lap, stop98.passThrough, stop98.speeding]).toEqual(['98', 2, false, [2]]);
    expect([stop11.car, stop11.lap, stop11.passThrough, stop11.speeding]).toEqual(['11', 3, false, [3]]);
    expect([pass98.car, pass98.lap, pass98.passThrough, pass98.speeding]).toEqual(['98', 6, true, [4]]);
    expect(race.truth.flags.filter((f) => f.flag === 'yellow' || f.flag === 'red')).toEqual([]);
  });

  test('R-PIT-SPEED-1: speeding under green is proposed, every segment\u2019s speed its evidence, nothing assessed yet', async () => {
    const o = await api.read('/api/officiating');
    expect(o.visits['98']).toHaveLength(1);
    const visit = o.visits['98'][0];
    expect(visit).toMatchObject({ car: '98', box: 3, complete: true, passThrough: false, flag: 'green', pitRoadOpen: true });
    expect(o.proposals).toHaveLength(1);
    const p = o.proposals[0];
    firstId = p.id;
    expect(p).toMatchObject({
      ...PROPOSED_98,
      id: `${visit.id}/speeding`,
      violation: 'speeding',
      rule: 'R-PIT-SPEED-1',
      history: [],
      visit: visit.id,
      summary: 'car 98: 36.50 mph against 30.00 + tolerance, over in segment 2',
    });
    // Every segment, to 0.01 mph, against what the truck really did.
    expect(p.evidence).toMatchObject({ limitMph: 30, toleranceMph: 5, over: [2] });
    expect(p.evidence.segments.map((s: any) => s.segment)).toEqual([1, 2, 3, 4, 5]);
    for (const s of p.evidence.segments) {
      const truth = stop98.segments.find((x) => x.segment === s.segment)!;
      expect(Math.abs(s.mph - truth.mph), `segment ${s.segment}: ${s.mph} mph, truly ${truth.mph}`).toBeLessThanOrEqual(0.02);
      expect(Math.round(s.mph * 100)).toBe(s.mph * 100);
      expect(s.over, `segment ${s.segment}`).toBe(s.segment === 2);
    }
    // It happened at the end of segment 2, in the truth when the transponder crossed timing line 2.
    const line2 = race.truth.crossings.find((c) => c.car === '98' && c.loop === 12 && c.path === 'pit' && c.transponderUs > stop98.pitInUs)!;
    expect(Math.abs(p.atUs - race.at(line2.transponderUs))).toBeLessThan(2_000);
    expect(o.penalties).toEqual([]);

    const state = await api.read('/api/state');
    expect(state.officiating.proposals).toEqual({ proposed: 1, confirmed: 0, dismissed: 0, closeCalls: 0 });
    expect(state.officiating.outstanding).toEqual([]);
  });

  test('R-PEN-3: a decision on an unknown proposal is 404, a malformed one 400, a dismissal without its reason 400; none is logged', async () => {
    const entries = fed.gw.log.count();
    let r = await api.post('/api/decision', { proposal: '98@loop-pit:1/speeding', decision: 'confirm', who: WHO, why: 'x' });
    expect([r.status, r.json()]).toEqual([404, { error: "no proposal '98@loop-pit:1/speeding'" }]);
    // The second call's id, before that visit exists.
    r = await api.post('/api/decision', { proposal: firstId.replace('/speeding', '/speeding-on-pass-through'), decision: 'confirm', who: WHO, why: 'x' });
    expect(r.status).toBe(404);

    for (const [body, error] of [
      [{ proposal: firstId, decision: 'dismiss', who: WHO }, 'why must be a non-empty string of at most 500 characters'],
      [{ proposal: firstId, decision: 'dismiss', who: WHO, why: '' }, 'why must be a non-empty string of at most 500 characters'],
      [{ proposal: firstId, decision: 'dismiss', who: WHO, why: '   ' }, 'why must be a non-empty string of at most 500 characters'],
      [{ proposal: firstId, decision: 'maybe', who: WHO, why: 'x' }, 'decision must be confirm or dismiss'],
      [{ proposal: firstId, decision: 'confirm', why: 'x' }, 'who must be a non-empty string of at most 64 characters'],
      [{ proposal: firstId, decision: 'confirm', who: 'x'.repeat(65), why: 'x' }, 'who must be a non-empty string of at most 64 characters'],
      [{ decision: 'confirm', who: WHO, why: 'x' }, 'proposal must be a non-empty string of at most 200 characters'],
      [[firstId, 'confirm'], 'body must be a JSON object'],
    ] as const) {
      r = await api.post('/api/decision', body);
      expect([JSON.stringify(body), r.status, r.json()]).toEqual([JSON.stringify(body), 400, { error }]);
    }
    expect(fed.gw.log.count()).toBe(entries);
    expect((await api.read('/api/officiating')).proposals[0].status).toBe('proposed');
  });

  test('R-PEN-3, R-PIT-SPEED-1: confirmed by an official, a pass-through (the card\u2019s green column) is outstanding', async () => {
    decidedUs.first = fed.time.nowUs;
    const r = await api.post('/api/decision', { proposal: firstId, decision: 'confirm', who: WHO, why: 'segment 2 at 36.50 mph, loops and video agree' });
    expect([r.status, r.json()]).toEqual([200, { ok: true }]);

    const o = await api.read('/api/officiating');
    const decision = { decision: 'confirm', who: WHO, why: 'segment 2 at 36.50 mph, loops and video agree', atUs: decidedUs.first };
    expect(o.proposals[0]).toMatchObject({ id: firstId, status: 'confirmed', column: 'green', penalty: 'pass-through', decision, history: [decision] });
    expect(o.penalties).toEqual([
      { id: firstId, car: '98', rule: 'R-PIT-SPEED-1', penalty: 'pass-through', assessedUs: decidedUs.first, status: 'outstanding', servedUs: null, servedBy: null, addedS: 0, lapsOff: 0 },
    ]);
    const state = await api.read('/api/state');
    expect(state.officiating.proposals).toEqual({ proposed: 0, confirmed: 1, dismissed: 0, closeCalls: 0 });
    expect(state.officiating.outstanding).toEqual([{ id: firstId, car: '98', penalty: 'pass-through', rule: 'R-PIT-SPEED-1', assessedUs: decidedUs.first }]);
    // Nothing added to anyone's time while it can still be served.
    const results = await api.read('/api/results');
    expect(results.classification.every((c: any) => c.penaltyS === 0 && c.lapsOff === 0 && c.status === 'running')).toBe(true);
  });

  test('R-PEN-1, R-PIT-SPEED-2: the pass-through serves the penalty; speeding on it is proposed as R-PIT-SPEED-2', async () => {
    // Stretch 2: on past 2 s after 98's pass-through (11's stop is in it too).
    next = feedUntil(fed, race.entries, next, race.at(pass98.pitOutUs + 2_000_000));
    const o = await api.read('/api/officiating');
    expect(o.visits['98']).toHaveLength(2);
    passVisit = o.visits['98'][1];
    expect(passVisit).toMatchObject({ passThrough: true, stop: null, complete: true, otherBoxes: [] });
    expect(passVisit.pitInUs).toBeGreaterThan(decidedUs.first);
    // The whole of pit road: entry line to exit line, as the truth has them.
    expect(Math.abs(passVisit.pitInUs - race.at(pass98.pitInUs))).toBeLessThan(2_000);
    expect(Math.abs(passVisit.pitExitUs - race.at(exitLineUs(race, pass98)))).toBeLessThan(2_000);

    expect(o.penalties[0]).toEqual({
      id: firstId,
      car: '98',
      rule: 'R-PIT-SPEED-1',
      penalty: 'pass-through',
      assessedUs: decidedUs.first,
      status: 'served',
      servedUs: passVisit.pitExitUs,
      servedBy: passVisit.id,
      addedS: 0,
      lapsOff: 0,
    });
    const second = o.proposals.find((p: any) => p.visit === passVisit.id);
    secondId = second.id;
    expect(second).toMatchObject({
      ...PROPOSED_98,
      id: `${passVisit.id}/speeding-on-pass-through`,
      violation: 'speeding-on-pass-through',
      rule: 'R-PIT-SPEED-2',
      summary: 'car 98: 37.20 mph against 30.00 + tolerance, over in segment 4',
    });
    expect(second.evidence.over).toEqual([4]);
    expect(second.evidence.segments.map((s: any) => [s.segment, s.over])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, false],
    ]);
    // One call for the visit, not also as plain speeding.
    expect(o.proposals.filter((p: any) => p.visit === passVisit.id)).toHaveLength(1);
    expect((await api.read('/api/state')).officiating.outstanding).toEqual([]);
  });

  test('R-PEN-3: a dismissal with its reason stands in the record and leaves no penalty', async () => {
    let o = await api.read('/api/officiating');
    const call = o.proposals.find((p: any) => p.car === '11');
    dismissedId = call.id;
    expect(call).toMatchObject({ rule: 'R-PIT-SPEED-1', status: 'proposed', penalty: 'pass-through', evidence: { over: [3] } });
    const why = 'inconclusive: timing line 3 reported a fault during the visit';
    decidedUs.dismissed = fed.time.nowUs;
    const r = await api.post('/api/decision', { proposal: dismissedId, decision: 'dismiss', who: 'Pit Road Official J. Moss', why });
    expect([r.status, r.json()]).toEqual([200, { ok: true }]);
    o = await api.read('/api/officiating');
    const decision = { decision: 'dismiss', who: 'Pit Road Official J. Moss', why, atUs: decidedUs.dismissed };
    expect(o.proposals.find((p: any) => p.id === dismissedId)).toMatchObject({ status: 'dismissed', decision, history: [decision] });
    expect(o.penalties.filter((p: any) => p.car === '11')).toEqual([]);
    expect((await api.read('/api/state')).officiating.proposals).toEqual({ proposed: 1, confirmed: 1, dismissed: 1, closeCalls: 0 });
  });

  test('R-PIT-SPEED-2: confirmed, a second pass-through is outstanding', async () => {
    decidedUs.second = fed.time.nowUs;
    const why = 'segment 4 at 37.20 mph while serving the pass-through';
    const r = await api.post('/api/decision', { proposal: secondId, decision: 'confirm', who: WHO, why });
    expect([r.status, r.json()]).toEqual([200, { ok: true }]);
    const o = await api.read('/api/officiating');
    expect(o.proposals.find((p: any) => p.id === secondId)).toMatchObject({ status: 'confirmed', decision: { decision: 'confirm', who: WHO, why, atUs: decidedUs.second } });
    expect(o.penalties.map((p: any) => [p.id, p.rule, p.penalty, p.status])).toEqual([
      [firstId, 'R-PIT-SPEED-1', 'pass-through', 'served'],
      [secondId, 'R-PIT-SPEED-2', 'pass-through', 'outstanding'],
    ]);
    expect((await api.read('/api/state')).officiating.outstanding).toEqual([{ id: secondId, car: '98', penalty: 'pass-through', rule: 'R-PIT-SPEED-2', assessedUs: decidedUs.second }]);
  });

  test('R-PEN-2: the pass-through not served by the finish becomes 30 s on the total time, and drops 98 behind 5', async () => {
    // Stretch 3: to the end of the race.
    next = feedUntil(fed, race.entries, next, Infinity);
    expect(next).toBe(race.entries.length);
    const o = await api.read('/api/officiating');
    expect(o.penalties).toEqual([
      { id: firstId, car: '98', rule: 'R-PIT-SPEED-1', penalty: 'pass-through', assessedUs: decidedUs.first, status: 'served', servedUs: passVisit.pitExitUs, servedBy: passVisit.id, addedS: 0, lapsOff: 0 },
      { id: secondId, car: '98', rule: 'R-PIT-SPEED-2', penalty: 'pass-through', assessedUs: decidedUs.second, status: 'converted', servedUs: null, servedBy: null, addedS: 30, lapsOff: 0 },
    ]);
    expect(o.visits['98']).toHaveLength(2);
    expect((await api.read('/api/state')).officiating.outstanding).toEqual([]);

    const r = await api.get('/api/results');
    finalText = r.text;
    const results = r.json();
    expect(results.penalties).toEqual(o.penalties);
    expect(results.violations.map((v: any) => [v.id, v.rule, v.status])).toEqual([
      [firstId, 'R-PIT-SPEED-1', 'confirmed'],
      [dismissedId, 'R-PIT-SPEED-1', 'dismissed'],
      [secondId, 'R-PIT-SPEED-2', 'confirmed'],
    ]);
    const row = results.classification.find((c: any) => c.car === '98');
    const finish = race.truth.finish.find((f) => f.car === '98')!;
    const green = race.truth.flags.find((f) => f.flag === 'green')!;
    expect(row).toMatchObject({ car: '98', laps: finish.laps, status: 'running', penaltyS: 30, lapsOff: 0, why: null });
    // R-SF-2 + R-PEN-2: its last crossing − green + 30 s; the crossing to R-SF-1's nose correction.
    expect(Math.abs(row.timeS - ((finish.noseUs - green.atUs) / 1e6 + 30))).toBeLessThan(0.002);

    // The same log without the second confirmation: exactly 30 s less, and 98 ahead of 5.
    const isSecond = (e: LogEntry): boolean => e.source === 'race-control' && e.action.action === 'decision' && e.action.proposal === secondId;
    const without = replay([...fed.gw.log.entries()].filter((e) => !isSecond(e))).results();
    const base = without.classification.find((c) => c.car === '98')!;
    expect(base).toMatchObject({ penaltyS: 0, laps: row.laps });
    expect(Math.round(row.timeS * 1e6) - Math.round(base.timeS! * 1e6)).toBe(30_000_000);
    const order = (rows: Array<{ car: string }>): string[] => rows.map((c) => c.car);
    expect(order(without.classification)).toEqual(['34', '9', '11', '98', '5']);
    expect(order(results.classification)).toEqual(['34', '9', '11', '5', '98']);
    const five = results.classification.find((c: any) => c.car === '5');
    expect(five.laps).toBe(row.laps);
    expect(five.timeS).toBeGreaterThan(base.timeS!);
    expect(five.timeS).toBeLessThan(row.timeS);
    expect(results.classification.map((c: any) => c.pos)).toEqual([1, 2, 3, 4, 5]);
    expect(results.classification.filter((c: any) => c.car !== '98').every((c: any) => c.penaltyS === 0)).toBe(true);
  });

  test('R-AUDIT-1: every decision is in the event log, with who and why; the refused ones are not', () => {
    const decisions = loggedActions(fed.gw.log.entries(), 'decision');
    const d = (proposal: string, decision: 'confirm' | 'dismiss', who: string, why: string): Action => ({ action: 'decision', proposal, decision, who, why });
    expect(decisions).toEqual([
      { atUs: decidedUs.first, action: d(firstId, 'confirm', WHO, 'segment 2 at 36.50 mph, loops and video agree') },
      { atUs: decidedUs.dismissed, action: d(dismissedId, 'dismiss', 'Pit Road Official J. Moss', 'inconclusive: timing line 3 reported a fault during the visit') },
      { atUs: decidedUs.second, action: d(secondId, 'confirm', WHO, 'segment 4 at 37.20 mph while serving the pass-through') },
    ]);
    expect(fed.gw.log.count()).toBe(race.entries.length + 3);
  });

  test('R-AUDIT-1: a replay of the log gives byte-identical results.json, in this process and with pitwall results --db', async () => {
    const replayed = replay(fed.gw.log.entries()).results();
    expect(JSON.stringify(replayed)).toBe(finalText);
    const want = resultsJson(replayed);
    expect(resultsJson(fed.gw.results())).toBe(want);
    await fed.gw.stop();
    stopped = true;
    const log = EventLog.open(db);
    try {
      expect(resultsJson(replay(log.entries()).results())).toBe(want);
    } finally {
      log.close();
    }
    const printed = { stdout: [] as string[], stderr: [] as string[] };
    expect(await runPitwall(['results', '--db', db], printed)).toBe(0);
    expect(printed.stdout.join('')).toBe(want);
  });
});

describe('the stop-and-go release through the API', () => {
  test('R-PEN-1: POST /api/release of a truck in the field is 200 and logged with the official who released it', async () => {
    const { fed: small, api: smallApi } = await apiGateway(':memory:');
    try {
      small.time.nowUs = 1_000_000;
      expect((await smallApi.post('/api/setup', tinySetup('release test', [{ id: 'loop-sf', kind: 'loop' }, { id: 'box-01', kind: 'box' }]))).status).toBe(200);
      expect((await smallApi.post('/api/release', { car: '99', who: WHO })).json()).toEqual({ error: "car '99' is not in the field" });
      small.time.nowUs = 2_000_000;
      const r = await smallApi.post('/api/release', { car: '1', who: WHO });
      expect([r.status, r.json()]).toEqual([200, { ok: true }]);
      expect([...small.gw.log.entries()].at(-1)).toMatchObject({ atUs: 2_000_000, source: 'race-control', action: { action: 'release', car: '1', who: WHO } });
    } finally {
      await small.gw.stop();
    }
  });
});
