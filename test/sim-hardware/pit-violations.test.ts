// The pit road violations the truth holds (pit-violations.ts, truth.json): each rule
// decided alone, in its fixed order; martinsville-pit-violations' truth, stop by stop,
// and the flattened list with when each happened; the event's own limits.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import { transitUs } from '../../sim-hardware/box-visits.js';
import { PIT_RULES, visitViolations, type PitViolation, type VisitFacts } from '../../sim-hardware/pit-violations.js';
import { prepareRace } from '../../sim-hardware/simulation.js';
import { writeScenario } from '../support/random-scenario.js';
import { asTruth, type Truth, type TruthPitStop } from '../support/truth.js';

const PV = repoPath('sim-hardware', 'scenarios', 'martinsville-pit-violations.json');

/** truth.json's officiating parts (race.md). */
type Officiated = TruthPitStop & {
  passThrough: boolean;
  crew: number;
  boxesThrough: { entering: number[]; leaving: number[] };
  violations: PitViolation[];
};
type TimedViolation = PitViolation & { atUs: number; car: string; index: number; lap: number };
interface OfficiatedTruth extends Omit<Truth, 'pitStops'> {
  scenario: Truth['scenario'] & { crewLimit: number; boxesThroughLimit: number };
  pitStops: Officiated[];
  violations: TimedViolation[];
}
const officiated = (doc: Record<string, unknown>): OfficiatedTruth => asTruth(doc) as unknown as OfficiatedTruth;

const clean: VisitFacts = {
  passThrough: false,
  speeding: [],
  pitRoadOpen: true,
  stop: { inBox: true, clause: 'b', marginMm: 877.5, serviced: true, crewTooSoon: false, crewDistanceMm: -5822.5, maxCrew: 6 },
  entering: 0,
  leaving: 0,
  crewLimit: 6,
  boxesThroughLimit: 3,
};
const withStop = (over: Partial<NonNullable<VisitFacts['stop']>>, facts: Partial<VisitFacts> = {}): VisitFacts => ({ ...clean, ...facts, stop: { ...clean.stop!, ...over } });

describe('each rule alone', () => {
  test('a clean stop breaks nothing; at the limits nothing either', () => {
    expect(visitViolations(clean)).toEqual([]);
    expect(visitViolations({ ...clean, entering: 3, leaving: 3 })).toEqual([]);
    expect(visitViolations(withStop({ maxCrew: 6 }))).toEqual([]);
    expect(visitViolations({ ...clean, passThrough: true, stop: null, pitRoadOpen: false })).toEqual([]);
  });

  test('R-PIT-SPEED-1, and R-PIT-SPEED-2 while serving a pass-through', () => {
    expect(visitViolations({ ...clean, speeding: [2, 4] })).toEqual([{ rule: 'R-PIT-SPEED-1', segments: [2, 4] }]);
    expect(visitViolations({ ...clean, passThrough: true, stop: null, speeding: [3] })).toEqual([{ rule: 'R-PIT-SPEED-2', segments: [3] }]);
  });

  test('R-PIT-BOX-2 only while serviced', () => {
    expect(visitViolations(withStop({ inBox: false, clause: 'd', marginMm: -3 }))).toEqual([{ rule: 'R-PIT-BOX-2', clause: 'd', marginMm: -3 }]);
    expect(visitViolations(withStop({ inBox: false, clause: 'd', marginMm: -3, serviced: false }))).toEqual([]);
  });

  test('R-PIT-CREW-1 and R-PIT-CREW-2 against the event’s crew limit', () => {
    expect(visitViolations(withStop({ crewTooSoon: true, crewDistanceMm: 13800 }))).toEqual([{ rule: 'R-PIT-CREW-1', distanceMm: 13800 }]);
    expect(visitViolations(withStop({ maxCrew: 7 }))).toEqual([{ rule: 'R-PIT-CREW-2', crew: 7 }]);
    expect(visitViolations(withStop({ maxCrew: 7 }, { crewLimit: 7 }))).toEqual([]);
    expect(visitViolations(withStop({ maxCrew: 5 }, { crewLimit: 4 }))).toEqual([{ rule: 'R-PIT-CREW-2', crew: 5 }]);
  });

  test('R-PIT-BOX-3 when either side is over the limit', () => {
    expect(visitViolations({ ...clean, entering: 4 })).toEqual([{ rule: 'R-PIT-BOX-3', entering: 4, leaving: 0 }]);
    expect(visitViolations({ ...clean, entering: 2, leaving: 4 })).toEqual([{ rule: 'R-PIT-BOX-3', entering: 2, leaving: 4 }]);
    expect(visitViolations({ ...clean, entering: 1, boxesThroughLimit: 0 })).toEqual([{ rule: 'R-PIT-BOX-3', entering: 1, leaving: 0 }]);
  });

  test('R-PIT-OPEN-2 for a stop in the box, not for a pass-through', () => {
    expect(visitViolations({ ...clean, pitRoadOpen: false })).toEqual([{ rule: 'R-PIT-OPEN-2' }]);
    expect(visitViolations({ ...clean, pitRoadOpen: false, passThrough: true, stop: null })).toEqual([]);
  });

  test('R-PIT-COMMIT-1 for any visit with a tire on or over the commitment box’s line, a pass-through too', () => {
    const over = { inside: false, marginMm: -4 };
    expect(visitViolations({ ...clean, commitment: over })).toEqual([{ rule: 'R-PIT-COMMIT-1', marginMm: -4 }]);
    expect(visitViolations({ ...clean, commitment: { inside: false, marginMm: 0 } })).toEqual([{ rule: 'R-PIT-COMMIT-1', marginMm: 0 }]);
    expect(visitViolations({ ...clean, passThrough: true, stop: null, commitment: over })).toEqual([{ rule: 'R-PIT-COMMIT-1', marginMm: -4 }]);
    expect(visitViolations({ ...clean, commitment: { inside: true, marginMm: 0.4 } })).toEqual([]);
    // A track without a commitment lane: nothing to judge.
    expect(visitViolations({ ...clean, commitment: null })).toEqual([]);
  });

  test('all at once, in the fixed order', () => {
    const all = visitViolations({
      ...withStop({ inBox: false, clause: 'a', marginMm: -1, crewTooSoon: true, crewDistanceMm: 9000, maxCrew: 8 }),
      speeding: [1],
      entering: 5,
      pitRoadOpen: false,
      commitment: { inside: false, marginMm: -30 },
    });
    expect(all.map((v) => v.rule)).toEqual(['R-PIT-SPEED-1', 'R-PIT-BOX-2', 'R-PIT-CREW-1', 'R-PIT-CREW-2', 'R-PIT-BOX-3', 'R-PIT-OPEN-2', 'R-PIT-COMMIT-1']);
    expect(PIT_RULES.filter((r) => r !== 'R-PIT-SPEED-2')).toEqual(all.map((v) => v.rule));
  });
});

describe('martinsville-pit-violations: the truth', () => {
  let race: ReturnType<typeof prepareRace>;
  let truth: OfficiatedTruth;
  beforeAll(() => {
    race = prepareRace(PV);
    truth = officiated(race.truth);
  });

  test('every stop holds exactly the violations it was scripted for', () => {
    const b2 = { rule: 'R-PIT-BOX-2', clause: 'b', marginMm: -122.5 };
    expect(truth.pitStops.map((p) => p.violations)).toEqual([
      [{ rule: 'R-PIT-SPEED-1', segments: [4] }],
      [b2], // nose over the front line while serviced
      [], // the same pose without service
      [{ rule: 'R-PIT-CREW-1', distanceMm: truth.pitStops[3]!.stop.crewDistanceMm }],
      [{ rule: 'R-PIT-CREW-2', crew: 7 }],
      [{ rule: 'R-PIT-BOX-3', entering: 4, leaving: 1 }],
      [], // 3 and 3 boxes, 5 crew, over in time
      [{ rule: 'R-PIT-OPEN-2' }],
      [{ rule: 'R-PIT-SPEED-2', segments: [2] }], // a pass-through with pit road closed: only the speeding
      [], // a pass-through at the limit, pit road closed
      [
        { rule: 'R-PIT-SPEED-1', segments: [1] },
        b2,
        { rule: 'R-PIT-CREW-1', distanceMm: truth.pitStops[10]!.stop.crewDistanceMm },
        { rule: 'R-PIT-CREW-2', crew: 8 },
        { rule: 'R-PIT-BOX-3', entering: 4, leaving: 0 },
        { rule: 'R-PIT-OPEN-2' },
      ],
      [{ rule: 'R-PIT-COMMIT-1', marginMm: -70 }], // tires 0 and 2 70 mm over the commitment box's line, and nothing else
    ]);
    // Crew 2.5 and 3 boxes early: the nose that far before the back line (6.9 m a box).
    expect(truth.pitStops[3]!.stop.crewDistanceMm).toBeCloseTo(17250, 6);
    expect(truth.pitStops[10]!.stop.crewDistanceMm).toBeCloseTo(20700, 6);
    expect(truth.pitStops.map((p) => p.pitRoadOpen)).toEqual([true, true, true, true, true, true, true, false, false, false, false, true]);
  });

  test('every visit’s commitment line crossing: squarely in the 3000 mm lane (550 mm a tire) but the one scripted 620 mm off centre', () => {
    const squarely = { margins: [550, 550, 550, 550], inside: true, marginMm: 550, closeCall: false };
    expect(truth.pitStops.map((p) => p.commitment && { ...p.commitment, frontUs: undefined })).toEqual([
      ...Array.from({ length: 11 }, () => ({ ...squarely, frontUs: undefined })),
      { margins: [-70, 1170, -70, 1170], inside: false, marginMm: -70, closeCall: false, frontUs: undefined },
    ]);
    // The front axle reaches the line after the nose crosses the commitment loop (1.05 m ahead of it).
    for (const p of truth.pitStops) {
      expect(p.commitment!.frontUs).toBeGreaterThan(p.commitmentUs);
      expect(p.commitment!.frontUs - p.commitmentUs).toBeLessThan(200_000);
    }
  });

  test('the new per-stop fields: passThrough, the crew scripted, the boxes driven through; no stop for a pass-through', () => {
    expect(truth.pitStops.map((p) => p.passThrough)).toEqual([false, false, false, false, false, false, false, false, true, true, false, false]);
    expect(truth.pitStops.map((p) => p.crew)).toEqual([6, 6, 6, 6, 7, 6, 5, 6, 0, 0, 8, 6]);
    expect(truth.pitStops[5]!.boxesThrough).toEqual({ entering: [12, 13, 14, 15], leaving: [17] });
    expect(truth.pitStops[0]!.boxesThrough).toEqual({ entering: [], leaving: [] });
    expect(truth.pitStops[8]!.stop).toBeNull();
    expect(truth.scenario).toMatchObject({ pitSpeedLimitMph: 30, pitSpeedToleranceMph: 5, crewLimit: 6, boxesThroughLimit: 3 });
  });

  test('the flat list: every violation once, with car, stop and lap, in time order, each at its moment', () => {
    const flat = truth.violations;
    expect(flat).toHaveLength(truth.pitStops.reduce((n, p) => n + p.violations.length, 0));
    for (let i = 1; i < flat.length; i++) expect(flat[i]!.atUs).toBeGreaterThanOrEqual(flat[i - 1]!.atUs);
    for (const p of truth.pitStops) {
      const mine = flat.filter((v) => v.index === p.index);
      expect(mine.map(({ atUs: _a, car: _c, index: _i, lap: _l, ...v }) => v).sort((a, b) => PIT_RULES.indexOf(a.rule) - PIT_RULES.indexOf(b.rule))).toEqual(p.violations);
      const car = race.plan.cars.find((c) => c.entry.car === p.car)!;
      const s = car.stops.find((x) => x.index === p.index)!;
      for (const v of mine) {
        expect([v.car, v.lap]).toEqual([p.car, p.lap]);
        const what = `stop ${p.index} ${v.rule}`;
        switch (v.rule) {
          case 'R-PIT-SPEED-1':
          case 'R-PIT-SPEED-2': {
            // The transponder crossing the line that ends the first speeding segment.
            const seg = p.segments.find((x) => x.segment === v.segments[0])!;
            const c = truth.crossings.find((x) => x.car === p.car && x.loop === seg.toLoop && x.transponderUs >= p.pitInUs && x.transponderUs <= p.pitOutUs)!;
            expect(v.atUs, what).toBe(c.transponderUs);
            break;
          }
          case 'R-PIT-BOX-2':
            expect(v.atUs, what).toBe(p.stop.standFromUs);
            break;
          case 'R-PIT-CREW-1':
          case 'R-PIT-CREW-2':
            expect(v.atUs, what).toBe(p.stop.crewOverUs);
            break;
          case 'R-PIT-BOX-3':
            expect(v.atUs, what).toBeCloseTo(transitUs(race.plan, car, s, s.through.entering[0] ?? s.through.leaving[0]!), 3);
            break;
          case 'R-PIT-OPEN-2':
          case 'R-PIT-COMMIT-1':
            expect(v.atUs, what).toBe(p.commitmentUs);
            break;
        }
      }
    }
    expect(new Set(flat.map((v) => v.rule))).toEqual(new Set(PIT_RULES));
  });
});

describe('the event’s own limits', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pitwall-limits-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const withEvent = (event: Record<string, number>): OfficiatedTruth => {
    const v = JSON.parse(readFileSync(PV, 'utf8'));
    v.event = event;
    return officiated(prepareRace(writeScenario(dir, v, 'limits.json')).truth);
  };

  test('crewLimit 8 and boxesThroughLimit 4 allow the 7 and 8 crew and the 4 boxes', () => {
    const t = withEvent({ crewLimit: 8, boxesThroughLimit: 4 });
    expect(t.scenario).toMatchObject({ crewLimit: 8, boxesThroughLimit: 4 });
    const rules = new Set(t.violations.map((v) => v.rule));
    expect(rules.has('R-PIT-CREW-2')).toBe(false);
    expect(rules.has('R-PIT-BOX-3')).toBe(false);
    expect(t.pitStops[4]!.stop.tooManyCrew).toBe(false);
  });

  test('crewLimit 4 and boxesThroughLimit 2 make the 5 crew and the 3 and 3 boxes of stop 6 violations', () => {
    const t = withEvent({ crewLimit: 4, boxesThroughLimit: 2 });
    expect(t.pitStops[6]!.violations).toEqual([
      { rule: 'R-PIT-CREW-2', crew: 5 },
      { rule: 'R-PIT-BOX-3', entering: 3, leaving: 3 },
    ]);
    expect(t.pitStops[6]!.stop.tooManyCrew).toBe(true);
  });
});
