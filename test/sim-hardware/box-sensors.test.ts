// The pit box sensor model: deterministic 64-byte records in the layout of
// firmware/BOX-BOARD.md, noise as documented in sim-hardware/box-sensors.md, noiseless
// records that reproduce the exact geometry to the millimetre, crew timing and the
// vehicle's distance then, transits that never stand still, several boxes in order.

import { describe, expect, test } from 'vitest';
import {
  DEFAULT_BOX,
  DEFAULT_VEHICLE,
  footprint,
  marginsFromExtents,
  noseDistanceMm,
  oneBoxMm,
  poseForMargin,
  quantiseExtents,
  quantiseMm,
} from '../../sim-hardware/box-geometry.js';
import {
  BOX_NOISE_CLAMP_SIGMA,
  BOX_RECORD_BYTES,
  CREW_LIMIT,
  DEFAULT_BOX_SENSOR_PROFILE,
  FLAG_OVER_BOX,
  HARSH_BOX_SENSOR_PROFILE,
  NO_DISTANCE,
  STOP_SPEED_MMPS,
  boxConfig,
  boxSamples,
  decodeBoxRecord,
  decodeBoxRecords,
  encodeBoxRecord,
  stopPath,
  stopScenario,
  validateBoxSensorProfile,
  type BoxRecord,
  type BoxSensorProfile,
  type StopScenario,
} from '../../sim-hardware/box-sensors.js';
import { piecewiseMotion } from '../../sim-hardware/motion.js';
import { runStops } from '../support/box-run.js';

const QUIET: BoxSensorProfile = { ...DEFAULT_BOX_SENSOR_PROFILE, noiseMm: 0, speedNoiseMmps: 0, readerMiss: 0 };
const HALF_L = DEFAULT_BOX.lengthMm / 2;

function run(stops: StopScenario[], profile: BoxSensorProfile = DEFAULT_BOX_SENSOR_PROFILE, seed = 7) {
  const out = boxSamples(stops, profile, seed);
  return { ...out, recs: decodeBoxRecords(out.records) };
}

const over = (r: BoxRecord): boolean => (r.flags & FLAG_OVER_BOX) !== 0;

/** Errors of every coordinate and distance reading against the exact geometry, while standing. */
function standingErrors(profile: BoxSensorProfile, seed: number): number[] {
  const stop = stopScenario({ pose: { xMm: 37.3, yMm: -61.9, yawDeg: 2.5 }, stopDurationUs: 20_000_000 });
  const { recs, truth } = run([stop], profile, seed);
  const t = truth[0]!;
  const fp = footprint(stop.vehicle, stop.pose);
  const errors: number[] = [];
  for (const r of recs) {
    if (r.timeUs < t.stopStartUs || r.timeUs > t.stopEndUs) continue;
    errors.push(r.distanceMm - noseDistanceMm(stop.box, fp), r.foremostXMm - fp.foremostXMm);
    r.tires.forEach((e, i) => {
      const x = fp.tires[i]!.extents;
      errors.push(e.minXMm - x.minXMm, e.maxXMm - x.maxXMm, e.minYMm - x.minYMm, e.maxYMm - x.maxYMm);
    });
  }
  return errors;
}

describe('records', () => {
  const record: BoxRecord = {
    timeUs: 2 ** 40 + 12_345,
    transponder: 0xdeadbeef,
    box: 517,
    flags: 1,
    crew: 6,
    distanceMm: -5823,
    foremostXMm: 2473,
    tires: [
      { minXMm: 1322, maxXMm: 1523, minYMm: 650, maxYMm: 950 },
      { minXMm: 1322, maxXMm: 1523, minYMm: -950, maxYMm: -650 },
      { minXMm: -1523, maxXMm: -1322, minYMm: 650, maxYMm: 950 },
      { minXMm: -32768, maxXMm: 32767, minYMm: -1, maxYMm: 0 },
    ],
    speedMmps: 20_117,
  };

  test('the layout of BOX-BOARD.md, little endian, reserved bytes 0', () => {
    const bytes = encodeBoxRecord(record);
    expect(bytes.length).toBe(BOX_RECORD_BYTES);
    const v = new DataView(bytes.buffer);
    expect(v.getBigUint64(0, true)).toBe(BigInt(record.timeUs));
    expect(v.getUint32(8, true)).toBe(0xdeadbeef);
    expect(v.getUint16(12, true)).toBe(517);
    expect([v.getUint8(14), v.getUint8(15)]).toEqual([1, 6]);
    expect([v.getInt32(16, true), v.getInt32(20, true)]).toEqual([-5823, 2473]);
    expect([v.getInt16(24, true), v.getInt16(26, true), v.getInt16(28, true), v.getInt16(30, true)]).toEqual([1322, 1523, 650, 950]);
    expect([v.getInt16(48, true), v.getInt16(50, true), v.getInt16(52, true), v.getInt16(54, true)]).toEqual([-32768, 32767, -1, 0]);
    expect(v.getUint32(56, true)).toBe(20_117);
    expect(v.getUint32(60, true)).toBe(0);
    expect(decodeBoxRecord(bytes)).toEqual(record);
  });

  test('out-of-range fields are refused', () => {
    expect(() => encodeBoxRecord({ ...record, crew: 256 })).toThrow(/crew/);
    expect(() => encodeBoxRecord({ ...record, timeUs: -1 })).toThrow(/timeUs/);
    expect(() => encodeBoxRecord({ ...record, tires: [{ ...record.tires[0], maxXMm: 40_000 }, ...record.tires.slice(1)] as BoxRecord['tires'] })).toThrow(/tires\[0\]/);
    expect(() => decodeBoxRecord(new Uint8Array(64), 1)).toThrow(/outside/);
    expect(() => decodeBoxRecords(new Uint8Array(65))).toThrow(/whole number/);
  });
});

describe('profiles', () => {
  test('built-in profiles are valid; bad fields are named', () => {
    expect(validateBoxSensorProfile(DEFAULT_BOX_SENSOR_PROFILE)).toBe(DEFAULT_BOX_SENSOR_PROFILE);
    expect(validateBoxSensorProfile(HARSH_BOX_SENSOR_PROFILE)).toBe(HARSH_BOX_SENSOR_PROFILE);
    expect(() => validateBoxSensorProfile({ ...DEFAULT_BOX_SENSOR_PROFILE, sampleUs: 0 })).toThrow(/sampleUs/);
    expect(() => validateBoxSensorProfile({ ...DEFAULT_BOX_SENSOR_PROFILE, readerMiss: 2 })).toThrow(/readerMiss/);
    expect(() => validateBoxSensorProfile({ ...DEFAULT_BOX_SENSOR_PROFILE, speedNoiseMmps: 25 })).toThrow(/hide a stop/);
    expect(() => validateBoxSensorProfile({ ...DEFAULT_BOX_SENSOR_PROFILE, noiseMm: Number.NaN })).toThrow(/noiseMm/);
    expect(() => validateBoxSensorProfile({ ...DEFAULT_BOX_SENSOR_PROFILE, extra: 1 } as BoxSensorProfile)).toThrow(/unknown field "extra"/);
  });

  test('boxConfig hands the board the same period and uncertainty', () => {
    expect(boxConfig([DEFAULT_BOX], DEFAULT_VEHICLE, HARSH_BOX_SENSOR_PROFILE)).toEqual({
      kind: 'box',
      boxes: [DEFAULT_BOX],
      vehicle: DEFAULT_VEHICLE,
      uncertaintyMm: 25,
      sampleUs: 10_000,
    });
  });
});

describe('motion', () => {
  test('arrives when scripted, stands exactly at the pose, leaves along +x', () => {
    const pose = { xMm: 120.25, yMm: -33.5, yawDeg: 1.75 };
    const path = stopPath(stopScenario({ pose, arriveUs: 3_000_000 }));
    expect(path.arriveUs).toBe(3_000_000);
    const atArrival = footprint(DEFAULT_VEHICLE, path.poseAt(3_000_000));
    expect(atArrival.foremostXMm).toBeCloseTo(-HALF_L, 6);
    for (let t = path.poseUs; t <= path.stopEndUs; t += 250_000) {
      expect(path.poseAt(t)).toEqual(pose);
      expect(path.speedMpsAt(t)).toBe(0);
    }
    expect(path.stopEndUs - path.poseUs).toBe(12_000_000);
    // Braking at 6 m/s² from 45 mph: 3.35 s; the last 5.94 m (nose on the back line to the pose) take 1.41 s.
    expect(path.poseUs - 3_000_000).toBeCloseTo(1.407e6, -3);
    const leaving = footprint(DEFAULT_VEHICLE, path.poseAt(path.departUs));
    expect(leaving.body.extents.minXMm).toBeCloseTo(HALF_L, 6);
    // Positions never go back; y and yaw ease in and out.
    let last = -Infinity;
    for (let t = 0; t < 25e6; t += 10_000) {
      const p = path.poseAt(t);
      expect(p.xMm).toBeGreaterThanOrEqual(last - 1e-9);
      last = p.xMm;
      expect(Math.abs(p.yMm)).toBeLessThanOrEqual(33.5);
    }
    expect(path.poseAt(0)).toMatchObject({ yMm: 0, yawDeg: 0 });
  });

  test('poses that would turn in before the vehicle is over the box are refused', () => {
    expect(() => stopPath(stopScenario({ pose: { xMm: -4000, yMm: 0, yawDeg: 0 } }))).toThrow(/pose\.xMm/);
    expect(() => stopPath(stopScenario({ stopDurationUs: 0 }))).toThrow(/stopDurationUs/);
    expect(() => stopPath(stopScenario({ transponder: 0 }))).toThrow(/transponder/);
  });
});

describe('samples', () => {
  test('deterministic per seed', () => {
    const stops = [stopScenario(), stopScenario({ box: { ...DEFAULT_BOX, number: 2 }, transponder: 9, arriveUs: 6_500_000 })];
    const a = boxSamples(stops, DEFAULT_BOX_SENSOR_PROFILE, 42);
    const b = boxSamples(stops, DEFAULT_BOX_SENSOR_PROFILE, 42);
    const c = boxSamples(stops, DEFAULT_BOX_SENSOR_PROFILE, 43);
    expect(Buffer.from(a.records).equals(Buffer.from(b.records))).toBe(true);
    expect(Buffer.from(a.records).equals(Buffer.from(c.records))).toBe(false);
    expect(a.truth).toEqual(c.truth);
    // A box's readings depend on its own stops only.
    const alone = run([stops[0]!], DEFAULT_BOX_SENSOR_PROFILE, 42).recs;
    const both = decodeBoxRecords(a.records).filter((r) => r.box === 1);
    const byTime = new Map(alone.map((r) => [r.timeUs, r]));
    for (const r of both) if (byTime.has(r.timeUs)) expect(r).toEqual(byTime.get(r.timeUs));
  });

  test('one record per box per period, sorted by time then box, each box seeing its own stops', () => {
    const box2 = { ...DEFAULT_BOX, number: 2 };
    const stops = [
      stopScenario({ transponder: 11, arriveUs: 5e6 }),
      stopScenario({ transponder: 22, box: box2, arriveUs: 6e6 }),
      stopScenario({ transponder: 33, arriveUs: 40e6, driveThrough: true, crew: 0 }),
      stopScenario({ transponder: 44, box: box2, arriveUs: 60e6, stopDurationUs: 5e6, serviceDurationUs: 4e6 }),
    ];
    const { recs, samples, records, truth } = run(stops);
    expect(records.length).toBe(samples * BOX_RECORD_BYTES);
    expect(samples % 2).toBe(0);
    for (let i = 1; i < recs.length; i++) {
      const [p, r] = [recs[i - 1]!, recs[i]!];
      expect(r.timeUs > p.timeUs || (r.timeUs === p.timeUs && r.box > p.box)).toBe(true);
      expect(r.timeUs % 10_000).toBe(0);
      if (i % 2 === 1) expect([p.box, r.box, r.timeUs - p.timeUs]).toEqual([1, 2, 0]);
    }
    const seen = (box: number): number[] => [...new Set(recs.filter((r) => r.box === box && r.transponder).map((r) => r.transponder))];
    expect(seen(1)).toEqual([11, 33]);
    expect(seen(2)).toEqual([22, 44]);
    expect(truth.map((t) => t.transponder)).toEqual([11, 22, 33, 44]);
    // From 1 s before the first stop is sensed to 1 s after the last.
    expect(recs[0]!.timeUs).toBe(Math.ceil((truth[0]!.sensedFromUs - 1e6) / 1e4) * 1e4);
    expect(recs.at(-1)!.timeUs).toBe(Math.floor((Math.max(...truth.map((t) => t.sensedToUs)) + 1e6) / 1e4) * 1e4);
    // Around each stop only: every record lies within 1 s of a stop's sensed span, and
    // every period of each span is there; a box with nothing near reads empty.
    const near = (t: number) => truth.some((x) => t >= x.sensedFromUs - 1e6 && t <= x.sensedToUs + 1e6);
    expect(recs.every((r) => near(r.timeUs))).toBe(true);
    for (const x of truth) {
      for (let t = Math.ceil((x.sensedFromUs - 1e6) / 1e4) * 1e4; t <= x.sensedToUs + 1e6; t += 1e4) expect(recs.some((r) => r.box === x.box && r.timeUs === t)).toBe(true);
    }
    expect(recs.some((r) => r.timeUs === 30_000_000)).toBe(false);
    const idle = recs.find((r) => r.box === 2 && r.timeUs === truth[2]!.sensedFromUs - (truth[2]!.sensedFromUs % 1e4) + 1e4)!;
    expect(idle).toMatchObject({ transponder: 0, flags: 0, crew: 0, distanceMm: NO_DISTANCE, foremostXMm: 0, speedMmps: 0 });
    // Two stops of one box sensed at the same time cannot be told apart.
    expect(() => boxSamples([stopScenario(), stopScenario({ transponder: 2, arriveUs: 10e6 })], DEFAULT_BOX_SENSOR_PROFILE, 1)).toThrow(/same time/);
  });

  test.each(['default', 'harsh'] as const)('noise (%s): zero mean, σ within 10 %%, clamped at 4σ', (name) => {
    const profile = name === 'default' ? DEFAULT_BOX_SENSOR_PROFILE : HARSH_BOX_SENSOR_PROFILE;
    const errors = standingErrors(profile, 3);
    expect(errors.length).toBeGreaterThan(30_000);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const sd = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / errors.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    // Quantising to 1 mm adds 1/12 mm² of variance.
    expect(Math.abs(sd / Math.sqrt(profile.noiseMm ** 2 + 1 / 12) - 1)).toBeLessThan(0.1);
    expect(errors.reduce((m, e) => Math.max(m, Math.abs(e)), 0)).toBeLessThanOrEqual(BOX_NOISE_CLAMP_SIGMA * profile.noiseMm + 0.5);
  });

  test('standing speed reads under the stop threshold; the reader misses at its rate', () => {
    const { recs, truth } = run([stopScenario({ stopDurationUs: 20e6 })], HARSH_BOX_SENSOR_PROFILE, 5);
    const t = truth[0]!;
    const standing = recs.filter((r) => r.timeUs >= t.stopStartUs && r.timeUs <= t.stopEndUs);
    expect(Math.max(...standing.map((r) => r.speedMmps))).toBeLessThan(STOP_SPEED_MMPS);
    const missed = standing.filter((r) => r.transponder === 0).length / standing.length;
    expect(missed).toBeGreaterThan(0.07);
    expect(missed).toBeLessThan(0.13);
  });

  test('noiseless records reproduce the exact geometry to the millimetre', () => {
    const pose = poseForMargin(DEFAULT_BOX, DEFAULT_VEHICLE, 'a', 4.6, { xMm: -210.3, yMm: 0, yawDeg: 3.2 });
    const stop = stopScenario({ pose });
    const { recs, truth } = run([stop], QUIET);
    const path = stopPath(stop);
    const t = truth[0]!;
    let overCount = 0;
    for (const r of recs) {
      const fp = footprint(DEFAULT_VEHICLE, path.poseAt(r.timeUs));
      if (!over(r)) {
        expect(r.tires.every((e) => e.minXMm === 0 && e.maxXMm === 0)).toBe(true);
        continue;
      }
      overCount++;
      expect(r.foremostXMm).toBe(quantiseMm(fp.foremostXMm));
      expect(r.tires).toEqual(fp.tires.map((x) => quantiseExtents(x.extents)));
      expect(r.speedMmps).toBe(quantiseMm(path.speedMpsAt(r.timeUs) * 1000));
      if (r.timeUs >= t.stopStartUs && r.timeUs <= t.stopEndUs) {
        expect(marginsFromExtents(DEFAULT_BOX, r.tires, r.foremostXMm).map(quantiseMm)).toEqual(t.rounded.margins);
        expect(r.transponder).toBe(1);
        expect(r.distanceMm).toBe(quantiseMm(noseDistanceMm(DEFAULT_BOX, fp)));
      }
    }
    // Over the box from the nose on the back line to the tail past the front line.
    expect(overCount).toBe(Math.floor(t.departUs / 1e4) - Math.floor(t.arriveUs / 1e4));
    expect(t).toMatchObject({ inBox: true, clause: 'a', transit: false, closeCall: true });
    expect(t.marginMm).toBeCloseTo(4.6, 9);
    expect(t.rounded.marginMm).toBe(5);
  });

  test('the approach sensor sees 30 m ahead, the reader 3 m', () => {
    const { recs, truth } = run([stopScenario()], QUIET);
    const t = truth[0]!;
    const first = recs.find((r) => r.distanceMm !== NO_DISTANCE)!;
    expect(first.distanceMm).toBeLessThanOrEqual(30_000);
    expect(first.distanceMm).toBeGreaterThan(30_000 - 200); // at most one period of travel in
    expect(first.timeUs - t.sensedFromUs).toBeLessThan(10_000);
    const read = recs.find((r) => r.transponder !== 0)!;
    expect(read.distanceMm).toBeLessThanOrEqual(3000);
    expect(read.distanceMm).toBeGreaterThan(3000 - 200);
    // Gone once the tail clears the front line.
    const last = recs.filter((r) => r.distanceMm !== NO_DISTANCE).at(-1)!;
    expect(last.timeUs).toBeLessThan(t.departUs);
    expect(last.timeUs).toBeGreaterThan(t.departUs - 10_000);
  });

  test('crew: over at service start, ramping up, back at service end', () => {
    const { recs, truth } = run([stopScenario()], QUIET);
    const t = truth[0]!;
    expect(t).toMatchObject({ maxCrew: 6, tooManyCrew: false, crewTooSoon: false });
    expect(t.crewOverUs).toBe(t.serviceStartUs);
    expect(t.serviceStartUs! - t.stopStartUs).toBeCloseTo(300_000, 6);
    expect(t.serviceEndUs! - t.serviceStartUs!).toBeCloseTo(11_000_000, 6);
    // Over the wall once the vehicle stands in its box: the nose is past the back line.
    expect(t.crewDistanceMm).toBeCloseTo(-HALF_L - 2472.5, 6);
    const withCrew = recs.filter((r) => r.crew > 0);
    expect(withCrew[0]!.timeUs).toBe(Math.ceil(t.crewOverUs! / 1e4) * 1e4);
    expect(withCrew[0]!.crew).toBe(1);
    expect(withCrew.at(-1)!.timeUs).toBe(Math.ceil(t.serviceEndUs! / 1e4) * 1e4 - 1e4);
    const full = withCrew.find((r) => r.crew === 6)!;
    expect(full.timeUs - t.crewOverUs!).toBeLessThanOrEqual(500_000);
    for (let i = 1; i < withCrew.length; i++) expect(withCrew[i]!.crew).toBeGreaterThanOrEqual(withCrew[i - 1]!.crew);
  });

  test('crew over the wall too soon (R-PIT-CREW-1) and too many (R-PIT-CREW-2)', () => {
    const soon = run([stopScenario({ crewEarlyBoxes: 1.5 })], QUIET);
    const t = soon.truth[0]!;
    expect(t.crewDistanceMm).toBeCloseTo(1.5 * oneBoxMm(DEFAULT_BOX), 6);
    expect(t.crewTooSoon).toBe(true);
    expect(t.crewOverUs!).toBeLessThan(t.arriveUs);
    // The approach sensor's reading when the first crew member is seen.
    const seen = soon.recs.find((r) => r.crew > 0)!;
    expect(seen.distanceMm).toBeLessThanOrEqual(10_350);
    expect(seen.distanceMm).toBeGreaterThan(10_350 - 200);
    expect(seen.transponder).toBe(0); // beyond the reader's 3 m

    // Further out than the approach sensor reaches: too soon, with nothing approaching to show.
    const farOut = run([stopScenario({ crewEarlyBoxes: 5 })], QUIET);
    expect(farOut.truth[0]).toMatchObject({ crewTooSoon: true });
    expect(farOut.recs.find((r) => r.crew > 0)!.distanceMm).toBe(NO_DISTANCE);

    const inTime = run([stopScenario({ crewEarlyBoxes: 0.9 })], QUIET).truth[0]!;
    expect(inTime.crewDistanceMm).toBeCloseTo(0.9 * 6900, 6);
    expect(inTime.crewTooSoon).toBe(false);

    const many = run([stopScenario({ crew: 8 })], QUIET);
    expect(many.truth[0]).toMatchObject({ maxCrew: 8, tooManyCrew: true });
    expect(Math.max(...many.recs.map((r) => r.crew))).toBe(8);
    expect(CREW_LIMIT).toBe(6);
    // A short service ends before the ramp is done.
    const short = run([stopScenario({ serviceDurationUs: 150_000 })], QUIET);
    expect(short.truth[0]!.maxCrew).toBe(2);
    expect(Math.max(...short.recs.map((r) => r.crew))).toBe(2);
    expect(run([stopScenario({ crew: 0 })], QUIET).truth[0]).toMatchObject({ crewOverUs: null, serviceStartUs: null, maxCrew: 0 });
  });

  test('a transit never stands still', () => {
    for (const transitSpeedMps of [undefined, 0.5, 3]) {
      const stop = stopScenario({ driveThrough: true, crew: 0, transitSpeedMps });
      const { recs, truth } = run([stop], HARSH_BOX_SENSOR_PROFILE, 9);
      const t = truth[0]!;
      expect(t.transit).toBe(true);
      expect(t.stopEndUs).toBe(t.stopStartUs);
      const overBox = recs.filter(over);
      expect(overBox.length).toBeGreaterThan(0);
      expect(Math.min(...overBox.map((r) => r.speedMmps))).toBeGreaterThanOrEqual(STOP_SPEED_MMPS);
      // Passing through the pose at the transit speed.
      expect(stopPath(stop).speedMpsAt(t.stopStartUs)).toBeCloseTo(transitSpeedMps ?? stop.approachSpeedMps, 9);
    }
    expect(() => stopPath(stopScenario({ transitSpeedMps: 2 }))).toThrow(/only for a drive-through/);
  });

  test('a drive-through along a given motion (a race plan\'s): the box reads the vehicle where and as fast as the motion has it, and the board calls a transit', () => {
    // Braking through the box to stand just beyond it: 12 m/s to rest from 5 m before the back line to the tail 1.5 m past the front line.
    const bodyMm = DEFAULT_VEHICLE.wheelbaseMm + DEFAULT_VEHICLE.frontOverhangMm + DEFAULT_VEHICLE.rearOverhangMm;
    const restM = (DEFAULT_BOX.lengthMm + bodyMm) / 1000 + 1.5;
    const nose = piecewiseMotion({ startUs: 10e6, startM: -5 - 20, speedMps: 12 }, [
      { toSpeedMps: 12, distanceM: 20 },
      { toSpeedMps: 0, distanceM: restM + 5 },
      { toSpeedMps: 0, durationUs: 5e6 },
      { toSpeedMps: 10, distanceM: 12.5 },
    ]);
    const stop = stopScenario({ driveThrough: true, crew: 0, serviceDurationUs: 0, noseMotion: nose, arriveUs: 0, approachSpeedMps: 99 });
    const { recs, truth } = run([stop], QUIET);
    const t = truth[0]!;
    expect(t.transit).toBe(true);
    expect(t.arriveUs).toBe(nose.timeAt(0));
    expect(t.departUs).toBeCloseTo(nose.timeAt((DEFAULT_BOX.lengthMm + bodyMm) / 1000), 3);
    expect(t.stopStartUs).toBe(t.stopEndUs);
    let read = 0;
    for (const r of recs) {
      const x = nose.positionAt(r.timeUs) * 1000;
      expect(over(r), `${r.timeUs}`).toBe(x > 0 && x - bodyMm < DEFAULT_BOX.lengthMm);
      if (r.distanceMm === NO_DISTANCE) continue;
      read++;
      expect(Math.abs(r.distanceMm + x)).toBeLessThanOrEqual(0.5 + 1e-6);
      expect(Math.abs(r.speedMmps - nose.speedAt(r.timeUs) * 1000)).toBeLessThanOrEqual(0.5 + 1e-6);
    }
    expect(read).toBeGreaterThan(100);
    // The board: arrival, then a transit the first sample the tail is clear (it stands beyond the box, never over it).
    const board = runStops([stop], DEFAULT_BOX_SENSOR_PROFILE, 3);
    expect(board.events.map((e) => e.kind)).toEqual(['box-arrival', 'box-transit']);
    const transit = board.events[1] as { timeUs: number; transponder: number };
    expect(transit.transponder).toBe(stop.transponder);
    expect(transit.timeUs).toBe(Math.ceil(t.departUs / 10_000) * 10_000);
  });

  test('a given motion is for a drive-through only, and sets its own speed', () => {
    const nose = piecewiseMotion({ startUs: 0, startM: -30, speedMps: 10 }, []);
    expect(() => stopPath(stopScenario({ noseMotion: nose }))).toThrow(/stop\.noseMotion is only for a drive-through/);
    expect(() => stopPath(stopScenario({ noseMotion: nose, driveThrough: true, transitSpeedMps: 2 }))).toThrow(/transitSpeedMps and noseMotion exclude each other/);
    expect(stopPath(stopScenario({ noseMotion: nose, driveThrough: true })).speedMpsAt(1e6)).toBe(10);
  });

  test('a stop out of the box: the truth and the readings agree', () => {
    const pose = poseForMargin(DEFAULT_BOX, DEFAULT_VEHICLE, 'd', -1);
    const { recs, truth } = run([stopScenario({ pose })], QUIET);
    const t = truth[0]!;
    expect(t).toMatchObject({ inBox: false, clause: 'd', marginMm: -1, closeCall: true });
    const standing = recs.filter((r) => r.timeUs >= t.stopStartUs && r.timeUs <= t.stopEndUs);
    for (const r of standing) expect(Math.min(r.tires[2].minXMm, r.tires[3].minXMm)).toBe(-HALF_L - 1);
  });

  test('a 60-stop evening of 4 boxes: samples around the stops only', () => {
    const stops: StopScenario[] = [];
    for (let i = 0; i < 60; i++) {
      stops.push(stopScenario({ box: { ...DEFAULT_BOX, number: 1 + (i % 4) }, transponder: 100 + i, arriveUs: 5e6 + Math.floor(i / 4) * 40e6 + (i % 4) * 1e6 }));
    }
    const { samples, truth } = boxSamples(stops, DEFAULT_BOX_SENSOR_PROFILE, 1);
    expect(truth.length).toBe(60);
    // 15 rounds 40 s apart; each round's four stops are sensed for well under 40 s.
    const round = (Math.max(...truth.slice(0, 4).map((t) => t.sensedToUs)) - Math.min(...truth.slice(0, 4).map((t) => t.sensedFromUs)) + 2e6) / 1e4;
    expect(samples).toBeGreaterThan(15 * 4 * (round - 2));
    expect(samples).toBeLessThan(15 * 4 * 4000);
  });
});
