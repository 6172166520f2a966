// The commitment lane: the painted box at the commitment line (R-PIT-COMMIT-1). Its
// geometry as plain arithmetic (the truth every crossing is judged against, written
// from firmware/BOX-BOARD.md alone), and its line sensors' model: from vehicles
// crossing the line to the box board's 64-byte lane records. Deterministic given the
// seed; the model is described in box-sensors.md ("Commitment lanes").
//
// Lane frame (mm): x along the direction of travel, 0 at the commitment line; y across,
// 0 at the lane centre, +y toward the side the boxes' outside lines are on (so tires
// 0 and 2, the "outside" ones, are on the +y side). Inner edges of the two boundary
// lines at y = ±W/2; a line belongs to the outside: a margin <= 0 is out.

import type { CommitmentLane, VehicleGeometry } from '../protocol/schema.js';
import { footprint, quantiseExtents, quantiseMm, validatePose, validateVehicle, type ExtentsMm, type Footprint, type Pose } from './box-geometry.js';
import { BOX_RECORD_BYTES, boxNormal, DEFAULT_BOX_SENSOR_PROFILE, NO_DISTANCE, sensedTires, validateBoxSensorProfile, writeBoxRecord, type BoxRecord, type BoxSensorProfile } from './box-sensors.js';
import type { PathMotion } from './motion.js';
import { createRng, hashSeed, type Rng } from './random.js';

/** Flag bit 0 of a lane record: the vehicle is over the lane's sensors (tire fields valid); clear in the record saying it has left. */
export const FLAG_LANE_OVER = 1;
/** Flag bit 1: a commitment lane's record (the u16 at offset 12 is the lane id). */
export const FLAG_LANE = 2;
/** The lane's sensors see a vehicle while its body overlaps x ∈ (−this, +this) (mm). */
export const LANE_SENSED_MM = 2000;

/** Each tire's margin (tires 0 front-outside, 1 front-inside, 2 rear-outside, 3 rear-inside), mm, > 0 inside. */
export type TireMargins = [number, number, number, number];

/** A crossing's call from its four tire margins. */
export interface LaneCall {
  margins: TireMargins;
  /** Every margin > 0. */
  inside: boolean;
  /** The smallest margin. */
  marginMm: number;
  /** |marginMm| ≤ the uncertainty. */
  closeCall: boolean;
}

export interface LaneJudgement extends LaneCall {
  /** What a board computes from noiseless 1 mm readings (each margin rounded, never across 0). */
  rounded: LaneCall;
}

export function validateLane(lane: CommitmentLane, what = 'lane'): CommitmentLane {
  if (typeof lane !== 'object' || lane === null) throw new RangeError(`${what} must be an object`);
  if (!Number.isInteger(lane.id) || lane.id < 0 || lane.id > 255) throw new RangeError(`${what}.id must be an integer 0..255 (got ${lane.id})`);
  for (const key of ['widthMm', 'lineMm', 'uncertaintyMm'] as const) {
    const x = lane[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new RangeError(`${what}.${key} must be a finite number >= 0 (got ${String(x)})`);
  }
  if (lane.widthMm <= 0) throw new RangeError(`${what}.widthMm must be > 0 (got ${lane.widthMm})`);
  return lane;
}

/** A tire's margin from its patch's extents: W/2 − the farther of its y extents from the lane centre. */
export function tireMarginMm(lane: Pick<CommitmentLane, 'widthMm'>, e: ExtentsMm): number {
  return lane.widthMm / 2 - Math.max(e.maxYMm, -e.minYMm);
}

/** The call of four tire margins. */
export function laneCallFrom(margins: TireMargins, uncertaintyMm: number): LaneCall {
  const marginMm = Math.min(...margins);
  return { margins: [...margins], inside: margins.every((m) => m > 0), marginMm, closeCall: Math.abs(marginMm) <= uncertaintyMm };
}

/** Whole mm keeping the sign of the decision: inside never reads 0, out never reads 1 (as the board rounds). */
function roundKeepingSide(m: number): number {
  const r = quantiseMm(m);
  if (m > 0 && r <= 0) return 1;
  if (m <= 0 && r > 0) return 0;
  return r;
}

/**
 * R-PIT-COMMIT-1 for a vehicle crossing the line at a lateral offset (its centre, midway
 * between the axles, `offsetMm` from the lane centre) and a yaw (degrees, positive turns
 * the nose toward +y), both held while it crosses: each tire's margin when it is on the
 * line. Held offset and yaw make a tire's y extents the same wherever it is along x, so
 * the margin on the line is the margin of the pose.
 */
export function judgeLane(lane: CommitmentLane, vehicle: VehicleGeometry, offsetMm: number, yawDeg = 0): LaneJudgement {
  validateLane(lane);
  validateVehicle(vehicle);
  const pose = validatePose({ xMm: 0, yMm: offsetMm, yawDeg });
  const fp = footprint(vehicle, pose);
  const exact = fp.tires.map((t) => tireMarginMm(lane, t.extents)) as TireMargins;
  const fromReadings = fp.tires.map((t) => roundKeepingSide(tireMarginMm(lane, quantiseExtents(t.extents)))) as TireMargins;
  return { ...laneCallFrom(exact, lane.uncertaintyMm), rounded: laneCallFrom(fromReadings, lane.uncertaintyMm) };
}

/** The offset that puts the vehicle's outermost tire on one side exactly `marginMm` inside that side's line (yaw 0). */
export function offsetForMargin(lane: Pick<CommitmentLane, 'widthMm'>, vehicle: VehicleGeometry, marginMm: number, side: 1 | -1 = 1): number {
  return side * (lane.widthMm / 2 - vehicle.trackMm / 2 - vehicle.tireWidthMm / 2 - marginMm);
}

// ------------------------------------------------------------------ crossings

export interface LaneCrossing {
  vehicle: VehicleGeometry;
  /** u32, not 0. */
  transponder: number;
  /** The nose's distance past the commitment line (m) over time; the centreline's front end. */
  noseMotion: PathMotion;
  offsetMm: number;
  yawDeg: number;
}

export interface LaneCrossingTruth extends LaneJudgement {
  transponder: number;
  /** The front axle's centre on the line (µs): the board's `timeUs` is the mean of the front tires' moments. */
  frontUs: number;
  /** The rear axle's centre on the line (µs). */
  rearUs: number;
  /** The span during which the lane's sensors see the vehicle (µs). */
  sensedFromUs: number;
  sensedToUs: number;
}

interface PlannedCrossing {
  crossing: LaneCrossing;
  truth: LaneCrossingTruth;
  /** Centre's x (mm) at a time. */
  centreX(tUs: number): number;
  /** The vehicle number the lane's sensors give it. */
  number: number;
}

/** From the centre to the centreline's front end (mm): the nose the motion follows. */
function noseReachMm(v: VehicleGeometry): number {
  return v.wheelbaseMm / 2 + v.frontOverhangMm;
}

function planCrossing(lane: CommitmentLane, c: LaneCrossing, what: string): Omit<PlannedCrossing, 'number'> {
  validateVehicle(c.vehicle, `${what}.vehicle`);
  if (!Number.isInteger(c.transponder) || c.transponder < 1 || c.transponder > 0xffffffff) throw new RangeError(`${what}.transponder must be an integer 1..4294967295 (got ${c.transponder})`);
  const call = judgeLane(lane, c.vehicle, c.offsetMm, c.yawDeg);
  const reach = noseReachMm(c.vehicle);
  const timeAtCentreX = (xMm: number): number => c.noseMotion.timeAt((xMm + reach) / 1000);
  const centreX = (tUs: number): number => c.noseMotion.positionAt(tUs) * 1000 - reach;
  // Body extents along x relative to the centre are fixed (held yaw).
  const body = footprint(c.vehicle, { xMm: 0, yMm: c.offsetMm, yawDeg: c.yawDeg }).body.extents;
  const hx = (c.vehicle.wheelbaseMm / 2) * Math.cos((c.yawDeg * Math.PI) / 180);
  const sensedFromUs = timeAtCentreX(-LANE_SENSED_MM - body.maxXMm);
  const sensedToUs = timeAtCentreX(LANE_SENSED_MM - body.minXMm);
  if (!Number.isFinite(sensedFromUs) || !Number.isFinite(sensedToUs)) throw new RangeError(`${what}: the vehicle must come from and go beyond the lane's sensors`);
  return {
    crossing: c,
    truth: { ...call, transponder: c.transponder, frontUs: timeAtCentreX(-hx), rearUs: timeAtCentreX(hx), sensedFromUs, sensedToUs },
    centreX,
  };
}

/** A crossing's truth alone (what laneSamples would say of it). */
export function laneCrossingTruth(lane: CommitmentLane, crossing: LaneCrossing): LaneCrossingTruth {
  return planCrossing(validateLane(lane), crossing, 'crossing').truth;
}

function overLane(fp: Footprint): boolean {
  return fp.body.extents.maxXMm > -LANE_SENSED_MM && fp.body.extents.minXMm < LANE_SENSED_MM;
}

/** One lane record of one vehicle at one sample time. */
function laneRecord(lane: CommitmentLane, p: PlannedCrossing, tUs: number, profile: BoxSensorProfile, rng: Rng): BoxRecord {
  // Every draw is made whatever is visible, so a record's noise depends only on (seed, lane, sample, vehicle).
  const noise = (): number => profile.noiseMm * boxNormal(rng);
  const foremostNoise = noise();
  const tireNoise = Array.from({ length: 16 }, noise);
  const speedNoise = profile.speedNoiseMmps * boxNormal(rng);
  const missed = rng.next() < profile.readerMiss;
  const c = p.crossing;
  const pose: Pose = { xMm: p.centreX(tUs), yMm: c.offsetMm, yawDeg: c.yawDeg };
  const fp = footprint(c.vehicle, pose);
  const over = overLane(fp);
  const tires = sensedTires(fp, over, tireNoise);
  return {
    timeUs: tUs,
    transponder: over && !missed ? c.transponder : 0,
    box: lane.id,
    flags: FLAG_LANE | (over ? FLAG_LANE_OVER : 0),
    crew: p.number,
    distanceMm: NO_DISTANCE,
    foremostXMm: over ? quantiseMm(fp.foremostXMm + foremostNoise) : 0,
    tires,
    speedMmps: over ? Math.max(0, quantiseMm(c.noseMotion.speedAt(tUs) * 1000 + speedNoise)) : 0,
  };
}

/**
 * The lane's records of every crossing: one per vehicle over the lane's sensors per
 * sample period (integer multiples of profile.sampleUs), then one saying it has left
 * (flag bit 0 clear); sorted by time, then vehicle number. Vehicles are numbered in the
 * order the sensors first see them, 0..255 then round again. The truth of every
 * crossing, in that order.
 */
export function laneSamples(
  lane: CommitmentLane,
  crossings: readonly LaneCrossing[],
  profile: BoxSensorProfile = DEFAULT_BOX_SENSOR_PROFILE,
  seed = 1,
): { records: Uint8Array; samples: number; truth: LaneCrossingTruth[] } {
  validateLane(lane);
  const p = validateBoxSensorProfile(profile);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number (got ${seed})`);
  const planned = crossings
    .map((c, i) => planCrossing(lane, c, `crossings[${i}]`))
    .sort((a, b) => a.truth.sensedFromUs - b.truth.sensedFromUs || a.truth.transponder - b.truth.transponder)
    .map((x, i): PlannedCrossing => ({ ...x, number: i % 256 }));
  const out: Array<{ rec: BoxRecord }> = [];
  for (const pl of planned) {
    const k0 = Math.max(0, Math.floor(pl.truth.sensedFromUs / p.sampleUs));
    const k1 = Math.ceil(pl.truth.sensedToUs / p.sampleUs) + 1;
    let seen = false;
    for (let k = k0; k <= k1; k++) {
      const tUs = k * p.sampleUs;
      const rec = laneRecord(lane, pl, tUs, p, createRng(hashSeed(seed, 0x1a9e, lane.id, k, pl.number)));
      const over = (rec.flags & FLAG_LANE_OVER) !== 0;
      if (!over && !seen) continue; // not there yet
      seen = true;
      out.push({ rec });
      if (!over) break; // the record saying it has left
    }
  }
  out.sort((a, b) => a.rec.timeUs - b.rec.timeUs || a.rec.crew - b.rec.crew);
  const records = new Uint8Array(out.length * BOX_RECORD_BYTES);
  out.forEach((x, i) => writeBoxRecord(records, i * BOX_RECORD_BYTES, x.rec));
  return { records, samples: out.length, truth: planned.map((x) => x.truth) };
}
