// The race plan against its contracts (race-plan.ts, race-truth.ts): the shipped
// scenarios and 20 random ones are planned (no boards) and their truth.json is checked
// against the scenario — lap times, grid gaps, pit road speeds and boxes, flags and pit
// road open/closed, red flags, and where each truck's transponder crosses the loops.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import { CAUTION_PACE_FACTOR, planRace, RacePlanError, RED_RELEASE_GAP_S, type CarPlan, type RacePlan } from '../../sim-hardware/race-plan.js';
import type { Scenario } from '../../sim-hardware/scenario.js';
import { validateScenario } from '../../sim-hardware/scenario.js';
import { prepareRace } from '../../sim-hardware/simulation.js';
import { boxSpanM, loadTrack, pitSegments, type Track } from '../../sim-hardware/track.js';
import { randomScenario } from '../support/random-scenario.js';
import { asTruth, planTruth, type Truth, type TruthLap } from '../support/truth.js';

interface Case {
  name: string;
  scenario: Scenario;
  track: Track;
  plan: RacePlan;
  truth: Truth;
}

const shippedPath = (name: string): string => repoPath('sim-hardware', 'scenarios', name);
const RANDOM_SEEDS = Array.from({ length: 20 }, (_, i) => 7001 + i);

const cache = new Map<string, Case>();
function shipped(name: string): Case {
  let c = cache.get(name);
  if (!c) {
    const r = prepareRace(shippedPath(name));
    c = { name, scenario: r.scenario, track: r.track, plan: r.plan, truth: asTruth(r.truth) };
    cache.set(name, c);
  }
  return c;
}
function random(seed: number): Case {
  const name = `random-${seed}`;
  let c = cache.get(name);
  if (!c) {
    c = { name, ...planTruth(randomScenario(seed), `${name}.json`) };
    cache.set(name, c);
  }
  return c;
}

const SHIPPED = ['martinsville-10.json', 'martinsville-200.json', 'martinsville-pit-violations.json'];
const CASES: Array<[string, () => Case]> = [
  ...SHIPPED.map((n): [string, () => Case] => [n, () => shipped(n)]),
  ...RANDOM_SEEDS.map((s): [string, () => Case] => [`random-${s}`, () => random(s)]),
];
const allCases = (): Case[] => CASES.map(([, f]) => f());

/** Laps of a truck the lapTimes contract leaves out: a stop's two laps, and any lap it stopped in under red. */
function exceptedLaps(c: Case, car: string): { stop: Set<number>; red: Set<number> } {
  const stop = new Set<number>();
  for (const p of c.truth.pitStops) {
    if (p.car !== car) continue;
    stop.add(p.lap);
    stop.add(p.lap + 1);
  }
  const red = new Set(c.truth.redStops.filter((r) => r.car === car).map((r) => r.lap));
  return { stop, red };
}

const lapsOf = (c: Case, car: string): TruthLap[] => c.truth.laps.filter((l) => l.car === car);
const limits = (c: Case) => {
  const limit = c.scenario.event?.pitSpeedLimitMph ?? c.track.pitRoad.speedLimitMph;
  const tolerance = c.scenario.event?.pitSpeedToleranceMph ?? c.track.pitRoad.toleranceMph;
  return { limit, tolerance };
};
/** Pit road open at an instant by the timeline in truth.json (the last change at or before it). */
function openAt(c: Case, tUs: number): boolean {
  let open = false;
  for (const p of c.truth.pitRoad) if (p.atUs <= tUs) open = p.open;
  return open;
}
const near = (a: number | undefined, b: number, tol: number): boolean => a !== undefined && Math.abs(a - b) <= tol;

describe('randomScenario', () => {
  test('is deterministic, valid and varied', () => {
    expect(randomScenario(7001)).toEqual(randomScenario(7001));
    expect(randomScenario(7001)).not.toEqual(randomScenario(7002));
    const all = RANDOM_SEEDS.map((s) => randomScenario(s));
    for (const [i, s] of all.entries()) {
      expect(() => validateScenario(s, `random-${RANDOM_SEEDS[i]}.json`)).not.toThrow();
      expect(s.field.length).toBeGreaterThanOrEqual(4);
      expect(s.field.length).toBeLessThanOrEqual(12);
      expect(s.laps).toBeGreaterThanOrEqual(12);
      expect(s.laps).toBeLessThanOrEqual(30);
      expect(s.field.some((e) => e.paceS !== undefined)).toBe(true);
      expect(s.field.some((e) => e.lapTimes !== undefined)).toBe(true);
    }
    const stops = all.flatMap((s) => s.pitStops);
    expect(stops.length).toBeGreaterThan(20);
    expect(all.some((s) => s.redFlags.length > 0)).toBe(true);
    expect(all.some((s) => s.faults.some((f) => f.kind === 'missed-read'))).toBe(true);
    expect(all.some((s) => s.cautions.length > s.stages.length - 1)).toBe(true);
  });
});

describe('lap times (R-SF-1: a lap is nose to nose)', () => {
  test.each(CASES)('the lapTimes and gridGapS contract holds exactly in truth.json: %s', (_, get) => {
    const c = get();
    let scripted = 0;
    c.scenario.field.forEach((e, i) => {
      const laps = lapsOf(c, e.car);
      const lap0 = laps.find((l) => l.lap === 0);
      expect(lap0, `car ${e.car} lap 0`).toBeDefined();
      expect(Math.abs(lap0!.noseUs - i * c.scenario.gridGapS * 1e6), `car ${e.car}: the green at i × gridGapS`).toBeLessThanOrEqual(0.001);
      const { stop, red } = exceptedLaps(c, e.car);
      for (const l of laps) {
        const covered = e.lapTimes !== undefined && l.lap > 0 && !stop.has(l.lap) && !red.has(l.lap);
        expect(l.scripted, `car ${e.car} lap ${l.lap}: scripted exactly when lapTimes covers it`).toBe(covered);
        if (!l.scripted) continue;
        scripted++;
        expect(l.pitStop).toBe(false);
        expect(l.redFlagStopS).toBe(0);
        expect(Math.abs(l.lapS! - e.lapTimes![l.lap - 1]!), `car ${e.car} lap ${l.lap}`).toBeLessThanOrEqual(1e-9);
      }
    });
    expect(scripted, 'scripted laps').toBeGreaterThan(0);
  });

  test.each(CASES)('truth crossings of the start/finish loops agree with truth.laps: %s', (_, get) => {
    const c = get();
    const sf = new Map(c.track.loops.filter((l) => l.role === 'start-finish').map((l) => [l.id, l.path]));
    for (const f of c.truth.finish) {
      const laps = lapsOf(c, f.car);
      const crossings = c.truth.crossings.filter((x) => x.car === f.car && sf.has(x.loop));
      for (const l of laps) {
        const at = crossings.filter((x) => x.lap === l.lap);
        expect(at, `car ${f.car} lap ${l.lap}`).toHaveLength(1);
        expect(at[0]!.path).toBe(l.onPitRoad ? 'pit' : 'track');
        expect(sf.get(at[0]!.loop)).toBe(at[0]!.path);
        expect(Math.abs(at[0]!.noseUs - l.noseUs), `car ${f.car} lap ${l.lap}`).toBeLessThanOrEqual(0.01);
      }
      // Anything more is after its finish (the cool-down).
      for (const x of crossings) if (!laps.some((l) => l.lap === x.lap)) expect(x.noseUs).toBeGreaterThan(f.noseUs);
    }
  });

  test.each(CASES)('paceS trucks lap in paceS, and CAUTION_PACE_FACTOR × paceS under caution: %s', (_, get) => {
    const c = get();
    let checked = 0;
    for (const e of c.scenario.field) {
      if (e.paceS === undefined) continue;
      const { stop, red } = exceptedLaps(c, e.car);
      for (const l of lapsOf(c, e.car)) {
        if (l.lap === 0 || stop.has(l.lap) || red.has(l.lap)) continue;
        const want = l.caution ? e.paceS * CAUTION_PACE_FACTOR : e.paceS;
        expect(Math.abs(l.lapS! - want), `car ${e.car} lap ${l.lap} (caution ${l.caution})`).toBeLessThanOrEqual(1e-9);
        checked++;
      }
    }
    if (c.scenario.field.some((e) => e.paceS !== undefined)) expect(checked).toBeGreaterThan(0);
  });

  test('under caution a paceS truck runs slower laps (martinsville-10: caution laps 6 and 7 of the leader)', () => {
    const c = shipped('martinsville-10.json');
    const leader = lapsOf(c, '11');
    expect(leader.filter((l) => l.caution).map((l) => l.lap)).toEqual([6, 7]);
    expect(leader.find((l) => l.lap === 6)!.lapS).toBeCloseTo(20.1 * CAUTION_PACE_FACTOR, 9);
  });
});

describe('pit road (R-PIT-SPEED-1, R-PIT-BOX-2)', () => {
  test.each(CASES)('segment speeds: scripted exact, unscripted under the limit, the stop in its own segments, speeding[] is what is over (R-PIT-SPEED-1): %s', (_, get) => {
    const c = get();
    const { limit, tolerance } = limits(c);
    const segments = pitSegments(c.track);
    expect(c.truth.scenario.pitSpeedLimitMph).toBe(limit);
    expect(c.truth.scenario.pitSpeedToleranceMph).toBe(tolerance);
    for (const p of c.truth.pitStops) {
      const stop = c.scenario.pitStops[p.index]!;
      expect(p.car).toBe(stop.car);
      expect(p.lap).toBe(stop.lap);
      const box = c.track.pitRoad.boxes.find((b) => b.number === p.box)!;
      expect(p.box).toBe(c.scenario.field.find((e) => e.car === p.car)!.box);
      expect(p.segments.map((s) => s.segment)).toEqual(segments.map((s) => s.number));
      expect(p.segments.filter((s) => s.scripted).map((s) => String(s.segment)).sort()).toEqual(Object.keys(stop.segmentMph).sort());
      for (const s of p.segments) {
        const what = `stop ${p.index} (car ${p.car}) segment ${s.segment}`;
        if (s.scripted) {
          expect(s.byStop).toBe(false);
          expect(Math.abs(s.mph - stop.segmentMph[String(s.segment)]!), what).toBeLessThanOrEqual(1e-6);
        } else if (!s.byStop) {
          expect(s.mph, what).toBeLessThan(limit);
          expect(s.mph, what).toBeGreaterThan(limit - 2 - 1e-6);
        }
        expect(s.speeding, what).toBe(s.mph > limit + tolerance);
      }
      expect(p.speeding).toEqual(p.segments.filter((s) => s.mph > limit + tolerance).map((s) => s.segment));
      const byStop = p.segments.filter((s) => s.byStop).map((s) => s.segment);
      // A pass-through never stops: every segment is timed (R-PEN-1).
      const passThrough = (p as typeof p & { passThrough: boolean }).passThrough;
      expect(passThrough).toBe(stop.passThrough === true);
      if (passThrough) {
        expect(byStop, `stop ${p.index}`).toEqual([]);
        expect(p.stop).toBeNull();
        continue;
      }
      // The stop takes a run of segments, and its box lies within them.
      expect(byStop.length, `stop ${p.index}`).toBeGreaterThan(0);
      expect(byStop).toEqual(Array.from({ length: byStop.length }, (_, k) => byStop[0]! + k));
      const [from, to] = boxSpanM(box);
      const seg = (n: number) => segments.find((s) => s.number === n)!;
      expect(seg(byStop[0]!).fromM).toBeLessThan(from);
      expect(seg(byStop[byStop.length - 1]!).toM).toBeGreaterThan(to);
      // It stands in its box for its service (at least a second).
      expect(p.stop.standToUs - p.stop.standFromUs).toBeCloseTo(Math.max(1, stop.serviceS) * 1e6, 2);
      expect(p.pitInUs).toBeLessThan(p.stop.standFromUs);
      expect(p.stop.standToUs).toBeLessThan(p.pitOutUs);
    }
  });

  test.each(CASES)('the box verdict is the pose judged against the box lines (R-PIT-BOX-2): %s', (_, get) => {
    const c = get();
    for (const p of c.truth.pitStops) {
      if (p.stop === null) continue; // a pass-through
      const m = p.stop.margins;
      const k = m.indexOf(Math.min(...m));
      expect(p.stop.marginMm).toBe(m[k]);
      expect(p.stop.clause).toBe('abcd'[k]);
      expect(p.stop.inBox).toBe(m.every((x) => x > 0));
      expect(p.stop.pose).toEqual(c.scenario.pitStops[p.index]!.pose);
    }
  });

  test('random scenarios speed, stop out of the box and script legal segments', () => {
    const stops = RANDOM_SEEDS.flatMap((s) => random(s).truth.pitStops);
    expect(stops.filter((p) => p.speeding.length > 0).length).toBeGreaterThan(3);
    expect(stops.filter((p) => !p.stop.inBox).length).toBeGreaterThan(3);
    expect(stops.filter((p) => p.stop.inBox).length).toBeGreaterThan(stops.length / 2);
    expect(stops.flatMap((p) => p.segments).filter((s) => s.scripted && !s.speeding).length).toBeGreaterThan(10);
    expect(stops.flatMap((p) => p.segments).filter((s) => !s.scripted && !s.byStop).length).toBeGreaterThan(10);
  });

  test('martinsville-10: car 98 speeds in segment 2 only, car 9 is out of its box by clause (b) (R-PIT-SPEED-1, R-PIT-BOX-2)', () => {
    const c = shipped('martinsville-10.json');
    expect(c.truth.pitStops.map((p) => p.car)).toEqual(['98', '9']);
    const [s98, s9] = c.truth.pitStops;
    expect(s98!.speeding).toEqual([2]);
    expect(s98!.segments.find((s) => s.segment === 2)!.mph).toBeCloseTo(35.5, 6);
    expect(s98!.stop.inBox).toBe(true);
    expect(s9!.speeding).toEqual([]);
    expect(s9!.stop).toMatchObject({ inBox: false, clause: 'b' });
    expect(s9!.stop.marginMm).toBeLessThan(0);
    expect(c.truth.skippedStops).toEqual([]);
  });
});

describe('flags and pit road open/closed (R-PIT-OPEN-1, R-PIT-OPEN-3, R-SF-3)', () => {
  test.each(CASES)('flags follow the leader: %s', (_, get) => {
    const c = get();
    const { truth, scenario } = c;
    // The leader of lap n is the first truck to complete it.
    truth.leaderUs.forEach((t, n) => {
      const first = Math.min(...truth.laps.filter((l) => l.lap === n).map((l) => l.noseUs));
      expect(t, `lap ${n}`).toBeCloseTo(first, 3);
    });
    expect(truth.leaderUs).toHaveLength(scenario.laps + 1);
    const flag = (f: string, pred: (x: (typeof truth.flags)[number]) => boolean = () => true) => truth.flags.filter((x) => x.flag === f && pred(x));
    scenario.cautions.forEach((x, i) => {
      expect(flag('yellow', (f) => f.caution === i).map((f) => f.atUs)).toEqual([truth.leaderUs[x.lap - 1]]);
      const greenAt = truth.leaderUs[x.lap + x.laps - 1];
      expect(flag('green', (f) => f.caution === i).map((f) => f.atUs)).toEqual(greenAt === undefined ? [] : [greenAt]);
    });
    scenario.stages.slice(0, -1).forEach((s, i) => expect(flag('stage-end', (f) => f.stage === i).map((f) => f.atUs)).toEqual([truth.leaderUs[s]]));
    expect(flag('white').map((f) => f.atUs)).toEqual([truth.leaderUs[scenario.laps - 1]]);
    expect(flag('checkered').map((f) => f.atUs)).toEqual([truth.leaderUs[scenario.laps]]);
    expect(flag('green', (f) => f.caution === undefined && f.redFlag === undefined).map((f) => f.atUs)).toEqual([0]);
    for (let i = 1; i < truth.flags.length; i++) expect(truth.flags[i]!.atUs).toBeGreaterThanOrEqual(truth.flags[i - 1]!.atUs);
  });

  test.each(CASES)('pit road closes at a caution and opens half a caution lap later (R-PIT-OPEN-1), closes two laps before a stage end (R-PIT-OPEN-3) and under red: %s', (_, get) => {
    const c = get();
    const { truth, scenario } = c;
    const changes = (why: string) => truth.pitRoad.filter((p) => p.why === why);
    expect(truth.pitRoad[0]).toEqual({ atUs: 0, open: true, why: 'green' });
    const closes = changes('caution');
    const opens = changes('caution-open');
    scenario.cautions.forEach((x) => {
      const a = truth.leaderUs[x.lap - 1]!;
      const b = truth.leaderUs[x.lap]!;
      expect(closes.some((p) => !p.open && p.atUs === a), `caution at lap ${x.lap} closes pit road`).toBe(true);
      expect(opens.some((p) => p.open && near(p.atUs, a + (b - a) / 2, 0.002)), `caution at lap ${x.lap} opens pit road half a lap later`).toBe(true);
    });
    expect(closes).toHaveLength(scenario.cautions.length);
    expect(opens).toHaveLength(scenario.cautions.length);
    // R-PIT-OPEN-3 under green only: a stage end two laps away under a caution leaves pit road to the caution's calls.
    const racingAt = (t: number): boolean => {
      let racing = false;
      for (const f of truth.flags) if (f.atUs <= t && (f.flag === 'green' || f.flag === 'yellow' || f.flag === 'red')) racing = f.flag === 'green';
      return racing;
    };
    const stageCloses = changes('stage-end');
    const underGreen = scenario.stages.slice(0, -1).filter((s) => racingAt(truth.leaderUs[s - 2]!));
    underGreen.forEach((s) => expect(stageCloses.some((p) => !p.open && p.atUs === truth.leaderUs[s - 2]), `stage end ${s}`).toBe(true));
    expect(stageCloses).toHaveLength(underGreen.length);
    scenario.redFlags.forEach((r) => {
      const at = truth.leaderUs[r.lap]!;
      expect(changes('red').some((p) => !p.open && p.atUs === at)).toBe(true);
      expect(changes('red-over').some((p) => p.open && near(p.atUs, at + r.minutes * 60e6, 0.002))).toBe(true);
    });
    for (let i = 1; i < truth.pitRoad.length; i++) expect(truth.pitRoad[i]!.atUs).toBeGreaterThanOrEqual(truth.pitRoad[i - 1]!.atUs);
    // Each stop knows whether pit road was open when it crossed the commitment line.
    for (const p of truth.pitStops) expect(p.pitRoadOpen, `stop ${p.index} (car ${p.car}, lap ${p.lap})`).toBe(openAt(c, p.commitmentUs));
  });

  test('random scenarios stop with pit road open and closed', () => {
    const stops = RANDOM_SEEDS.flatMap((s) => random(s).truth.pitStops);
    expect(stops.some((p) => p.pitRoadOpen)).toBe(true);
    expect(stops.some((p) => !p.pitRoadOpen)).toBe(true);
  });

  test('martinsville-10: stage 1 ends at lap 5, pit road closes when the leader completes lap 3 (R-PIT-OPEN-3)', () => {
    const c = shipped('martinsville-10.json');
    expect(c.truth.pitRoad.find((p) => p.why === 'stage-end')).toEqual({ atUs: c.truth.leaderUs[3], open: false, why: 'stage-end' });
    expect(openAt(c, c.truth.leaderUs[3]! - 1)).toBe(true);
    expect(openAt(c, c.truth.leaderUs[4]!)).toBe(false);
  });

  test.each(CASES)('every truck finishes at its first crossing at or after the checkered flag (R-SF-3): %s', (_, get) => {
    const c = get();
    const checkered = c.truth.leaderUs[c.scenario.laps]!;
    expect(c.truth.finish).toHaveLength(c.scenario.field.length);
    for (const f of c.truth.finish) {
      const laps = lapsOf(c, f.car);
      const last = laps[laps.length - 1]!;
      expect(last.noseUs, `car ${f.car}`).toBeGreaterThanOrEqual(checkered);
      expect(f).toEqual({ car: f.car, laps: last.lap, noseUs: last.noseUs });
      for (const l of laps.slice(0, -1)) expect(l.noseUs, `car ${f.car} lap ${l.lap}`).toBeLessThan(checkered);
      expect(laps.map((l) => l.lap)).toEqual(laps.map((_, k) => k));
    }
    expect(Math.min(...c.truth.finish.map((f) => f.noseUs))).toBe(checkered);
  });
});

describe('red flags', () => {
  const withRed = (): Case[] => allCases().filter((c) => c.scenario.redFlags.length > 0);

  test('martinsville-200 and some random scenarios have a red flag', () => {
    expect(shipped('martinsville-200.json').truth.redStops).toHaveLength(36);
    expect(withRed().length).toBeGreaterThan(1);
  });

  test('the field stands under red and is released in the order it came by, RED_RELEASE_GAP_S apart; red laps are not scripted', () => {
    for (const c of withRed()) {
      const len = c.track.lengthM;
      c.scenario.redFlags.forEach((r, i) => {
        const redAt = c.plan.leaderUs[r.lap]!;
        const over = redAt + r.minutes * 60e6;
        const stops = c.plan.cars.flatMap((car) => car.redStops.filter((s) => s.redFlag === i).map((s) => ({ car, s })));
        expect(stops.length, `${c.name}: red ${i}`).toBeGreaterThan(0);
        // In the order they came by: the start of the lap they stopped in.
        const cameBy = (x: { car: CarPlan; s: { lap: number } }) => x.car.crossings.find((k) => k.lap === x.s.lap - 1)!.noseUs;
        const order = [...stops].sort((a, b) => cameBy(a) - cameBy(b) || a.car.index - b.car.index);
        order.forEach((x, rank) => {
          const what = `${c.name}: car ${x.car.entry.car} red ${i}`;
          expect(cameBy(x), what).toBeGreaterThanOrEqual(redAt);
          expect(cameBy(x), what).toBeLessThan(over);
          // It stands (where no loop is) until its release.
          if (x.s.toUs > x.s.fromUs) {
            expect(Math.abs(x.s.toUs - (over + rank * RED_RELEASE_GAP_S * 1e6)), what).toBeLessThan(1e-3);
            const at = x.car.track.positionAt(x.s.fromUs);
            expect(x.car.track.positionAt(x.s.toUs)).toBeCloseTo(at, 6);
            expect(x.car.track.positionAt((x.s.fromUs + x.s.toUs) / 2)).toBeCloseTo(at, 6);
            expect(x.car.track.speedAt((x.s.fromUs + x.s.toUs) / 2)).toBe(0);
            expect(at).toBeCloseTo(x.s.atM, 6);
            const onLap = ((at % len) + len) % len;
            for (const l of c.track.loops.filter((l) => l.path === 'track')) expect(Math.abs(onLap - l.positionM), what).toBeGreaterThan(10);
            expect(c.truth.crossings.some((k) => k.car === x.car.entry.car && k.transponderUs > x.s.fromUs && k.transponderUs < x.s.toUs), what).toBe(false);
          }
          const lap = c.truth.laps.find((l) => l.car === x.car.entry.car && l.lap === x.s.lap);
          if (lap) {
            expect(lap.scripted, what).toBe(false);
            expect(lap.redFlagStopS).toBeCloseTo((x.s.toUs - x.s.fromUs) / 1e6, 6);
          }
        });
        // Every truck that came by while the red was out stopped.
        for (const car of c.plan.cars) {
          const came = car.crossings.some((k) => !k.onPitRoad && k.noseUs >= redAt && k.noseUs < over && k.noseUs < car.finishUs);
          expect(car.redStops.some((s) => s.redFlag === i), `${c.name}: car ${car.entry.car}`).toBe(came);
        }
      });
    }
  });
});

describe('loops on the track and on pit road', () => {
  test.each(CASES)('each track loop is crossed once per lap while on the track, none from pit road, each pit loop once per stop: %s', (_, get) => {
    const c = get();
    const len = c.track.lengthM;
    const { entryM, exitM } = c.track.pitRoad;
    const trackLoops = c.track.loops.filter((l) => l.path === 'track');
    const pitLoops = c.track.loops.filter((l) => l.path === 'pit').sort((a, b) => a.positionM - b.positionM);
    const sf = (id: number) => c.track.loops.find((l) => l.id === id)!.role === 'start-finish';
    for (const car of c.plan.cars) {
      const mine = c.truth.crossings.filter((x) => x.car === car.entry.car);
      // Where the transponder leaves the track and comes back (cumulative track metres).
      const away = car.stops.map((s) => [(s.stop.lap - 1) * len + entryM, s.stop.lap * len + exitM] as const);
      const expected = new Set<string>();
      for (let k = 0; k <= c.scenario.laps; k++) {
        for (const l of trackLoops) {
          const x = k * len + l.positionM;
          if (x > car.finishLap * len) continue;
          if (away.some(([a, b]) => x >= a && x < b)) continue;
          expected.add(`${l.id}@${sf(l.id) ? k : k + 1}`);
        }
      }
      const seen = mine.filter((x) => x.path === 'track' && x.noseUs <= car.finishUs + 0.01).map((x) => `${x.loop}@${x.lap}`);
      expect(new Set(seen).size, `car ${car.entry.car}: no loop twice in a lap`).toBe(seen.length);
      expect(new Set(seen), `car ${car.entry.car}`).toEqual(expected);
      for (const x of mine.filter((x) => x.path === 'track')) {
        expect(car.stops.some((s) => x.transponderUs >= s.pitFromUs && x.transponderUs < s.pitToUs), `car ${car.entry.car} loop ${x.loop} lap ${x.lap} from pit road`).toBe(false);
        expect(car.trackActive.some(([a, b]) => x.transponderUs >= a && x.transponderUs < b)).toBe(true);
      }
      // Once a lap: consecutive crossings of one loop are a lap apart (no truck laps at 150 m/s).
      for (const l of trackLoops) {
        const times = mine.filter((x) => x.loop === l.id).map((x) => x.transponderUs);
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan((len / 150) * 1e6);
      }
      // Pit road: every pit loop once per stop, in order along pit road, while on pit road.
      for (const s of car.stops) {
        const onPit = mine.filter((x) => x.path === 'pit' && x.transponderUs >= s.pitFromUs && x.transponderUs < s.pitToUs);
        if (s.pitToUs <= c.plan.endUs) expect(onPit.map((x) => x.loop), `car ${car.entry.car} stop ${s.index}`).toEqual(pitLoops.map((l) => l.id));
        for (let i = 1; i < onPit.length; i++) expect(onPit[i]!.transponderUs).toBeGreaterThan(onPit[i - 1]!.transponderUs);
      }
      expect(mine.filter((x) => x.path === 'pit' && !car.stops.some((s) => x.transponderUs >= s.pitFromUs && x.transponderUs < s.pitToUs))).toEqual([]);
    }
  });
});

describe('scripting a segment the stop takes', () => {
  test('is a RacePlanError naming pitStops[i].segmentMph', () => {
    const value = JSON.parse(readFileSync(shippedPath('martinsville-10.json'), 'utf8'));
    // Car 98 stops in box 3, which lies in segment 1.
    value.pitStops[0].segmentMph = { '1': 29.5, '3': 29.8 };
    const scenario = validateScenario(value, 'martinsville-10.json');
    const track = loadTrack(scenario.track);
    let error: unknown;
    try {
      planRace(scenario, track);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RacePlanError);
    expect((error as RacePlanError).field).toBe('pitStops[0].segmentMph');
    expect((error as Error).message).toMatch(/^pitStops\[0\]\.segmentMph: segment 1 holds the stop in box 3/);
    // Without it the same stop plans.
    value.pitStops[0].segmentMph = { '3': 29.8 };
    expect(() => planRace(validateScenario(value, 'martinsville-10.json'), track)).not.toThrow();
  });
});

describe('stops on consecutive laps, and pit road inside a lap', () => {
  const ten = (): any => JSON.parse(readFileSync(shippedPath('martinsville-10.json'), 'utf8'));

  test('a truck that stops at the end of two laps in a row makes both visits', () => {
    const s = ten();
    s.pitStops.push({ car: '98', lap: 3, serviceS: 5 });
    const scenario = validateScenario(s, shippedPath('martinsville-10.json'));
    const plan = planRace(scenario, loadTrack(scenario.track));
    const car = plan.cars.find((c) => c.entry.car === '98')!;
    expect(car.stops.map((x) => x.index)).toEqual([0, 2]);
    expect(car.skippedStops).toEqual([]);
    // Laps 2 and 3 are both completed on pit road.
    expect(car.crossings.filter((x) => x.onPitRoad).map((x) => x.lap)).toEqual([2, 3]);
    expect(car.stops[1]!.forkUs).toBeGreaterThan(car.stops[0]!.pitToUs);
  });

  test('where pit road does not pass the line, a stop at lap L is driven inside lap L + 1 and every lap ends on the track', () => {
    const track = loadTrack('martinsville');
    const inside: Track = {
      ...track,
      pitRoad: { ...track.pitRoad, entryM: 300, exitM: 750 },
      loops: track.loops
        .filter((l) => !(l.path === 'pit' && l.role === 'start-finish') && !(l.role === 'sector' && l.positionM > 290 && l.positionM < 760))
        .map((l) => (l.role === 'commitment' ? { ...l, positionM: 290 } : l)),
    };
    const scenario = validateScenario(ten(), shippedPath('martinsville-10.json'), () => inside);
    const plan = planRace(scenario, inside);
    for (const car of plan.cars) {
      expect(car.crossings.every((x) => !x.onPitRoad)).toBe(true);
      expect(car.crossings.map((x) => x.lap)).toEqual(Array.from({ length: car.finishLap + 1 }, (_, i) => i));
      for (const st of car.stops) {
        const lapStart = car.crossings.find((x) => x.lap === st.stop.lap)!.noseUs;
        const lapEnd = car.crossings.find((x) => x.lap === st.stop.lap + 1)!.noseUs;
        expect(st.forkUs).toBeGreaterThan(lapStart);
        expect(st.pitToUs).toBeLessThan(lapEnd);
      }
    }
    expect(plan.cars.flatMap((c) => c.stops)).toHaveLength(2);
  });
});
