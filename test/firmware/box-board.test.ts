// The box board against the box sensor model's truth: the rule-book edge cases of
// R-PIT-BOX-2 with noise off (each test cites its clause), the steps of a stop, a
// transit (R-PIT-BOX-3 evidence), crew over the wall too soon (R-PIT-CREW-1) and too
// many (R-PIT-CREW-2), and random stops with sensor noise: never a confident wrong
// verdict — a wrong one is always a close call for an official (R-PEN-3).
import { describe, expect, it } from 'vitest';
import type { BoxClause } from '../../protocol/schema.js';
import { DEFAULT_BOX, DEFAULT_VEHICLE, oneBoxMm, poseForMargin, type Pose } from '../../sim-hardware/box-geometry.js';
import { DEFAULT_BOX_SENSOR_PROFILE, stopPath, stopScenario, type StopScenario } from '../../sim-hardware/box-sensors.js';
import { QUICK_STOPS, crewEvents, eventsOf, randomStops, runStops, scoreVerdicts, verdicts } from '../support/box-run.js';

const NOISE_OFF = { ...DEFAULT_BOX_SENSOR_PROFILE, noiseMm: 0, speedNoiseMmps: 0, readerMiss: 0 };
const SHORT = { stopDurationUs: 3_000_000, serviceStartAfterUs: 300_000, serviceDurationUs: 2_000_000 };

function stopAt(pose: Pose, over: Partial<StopScenario> = {}): StopScenario {
  return stopScenario({ pose, ...SHORT, ...over });
}

/** The stop and service verdicts of a single stop with noise off. */
function judged(pose: Pose) {
  const run = runStops([stopAt(pose)], NOISE_OFF, 1);
  return verdicts(run.events);
}

describe('R-PIT-BOX-2 edge cases, noise off', () => {
  const clauses: Array<[BoxClause, string]> = [
    ['a', 'the outside front tire and the outside line'],
    ['b', 'the foremost point and the front line'],
    ['c', 'the inside rear tire and the outside line'],
    ['d', 'the rear tires and the back line'],
  ];
  for (const [clause, what] of clauses) {
    // Clause (c) can only decide with the nose turned hard toward the wall.
    const base: Pose = clause === 'c' ? { xMm: 0, yMm: 0, yawDeg: -35 } : { xMm: 0, yMm: 0, yawDeg: 0 };
    for (const [margin, inBox] of [
      [0, false],
      [1, true],
      [-1, false],
    ] as const) {
      it(`R-PIT-BOX-2(${clause}): ${what}, margin ${margin} mm → ${inBox ? 'in' : 'out'}`, () => {
        const vs = judged(poseForMargin(DEFAULT_BOX, DEFAULT_VEHICLE, clause, margin, base));
        expect(vs.map((v) => v.phase)).toEqual(['stop', 'service']);
        for (const v of vs) {
          expect(v.inBox).toBe(inBox);
          if (!inBox || v.clause === clause) expect(v.clause).toBe(clause);
          expect(v.margins[['a', 'b', 'c', 'd'].indexOf(clause)]).toBe(margin);
        }
      });
    }
  }

  it('R-PIT-BOX-2(c): a yawed vehicle where only the inside rear tire reaches the outside line', () => {
    const pose = poseForMargin(DEFAULT_BOX, DEFAULT_VEHICLE, 'c', -20, { xMm: 0, yMm: 0, yawDeg: -35 });
    const [v] = judged(pose);
    expect(v).toMatchObject({ inBox: false, clause: 'c', marginMm: -20 });
    expect(v!.margins.filter((m) => m <= 0)).toEqual([-20]);
  });

  it('R-PIT-BOX-2(b): nose over the front line with all four tires inside', () => {
    const [v] = judged(poseForMargin(DEFAULT_BOX, DEFAULT_VEHICLE, 'b', -150));
    expect(v).toMatchObject({ inBox: false, clause: 'b', marginMm: -150 });
    expect([v!.margins[0], v!.margins[2], v!.margins[3]].every((m) => m > 0)).toBe(true);
  });

  it('R-PIT-BOX-2(d): rear tires on the back line', () => {
    const [v] = judged(poseForMargin(DEFAULT_BOX, DEFAULT_VEHICLE, 'd', 0));
    expect(v).toMatchObject({ inBox: false, clause: 'd', marginMm: 0 });
  });
});

describe('a stop, step by step', () => {
  it('arrival, stop, verdict, service, crew, service end, verdict, departure — with the vehicle named', () => {
    const run = runStops([stopAt({ xMm: 0, yMm: 0, yawDeg: 0 }, { transponder: 4242 })], DEFAULT_BOX_SENSOR_PROFILE, 2);
    const kinds = run.events.map((e) => e.kind);
    expect(kinds).toEqual(['box-arrival', 'box-stop', 'box-verdict', 'crew-over-wall', 'service-start', ...kinds.slice(5, -3), 'service-end', 'box-verdict', 'box-departure']);
    expect(kinds.slice(5, -3).every((k) => k === 'crew-over-wall')).toBe(true);
    expect(run.events.every((e) => !('transponder' in e) || e.transponder === 4242)).toBe(true);
    const [t] = run.truth;
    const stop = eventsOf(run, t!.box).find((e) => e.kind === 'box-stop');
    expect(stop && 'box' in stop && Math.abs(stop.timeUs - t!.stopStartUs)).toBeLessThanOrEqual(20_000);
    expect(crewEvents(run.events).at(-1)!.crew).toBe(6);
  });

  it('a drive-through is a transit, with no stop and no verdict (R-PIT-BOX-3 evidence)', () => {
    const run = runStops([stopAt({ xMm: 0, yMm: 0, yawDeg: 0 }, { driveThrough: true, serviceDurationUs: 0, crew: 0 })], DEFAULT_BOX_SENSOR_PROFILE, 3);
    expect(run.events.map((e) => e.kind)).toEqual(['box-arrival', 'box-transit']);
  });

  it('R-PIT-CREW-2: seven over the wall is reported as seven', () => {
    const run = runStops([stopAt({ xMm: 0, yMm: 0, yawDeg: 0 }, { crew: 7 })], DEFAULT_BOX_SENSOR_PROFILE, 4);
    expect(Math.max(...crewEvents(run.events).map((e) => e.crew))).toBe(7);
  });
});

describe('R-PIT-CREW-1 over the wall too soon, decided at one box', () => {
  // The board sees the crew and the vehicle once a sample: the decision is as fine as
  // the distance the vehicle covers in one sample period, plus the sensor noise.
  const oneBox = oneBoxMm(DEFAULT_BOX);
  for (const [profile, name] of [
    [NOISE_OFF, 'noise off'],
    [DEFAULT_BOX_SENSOR_PROFILE, 'default noise'],
  ] as const) {
    it(`${name}: just beyond one box is too soon, just within is not`, () => {
      const probe = stopAt({ xMm: 0, yMm: 0, yawDeg: 0 }, { crewEarlyBoxes: 1, serviceStartAfterUs: 0 });
      const path = stopPath(probe);
      const t1 = runStops([probe], NOISE_OFF, 5).truth[0]!;
      const resolutionMm = (path.speedMpsAt(t1.crewOverUs!) * profile.sampleUs) / 1000 + 4 * profile.noiseMm + 1;
      for (const [delta, tooSoon] of [
        [resolutionMm, true],
        [-resolutionMm, false],
      ] as const) {
        const run = runStops([{ ...probe, crewEarlyBoxes: (oneBox + delta) / oneBox }], profile, 5);
        const [first] = crewEvents(run.events);
        expect(run.truth[0]!.crewTooSoon).toBe(tooSoon);
        expect(first!.tooSoon).toBe(tooSoon);
        expect(Math.abs(first!.distanceMm - run.truth[0]!.crewDistanceMm!)).toBeLessThanOrEqual(resolutionMm);
      }
    });
  }
});

describe('random stops with the default sensor noise', () => {
  it('over 10,000 stops no verdict is confidently wrong: every wrong one is a close call', () => {
    const stops = randomStops(10_000, 2026);
    // Default sensor noise; a short approach range and padding keep 10,000 stops quick to simulate.
    const run = runStops(stops, QUICK_STOPS(DEFAULT_BOX_SENSOR_PROFILE), 7);
    const { n, wrong, confidentWrong, close } = scoreVerdicts(run);
    expect(n).toBe(20_000);
    expect(confidentWrong).toBe(0);
    expect(wrong).toBeLessThan(close);
  }, 120_000);
});
