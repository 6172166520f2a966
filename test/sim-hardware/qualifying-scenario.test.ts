// Qualifying sessions in the simulator (scenario.md "Qualifying sessions", race.md
// "Qualifying"): the scenario keys and their refusals naming the field, how the plan
// runs a session (each truck its own laps, red flags at a time, race control's round
// calls) and truth.json `qualifying` (R-QUAL-1..5) for the shipped session, without
// any board.
import { describe, expect, test } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import { planRace, RacePlanError } from '../../sim-hardware/race-plan.js';
import { ScenarioError, loadScenario, validateScenario } from '../../sim-hardware/scenario.js';
import type { QualifyingTruth } from '../../sim-hardware/qualifying-truth.js';
import { prepareRace } from '../../sim-hardware/simulation.js';
import { loadTrack } from '../../sim-hardware/track.js';

const SHIPPED = repoPath('sim-hardware', 'scenarios', 'martinsville-qualifying.json');

function valid(): any {
  return {
    track: 'martinsville',
    session: 'qualifying',
    laps: 6,
    seed: 3,
    gridGapS: 2,
    qualifying: { rounds: [{ minutes: 1, timedLaps: 2, advance: 2 }, { minutes: 1, timedLaps: 2 }] },
    roundStartsS: [8, 90],
    field: [
      { car: '1', driver: 'A. Driver', transponder: 101, box: 1, noseOffsetM: 1.5, ownerPoints: 120, lapTimes: [22, 19.8, 19.7, 19.9, 19.8, 19.9] },
      { car: '2', driver: 'B. Driver', transponder: 102, box: 2, noseOffsetM: 1.6, paceS: 19.9 },
      { car: '38', driver: 'C. Driver', transponder: 103, box: 3, noseOffsetM: 1.4, ownerPoints: 0, paceS: 20.1 },
    ],
    redFlags: [{ atS: 30, minutes: 0.5 }],
  };
}

function errorOf(s: unknown): string {
  try {
    validateScenario(s, 'scenario.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('scenario was accepted');
}

describe('qualifying scenarios', () => {
  test('a valid one loads: its format, round starts, owner points and red flags at a time; stages [laps]', () => {
    const s = validateScenario(valid(), 'scenario.json');
    expect(s.session).toBe('qualifying');
    expect(s.qualifying).toEqual({ rounds: [{ minutes: 1, timedLaps: 2, advance: 2 }, { minutes: 1, timedLaps: 2 }] });
    expect(s.roundStartsS).toEqual([8, 90]);
    expect(s.stages).toEqual([6]);
    expect(s.field.map((e) => e.ownerPoints)).toEqual([120, undefined, 0]);
    expect(s.redFlags).toEqual([{ lap: 0, atS: 30, minutes: 0.5 }]);
    expect(validateScenario({ ...valid(), stages: [6] }, 'scenario.json').stages).toEqual([6]);
  });

  test('the shipped martinsville-qualifying loads: one round of 1.5 minutes, two timed laps (R-QUAL-2), a red flag, owner points for all', () => {
    const s = loadScenario(SHIPPED);
    expect(s.qualifying).toEqual({ rounds: [{ minutes: 1.5, timedLaps: 2 }] });
    expect(s.roundStartsS).toEqual([16]);
    expect(s.redFlags).toEqual([{ lap: 0, atS: 50, minutes: 1 }]);
    expect(s.field.every((e) => typeof e.ownerPoints === 'number')).toBe(true);
  });

  test.each<[string, (s: any) => void, RegExp]>([
    ['no format', (s) => delete s.qualifying, /^scenario\.json: qualifying: missing/],
    ['a race with a format', (s) => (s.session = 'race', (s.stages = [6]), delete s.redFlags), /^scenario\.json: qualifying: only a qualifying session has one/],
    ['a race with round starts', (s) => (s.session = 'race', (s.stages = [6]), delete s.redFlags, delete s.qualifying), /^scenario\.json: roundStartsS: only a qualifying session has one/],
    ['no rounds', (s) => (s.qualifying.rounds = []), /^scenario\.json: qualifying\.rounds: must have at least 1 entry/],
    ['eleven rounds', (s) => (s.qualifying.rounds = Array.from({ length: 11 }, () => ({ minutes: 1, timedLaps: 1, advance: 1 }))), /^scenario\.json: qualifying\.rounds: must have at most 10 rounds/],
    ['an unknown key in a round', (s) => (s.qualifying.rounds[0].laps = 2), /^scenario\.json: qualifying\.rounds\[0\]\.laps: unknown key/],
    ['three timed laps', (s) => (s.qualifying.rounds[1].timedLaps = 3), /^scenario\.json: qualifying\.rounds\[1\]\.timedLaps: must be 1 or 2 \(R-QUAL-2/],
    ['no minutes', (s) => (s.qualifying.rounds[0].minutes = 0), /^scenario\.json: qualifying\.rounds\[0\]\.minutes: must be > 0/],
    ['too many minutes', (s) => (s.qualifying.rounds[0].minutes = 241), /^scenario\.json: qualifying\.rounds\[0\]\.minutes: must be <= 240/],
    ['no advance before the last round', (s) => delete s.qualifying.rounds[0].advance, /^scenario\.json: qualifying\.rounds\[0\]\.advance: missing: how many trucks go on to round 2/],
    ['an advance on the last round', (s) => (s.qualifying.rounds[1].advance = 1), /^scenario\.json: qualifying\.rounds\[1\]\.advance: the last round has no next round/],
    ['a fractional advance', (s) => (s.qualifying.rounds[0].advance = 1.5), /^scenario\.json: qualifying\.rounds\[0\]\.advance: must be an integer/],
    [
      'more going on than came in',
      (s) => (s.qualifying.rounds = [{ minutes: 1, timedLaps: 1, advance: 2 }, { minutes: 1, timedLaps: 1, advance: 3 }, { minutes: 1, timedLaps: 1 }], (s.roundStartsS = [8, 90, 200])),
      /^scenario\.json: qualifying\.rounds\[1\]\.advance: must be at most round 1's advance \(2\)/,
    ],
    ['no round starts', (s) => delete s.roundStartsS, /^scenario\.json: roundStartsS: missing: when race control starts each of the 2 rounds/],
    ['one start for two rounds', (s) => (s.roundStartsS = [8]), /^scenario\.json: roundStartsS: must have one start per qualifying round \(2\), got 1/],
    ['rounds out of order', (s) => (s.roundStartsS = [90, 8]), /^scenario\.json: roundStartsS\[1\]: must be after roundStartsS\[0\] \(90\)/],
    ['a start before the green', (s) => (s.roundStartsS = [-1, 90]), /^scenario\.json: roundStartsS\[0\]: must be >= 0/],
    ['a caution', (s) => (s.cautions = [{ lap: 2, laps: 1 }]), /^scenario\.json: cautions: a qualifying session has no cautions/],
    ['stages', (s) => (s.stages = [3, 6]), /^scenario\.json: stages: a qualifying session has no stages/],
    ['a red flag on a lap', (s) => (s.redFlags = [{ lap: 3, minutes: 1 }]), /^scenario\.json: redFlags\[0\]\.lap: unknown key/],
    ['a red flag with no time', (s) => (s.redFlags = [{ minutes: 1 }]), /^scenario\.json: redFlags\[0\]\.atS: missing/],
    ['red flags overlapping', (s) => s.redFlags.push({ atS: 50, minutes: 1 }), /^scenario\.json: redFlags\[1\]\.atS: must come after redFlags\[0\] is over \(60 s\)/],
    ['a round starting under red', (s) => (s.roundStartsS = [8, 45]), /^scenario\.json: roundStartsS\[1\]: round 2 would start while redFlags\[0\] is out \(30 to 60 s\)/],
    ['negative owner points', (s) => (s.field[0].ownerPoints = -1), /^scenario\.json: field\[0\]\.ownerPoints: must be >= 0/],
    ['owner points as a string', (s) => (s.field[0].ownerPoints = '12'), /^scenario\.json: field\[0\]\.ownerPoints: must be a finite number/],
  ])('refused: %s', (_, edit, message) => {
    const s = valid();
    edit(s);
    expect(errorOf(s)).toMatch(message);
  });

  test('owner points are a field key of a race too (R-QUAL-5 has them from the set-up whatever the session)', () => {
    const race = { ...valid(), session: 'race', stages: [6] };
    delete race.qualifying;
    delete race.roundStartsS;
    delete race.redFlags;
    expect(validateScenario(race, 'scenario.json').field[0]!.ownerPoints).toBe(120);
  });
});

describe('the plan of a qualifying session', () => {
  const plan = () => planRace(validateScenario(valid(), 'scenario.json'), loadTrack('martinsville'));

  test('every truck runs its own laps and is done; no leader\'s flags: green, red at its time, green, checkered after the last truck', () => {
    const p = plan();
    for (const c of p.cars) {
      expect(c.finishLap, `car ${c.entry.car}`).toBe(6);
      expect(c.crossings.map((k) => k.lap)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(c.finishUs).toBe(c.crossings[c.crossings.length - 1]!.noseUs);
    }
    const last = Math.max(...p.cars.map((c) => c.finishUs));
    expect(p.flags.map((f) => [f.flag, f.atUs])).toEqual([
      ['green', 0],
      ['red', 30e6],
      ['green', 60e6],
      ['checkered', last],
    ]);
    expect(p.pitRoad.map((x) => [x.why, x.open, x.atUs])).toEqual([
      ['green', true, 0],
      ['red', false, 30e6],
      ['red-over', true, 60e6],
      ['checkered', true, last],
    ]);
  });

  test('race control\'s round calls: each start at its time, the red and green on the round under way', () => {
    expect(plan().roundCalls).toEqual([
      { atUs: 8e6, round: 1, call: 'start' },
      { atUs: 30e6, round: 1, call: 'red' },
      { atUs: 60e6, round: 1, call: 'green' },
      { atUs: 90e6, round: 2, call: 'start' },
    ]);
    // A red before any round has started is a flag only.
    const early = validateScenario({ ...valid(), redFlags: [{ atS: 1, minutes: 0.1 }] }, 'scenario.json');
    expect(planRace(early, loadTrack('martinsville')).roundCalls.map((c) => c.call)).toEqual(['start', 'start']);
  });

  test('R-QUAL-4 in the motion: the red stops every truck on its next lap, released 0.5 s apart after it; those laps are not scripted', () => {
    const p = plan();
    const stops = p.cars.flatMap((c) => c.redStops.map((s) => ({ car: c.entry.car, ...s })));
    expect(stops).toHaveLength(3);
    for (const s of stops) expect(s.toUs).toBeGreaterThanOrEqual(60e6);
    expect(stops.map((s) => s.toUs).sort((a, b) => a - b)).toEqual([60e6, 60.5e6, 61e6]);
  });

  test('a round start or a red flag after the last truck has run its laps is refused, naming it', () => {
    const late = validateScenario({ ...valid(), roundStartsS: [8, 900] }, 'scenario.json');
    expect(() => planRace(late, loadTrack('martinsville'))).toThrow(RacePlanError);
    expect(() => planRace(late, loadTrack('martinsville'))).toThrow(/^roundStartsS\[1\]: round 2 would start at 900 s, after the last truck has run its laps/);
    const red = validateScenario({ ...valid(), redFlags: [{ atS: 130, minutes: 1 }] }, 'scenario.json');
    expect(() => planRace(red, loadTrack('martinsville'))).toThrow(/^redFlags\[0\]: out from 130 s until 190 s, after the last truck has run its laps/);
  });
});

describe('truth.json qualifying', () => {
  test('a race has none', () => {
    expect(prepareRace(repoPath('sim-hardware', 'scenarios', 'martinsville-10.json')).truth.qualifying).toBeNull();
  });

  const shipped = () => {
    const { truth, plan } = prepareRace(SHIPPED);
    return { q: truth.qualifying as QualifyingTruth, truth: truth as any, plan };
  };

  test('R-QUAL-1: laps run from one crossing of the track\'s line to the next; #9\'s laps ending and beginning on pit road are none', () => {
    const { q, truth } = shipped();
    const laps = q.rounds[0]!.laps;
    const pit = truth.laps.filter((l: any) => l.onPitRoad);
    expect(pit.map((l: any) => [l.car, l.lap])).toEqual([['9', 2]]);
    expect(laps.filter((l) => l.car === '9').map((l) => l.lap)).toEqual([1, 4, 5, 6, 7]);
    for (const e of truth.field) expect(laps.filter((l) => l.car === e.car).length, `#${e.car}`).toBe(e.car === '9' ? 5 : 7);
    // Each lap's time is its crossings' difference; a scripted lap's is its lapTimes entry to the nanosecond.
    const scenario = loadScenario(SHIPPED);
    for (const l of laps) {
      expect(l.timeUs).toBeCloseTo(l.endUs - l.startUs, 2);
      const scripted = truth.laps.find((x: any) => x.car === l.car && x.lap === l.lap).scripted;
      if (scripted) expect(Math.abs(l.timeUs - scenario.field.find((e) => e.car === l.car)!.lapTimes![l.lap - 1]! * 1e6), `#${l.car} lap ${l.lap}`).toBeLessThan(0.01);
    }
  });

  test('R-QUAL-2/3/4: the clock stopped for the red expires at 166 s; out-laps, red laps, laps beyond two and late crossings are not timed, with their rule', () => {
    const { q } = shipped();
    const r = q.rounds[0]!;
    expect([r.startUs, r.expiresUs, r.endedUs, r.redPeriods]).toEqual([16e6, 166e6, null, [{ fromUs: 50e6, toUs: 110e6 }]]);
    const count = (why: string | null) => r.laps.filter((l) => l.why === why).length;
    expect({ counted: count(null), out: count('begun-before-start'), red: count('red-flag'), beyond: count('beyond-timed-laps'), late: count('after-expiry') }).toEqual({
      counted: 14,
      out: 7,
      red: 13,
      beyond: 3,
      late: 10,
    });
    for (const l of r.laps) expect(l.rule).toBe(l.why === null ? null : { 'begun-before-start': 'R-QUAL-2', 'red-flag': 'R-QUAL-4', 'after-expiry': 'R-QUAL-3', 'beyond-timed-laps': 'R-QUAL-2' }[l.why as string]);
    // R-QUAL-3: the first crossing after expiry counts for #88, #19, #4 (their second timed lap) and #9.
    for (const car of ['88', '19', '4', '9']) expect(r.laps.find((l) => l.car === car && l.endUs > 166e6)!.counted, `#${car}`).toBe(true);
  });

  test('R-QUAL-5: #34 and #98 tie to the µs; owner points put #34 ahead though #98 posted first', () => {
    const { q } = shipped();
    expect(q.order.map((p) => [p.pos, p.car, p.timeUs, p.ownerPoints, p.decidedBy])).toEqual([
      [1, '11', 19_688_000, 412, null],
      [2, '34', 19_705_000, 401, 'time'],
      [3, '98', 19_705_000, 388, 'owner-points'],
      [4, '9', 19_720_000, 350, 'time'],
      [5, '88', 19_790_000, 300, 'time'],
      [6, '4', 19_830_000, 260, 'time'],
      [7, '19', 19_860_000, 275, 'time'],
    ]);
    const [p34, p98] = [q.order[1]!, q.order[2]!];
    expect(p34.exactUs).toBe(p98.exactUs);
    expect(p98.postedUs!).toBeLessThan(p34.postedUs!);
    expect(q.order.every((p) => p.round === 1)).toBe(true);
  });
});
