// What the box boards see of a race (box-visits.ts), through the real firmware (memory
// boards, no broker; `npm run build` first), on martinsville-pit-violations: a box-transit
// at exactly the boxes a truck drives through (R-PIT-BOX-3), with its transponder, when
// its planned pit road motion clears each and as fast as it goes there; the crew the
// stop scripted (R-PIT-CREW-2); nothing at all at the boxes from a pass-through; and a
// drive-through that would find its box in use, or stand over it, refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { repoPath } from '../../protocol/repo-root.js';
import type { BoxMoment, BoxVerdict, CrewOverWall } from '../../protocol/schema.js';
import { decodeBoxRecords, DEFAULT_BOX_SENSOR_PROFILE, NO_DISTANCE } from '../../sim-hardware/box-sensors.js';
import { boxClash, boxVisits, transitUs } from '../../sim-hardware/box-visits.js';
import { planRace, RacePlanError, type PlannedStop } from '../../sim-hardware/race-plan.js';
import { validateScenario } from '../../sim-hardware/scenario.js';
import { prepareRace, runSimulation, type SimulationResult } from '../../sim-hardware/simulation.js';
import { DEFAULT_PROFILE } from '../../sim-hardware/loop-field.js';
import { loadTrack } from '../../sim-hardware/track.js';
import { writeScenario } from '../support/random-scenario.js';
import { asTruth, decodeMessages, eventsOf, raceTimeUs, type DecodedMessages, type Truth } from '../support/truth.js';

const PV = repoPath('sim-hardware', 'scenarios', 'martinsville-pit-violations.json');
/** Box samples are 10 ms apart: the board sees a moment at the first sample after it. */
const SAMPLE_US = 10_000;

let r: SimulationResult;
let d: DecodedMessages;
let truth: Truth;

beforeAll(async () => {
  r = await runSimulation({ scenarioFile: PV });
  d = decodeMessages(r.messages);
  truth = asTruth(r.truth);
});

/** Every event about a box, with its board. */
type SeenBoxEvent = (BoxMoment | BoxVerdict | CrewOverWall) & { board: string; boot: number; seq: number };
const boxEvents = (x: DecodedMessages): SeenBoxEvent[] => x.events.filter((e): e is SeenBoxEvent => 'box' in e);

const stops = (): Array<{ car: SimulationResult['plan']['cars'][number]; s: PlannedStop }> => r.plan.cars.flatMap((car) => car.stops.map((s) => ({ car, s })));

describe('boxes driven through (R-PIT-BOX-3)', () => {
  test('a box-transit at exactly the boxes driven through, with the truck’s transponder, the first sample after its tail clears each; none anywhere else', () => {
    const transits = boxEvents(d).filter((e) => e.kind === 'box-transit');
    const used = new Set<(typeof transits)[number]>();
    let expected = 0;
    for (const { car, s } of stops()) {
      for (const b of [...s.through.entering, ...s.through.leaving]) {
        const at = transitUs(r.plan, car, s, b);
        const found = transits.filter((e) => e.box === b.number && e.transponder === car.entry.transponder && raceTimeUs(e.timeUs) >= at && raceTimeUs(e.timeUs) < at + SAMPLE_US);
        expect(found, `stop ${s.index} (car ${car.entry.car}) through box ${b.number}`).toHaveLength(1);
        expect(found[0]!.board).toBe(b.board);
        used.add(found[0]!);
        expected++;
      }
    }
    // Stops 5, 6 and 10: 4 + 1, 3 + 3 and 4 boxes.
    expect(expected).toBe(15);
    expect(transits).toHaveLength(expected);
    expect(used.size).toBe(expected);
    // The truth names the same boxes, in pit road order.
    expect(truth.pitStops.map((p) => (p as unknown as { boxesThrough: unknown }).boxesThrough).filter((b, i) => [5, 6, 10].includes(i))).toEqual([
      { entering: [12, 13, 14, 15], leaving: [17] },
      { entering: [2, 3, 4], leaving: [6, 7, 8] },
      { entering: [31, 32, 33, 34], leaving: [] },
    ]);
  });

  test('a box driven through only sees an arrival and a transit, when the nose reaches its back line', () => {
    for (const { car, s } of stops()) {
      for (const b of [...s.through.entering, ...s.through.leaving]) {
        const mine = boxEvents(d).filter((e) => e.box === b.number && e.transponder === car.entry.transponder);
        expect(mine.map((e) => e.kind), `box ${b.number}`).toEqual(['box-arrival', 'box-transit']);
        const arrive = s.motion.timeAt(b.positionM - b.lengthMm / 2000);
        const t = raceTimeUs(mine[0]!.timeUs);
        expect(t).toBeGreaterThanOrEqual(arrive);
        expect(t).toBeLessThan(arrive + SAMPLE_US);
      }
    }
  });

  test('the box sensors read the truck as fast as its pit road motion goes there (within their noise)', () => {
    const { sensors, plan } = prepareRace(PV);
    const s9 = plan.cars.find((c) => c.entry.car === '9')!.stops[0]!;
    let read = 0;
    for (const b of [...s9.through.entering, ...s9.through.leaving]) {
      const recs = decodeBoxRecords(sensors.boxInput.get(b.board)!.records).filter((x) => x.box === b.number && x.distanceMm !== NO_DISTANCE);
      expect(recs.length, `box ${b.number}`).toBeGreaterThan(50);
      for (const x of recs) {
        expect(Math.abs(x.speedMmps - s9.motion.speedAt(x.timeUs) * 1000), `box ${b.number} at ${x.timeUs}`).toBeLessThanOrEqual(41);
        expect(Math.abs(x.distanceMm - (b.positionM - b.lengthMm / 2000 - s9.motion.positionAt(x.timeUs)) * 1000)).toBeLessThanOrEqual(13);
        read++;
      }
    }
    expect(read).toBeGreaterThan(500);
  });

  test('a normal stop drives through no box: the boxes of the other stops see only their own truck stop', () => {
    for (const { car, s } of stops()) {
      if (s.passThrough || s.through.entering.length + s.through.leaving.length > 0) continue;
      const near = boxEvents(d).filter((e) => e.transponder === car.entry.transponder && raceTimeUs(e.timeUs) >= s.pitFromUs && raceTimeUs(e.timeUs) <= s.pitToUs);
      expect(new Set(near.map((e) => e.box)), `stop ${s.index}`).toEqual(new Set([s.box.number]));
      expect(near.some((e) => e.kind === 'box-transit')).toBe(false);
    }
  });
});

describe('crew over the wall (R-PIT-CREW-1, R-PIT-CREW-2)', () => {
  test('the boards count the crew the stop scripted: 7 and 8 over the wall, 5, and 6 when left out', () => {
    const crew = eventsOf(d, 'crew-over-wall');
    const counts: number[] = [];
    for (const p of truth.pitStops) {
      if (p.stop === null || p.stop.serviceStartUs === null) continue;
      // By box and time: a crew over before the box's reader has seen the truck names no transponder.
      const mine = crew.filter((e) => e.box === p.box && raceTimeUs(e.timeUs) >= p.pitInUs && raceTimeUs(e.timeUs) <= p.pitOutUs);
      const scripted = r.scenario.pitStops[p.index]!.crew ?? 6;
      expect(mine.map((e) => e.crew), `stop ${p.index}`).toEqual(Array.from({ length: scripted }, (_, k) => k + 1));
      expect(p.stop.maxCrew).toBe(scripted);
      expect(p.stop.tooManyCrew).toBe(scripted > 6);
      // Over too soon (crewEarlyBoxes 2.5 and 3) is what the board says of the first one.
      expect(mine[0]!.tooSoon, `stop ${p.index}`).toBe(p.stop.crewTooSoon);
      counts.push(scripted);
    }
    expect(counts).toEqual([6, 6, 6, 7, 6, 5, 6, 8, 6]);
  });
});

describe('a pass-through (R-PEN-1)', () => {
  test('no box event of its truck while it drives pit road, and every segment timed by the board', () => {
    const passes = truth.pitStops.filter((p) => p.stop === null);
    expect(passes.map((p) => p.index)).toEqual([8, 9]);
    const speeds = eventsOf(d, 'segment-speed');
    for (const p of passes) {
      const during = boxEvents(d).filter((e) => e.transponder === p.transponder && raceTimeUs(e.timeUs) >= p.pitInUs - 30e6 && raceTimeUs(e.timeUs) <= p.pitOutUs + 5e6);
      expect(during, `stop ${p.index}`).toEqual([]);
      expect(p.segments.every((x) => !x.byStop)).toBe(true);
      const mine = speeds.filter((e) => e.transponder === p.transponder && raceTimeUs(e.entryUs) >= p.pitInUs - 1 && raceTimeUs(e.exitUs) <= p.pitOutUs);
      expect(mine.map((e) => e.segment)).toEqual(p.segments.map((x) => x.segment));
      for (const e of mine) expect(Math.abs(e.speed / 100 - p.segments[e.segment - 1]!.mph), `stop ${p.index} segment ${e.segment}`).toBeLessThanOrEqual(0.01);
    }
    // Stop 8 speeds in segment 2 (37 mph at a 30 mph limit, 5 tolerance): the board says so.
    expect(speeds.filter((e) => e.over).some((e) => e.transponder === 3001 && e.segment === 2)).toBe(true);
  });
});

describe('refused', () => {
  const value = (): any => JSON.parse(readFileSync(PV, 'utf8'));
  const planError = (v: unknown): RacePlanError => {
    const scenario = validateScenario(v, PV);
    try {
      planRace(scenario, loadTrack(scenario.track));
    } catch (e) {
      expect(e).toBeInstanceOf(RacePlanError);
      return e as RacePlanError;
    }
    throw new Error('planned');
  };

  test('driving through a box in use: car 8 stops in box 2 as car 7 drives through it (RacePlanError naming pitStops[6].boxesThrough)', () => {
    const v = value();
    v.pitStops[7].lap = 2;
    const e = planError(v);
    expect(e.field).toBe('pitStops[6].boxesThrough');
    expect(e.message).toMatch(/^pitStops\[6\]\.boxesThrough: box 2 is in use as car 7 drives through it entering box 5: car 8 stops there \(pitStops\[7\]\)/);
    // Without the boxes driven through the same race plans.
    delete v.pitStops[6].boxesThrough;
    expect(() => planRace(validateScenario(v, PV), loadTrack('martinsville'))).not.toThrow();
  });

  test('two trucks driving through one box at once: the later one is refused', () => {
    const v = value();
    // Car 2 (box 11) leaves through boxes 12..14 on lap 1, as car 9 (box 16) comes through them.
    v.pitStops.push({ car: '2', lap: 1, serviceS: 4, boxesThrough: { leaving: 3 } });
    const e = planError(v);
    expect(e.field).toMatch(/^pitStops\[(5|11)\]\.boxesThrough$/);
    expect(e.message).toMatch(/box 1[234] is in use as car (9|2) drives through it/);
  });

  test('standing over a box it is meant to drive through', () => {
    const v = value();
    v.pitStops[6].pose = { xMm: 1500, yMm: 0, yawDeg: 0 };
    expect(planError(v).message).toBe('pitStops[6].boxesThrough: standing at its pose in box 5 the truck is over box 6: it would stop there, not drive through it');
    v.pitStops[6].pose = { xMm: -1400, yMm: 0, yawDeg: 0 };
    expect(planError(v).message).toMatch(/^pitStops\[6\]\.boxesThrough: standing at its pose in box 5 the truck is over box 4/);
    // Just clear of both neighbours it plans.
    v.pitStops[6].pose = { xMm: 1470, yMm: 0, yawDeg: 0 };
    expect(() => planRace(validateScenario(v, PV), loadTrack('martinsville'))).not.toThrow();
    v.pitStops[6].pose = { xMm: -1320, yMm: 0, yawDeg: 0 };
    expect(() => planRace(validateScenario(v, PV), loadTrack('martinsville'))).not.toThrow();
  });

  test('sensors reaching farther than the default ones: the clash is found when the box samples are made', () => {
    const v = value();
    v.pitStops[7].lap = 3; // car 8 in box 2 a lap after car 7 drove through it
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-box-visits-'));
    try {
      const file = writeScenario(dir, v, 'far.json');
      const plan = prepareRace(file).plan;
      expect(boxClash(boxVisits(plan))).toBeNull();
      const far = { loop: DEFAULT_PROFILE, box: { ...DEFAULT_BOX_SENSOR_PROFILE, approachRangeMm: 1_000_000 } };
      let error: unknown;
      try {
        prepareRace(file, far);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RacePlanError);
      expect((error as RacePlanError).field).toBe('pitStops[6].boxesThrough');
      expect((error as Error).message).toMatch(/box 2 is in use as car 7 drives through it entering box 5: car 8 stops there/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
