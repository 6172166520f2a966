// The pit box sensor model: from scripted stops (a vehicle's path through its box, the
// crew going over the wall) to the box board's 64-byte sample records
// (firmware/BOX-BOARD.md), plus the exact truth each stop is judged against. The
// motion, the sensors and the measured figures are in box-sensors.md. Deterministic
// given the seed.

import type { BoxClause, BoxConfig, BoxDef, VehicleGeometry } from '../protocol/schema.js';
import {
  DEFAULT_BOX,
  DEFAULT_VEHICLE,
  footprint,
  judgeBox,
  noseDistanceMm,
  oneBoxMm,
  overBox,
  quantiseMm,
  validateBoxDef,
  validatePose,
  validateVehicle,
  type BoxCall,
  type ExtentsMm,
  type Footprint,
  type Margins,
  type Pose,
} from './box-geometry.js';
import { piecewiseMotion, type MotionSegment, type PathMotion } from './motion.js';
import { clampedNormal, createRng, hashSeed, type Rng } from './random.js';
import { DEFAULT_CREW_LIMIT } from './scenario.js';

// ------------------------------------------------------------------ records

export const BOX_RECORD_BYTES = 64;
/** Flag bit 0: a vehicle is over the box (tire and nose fields valid). */
export const FLAG_OVER_BOX = 1;
/** The approach sensor's "nothing approaches" (i32 min). */
export const NO_DISTANCE = -2147483648;
/** R-PIT-CREW-2: the sensor model's truth is judged against the scenario's default limit (one definition). */
export const CREW_LIMIT = DEFAULT_CREW_LIMIT;
/** The box board's stop threshold (BOX-BOARD.md): slower than this is standing still. */
export const STOP_SPEED_MMPS = 100;

export interface BoxRecord {
  /** Board clock, integer µs. */
  timeUs: number;
  /** Read by the box's reader; 0 when none. */
  transponder: number;
  box: number;
  flags: number;
  crew: number;
  /** Nose to the back line's inner edge, positive before it; NO_DISTANCE when nothing approaches. */
  distanceMm: number;
  /** Largest x of the body, box frame. */
  foremostXMm: number;
  /** Contact patches 0 front-outside, 1 front-inside, 2 rear-outside, 3 rear-inside. */
  tires: [ExtentsMm, ExtentsMm, ExtentsMm, ExtentsMm];
  speedMmps: number;
}

function checkInt(what: string, x: number, min: number, max: number): void {
  if (!Number.isInteger(x) || x < min || x > max) throw new RangeError(`${what} must be an integer ${min}..${max} (got ${x})`);
}

/** Writes one record at a byte offset of `out` (little endian; bytes 60..63 reserved, 0). */
export function writeBoxRecord(out: Uint8Array, offset: number, r: BoxRecord): void {
  if (!Number.isSafeInteger(r.timeUs) || r.timeUs < 0) throw new RangeError(`timeUs must be a non-negative integer (got ${r.timeUs})`);
  checkInt('transponder', r.transponder, 0, 0xffffffff);
  checkInt('box', r.box, 0, 0xffff);
  checkInt('flags', r.flags, 0, 0xff);
  checkInt('crew', r.crew, 0, 0xff);
  checkInt('distanceMm', r.distanceMm, -2147483648, 2147483647);
  checkInt('foremostXMm', r.foremostXMm, -2147483648, 2147483647);
  checkInt('speedMmps', r.speedMmps, 0, 0xffffffff);
  const view = new DataView(out.buffer, out.byteOffset + offset, BOX_RECORD_BYTES);
  view.setUint32(0, r.timeUs % 4294967296, true);
  view.setUint32(4, Math.floor(r.timeUs / 4294967296), true);
  view.setUint32(8, r.transponder, true);
  view.setUint16(12, r.box, true);
  view.setUint8(14, r.flags);
  view.setUint8(15, r.crew);
  view.setInt32(16, r.distanceMm, true);
  view.setInt32(20, r.foremostXMm, true);
  r.tires.forEach((t, i) => {
    const fields = [t.minXMm, t.maxXMm, t.minYMm, t.maxYMm];
    fields.forEach((v, j) => {
      checkInt(`tires[${i}]`, v, -32768, 32767);
      view.setInt16(24 + i * 8 + j * 2, v, true);
    });
  });
  view.setUint32(56, r.speedMmps, true);
  view.setUint32(60, 0, true);
}

export function encodeBoxRecord(r: BoxRecord): Uint8Array {
  const out = new Uint8Array(BOX_RECORD_BYTES);
  writeBoxRecord(out, 0, r);
  return out;
}

/** Record `index` of a buffer of records. */
export function decodeBoxRecord(bytes: Uint8Array, index = 0): BoxRecord {
  const offset = index * BOX_RECORD_BYTES;
  if (!Number.isInteger(index) || index < 0 || offset + BOX_RECORD_BYTES > bytes.length) {
    throw new RangeError(`record ${index} is outside the ${bytes.length} bytes given`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, BOX_RECORD_BYTES);
  const tire = (i: number): ExtentsMm => ({
    minXMm: view.getInt16(24 + i * 8, true),
    maxXMm: view.getInt16(26 + i * 8, true),
    minYMm: view.getInt16(28 + i * 8, true),
    maxYMm: view.getInt16(30 + i * 8, true),
  });
  return {
    timeUs: view.getUint32(0, true) + view.getUint32(4, true) * 4294967296,
    transponder: view.getUint32(8, true),
    box: view.getUint16(12, true),
    flags: view.getUint8(14),
    crew: view.getUint8(15),
    distanceMm: view.getInt32(16, true),
    foremostXMm: view.getInt32(20, true),
    tires: [tire(0), tire(1), tire(2), tire(3)],
    speedMmps: view.getUint32(56, true),
  };
}

export function decodeBoxRecords(bytes: Uint8Array): BoxRecord[] {
  if (bytes.length % BOX_RECORD_BYTES !== 0) throw new RangeError(`${bytes.length} bytes is not a whole number of ${BOX_RECORD_BYTES}-byte records`);
  return Array.from({ length: bytes.length / BOX_RECORD_BYTES }, (_, i) => decodeBoxRecord(bytes, i));
}

// ------------------------------------------------------------------ profile

export interface BoxSensorProfile {
  /** Sample period (µs), the board config's sampleUs. */
  sampleUs: number;
  /** Standard deviation of every coordinate and distance reading (mm). */
  noiseMm: number;
  /** Standard deviation of the speed reading (mm/s). */
  speedNoiseMmps: number;
  /** The reader sees a transponder while the body is within this distance of the box's inside area along x (mm). */
  readerRangeMm: number;
  /** Probability that the reader misses a transponder it could see, per sample. */
  readerMiss: number;
  /** The approach sensor sees a nose up to this far before the back line (mm). */
  approachRangeMm: number;
  /** The crew goes over the wall one by one, spread over this time (µs; 0: all at once). */
  crewRampUs: number;
  /** Samples before the first and after the last stop's sensed span (µs). */
  padUs: number;
  /** The close-call band of the truth (and of the board config boxConfig() makes), mm. */
  uncertaintyMm: number;
}

export const DEFAULT_BOX_SENSOR_PROFILE: Readonly<BoxSensorProfile> = Object.freeze({
  sampleUs: 10_000,
  noiseMm: 3,
  speedNoiseMmps: 10,
  readerRangeMm: 3000,
  readerMiss: 0.02,
  approachRangeMm: 30_000,
  crewRampUs: 500_000,
  padUs: 1_000_000,
  uncertaintyMm: 10,
});

/** Noisier sensors; the close-call band widens to about 3σ of one reading. */
export const HARSH_BOX_SENSOR_PROFILE: Readonly<BoxSensorProfile> = Object.freeze({
  ...DEFAULT_BOX_SENSOR_PROFILE,
  noiseMm: 8,
  speedNoiseMmps: 20,
  readerMiss: 0.1,
  uncertaintyMm: 25,
});

/** Every Gaussian draw is clamped to ±this many standard deviations. */
export const BOX_NOISE_CLAMP_SIGMA = 4;

type Check = (x: number) => string | undefined;
const nonNegative: Check = (x) => (x >= 0 ? undefined : 'must be >= 0');

const PROFILE_CHECKS: { [K in keyof BoxSensorProfile]: Check } = {
  sampleUs: (x) => (Number.isInteger(x) && x >= 1 && x <= 1_000_000 ? undefined : 'must be an integer 1..1000000 (the board accepts no more)'),
  noiseMm: nonNegative,
  // A standing vehicle must always read as standing, a moving one (≥ 0.5 m/s) never.
  speedNoiseMmps: (x) =>
    x < 0 ? 'must be >= 0' : BOX_NOISE_CLAMP_SIGMA * x >= STOP_SPEED_MMPS ? `must be below ${STOP_SPEED_MMPS / BOX_NOISE_CLAMP_SIGMA}: noise alone would hide a stop` : undefined,
  readerRangeMm: nonNegative,
  readerMiss: (x) => (x >= 0 && x <= 1 ? undefined : 'must be within 0..1'),
  approachRangeMm: (x) => (x > 0 && x <= 2147483647 ? undefined : 'must be within (0, 2147483647]'),
  crewRampUs: nonNegative,
  padUs: nonNegative,
  uncertaintyMm: (x) => (x >= 0 && x <= 1000 ? undefined : 'must be within 0..1000 (the board accepts no more)'),
};

/** Checks a profile; throws a RangeError naming the first bad field. Returns it unchanged. */
export function validateBoxSensorProfile(profile: BoxSensorProfile): BoxSensorProfile {
  if (typeof profile !== 'object' || profile === null) throw new RangeError('box sensor profile must be an object');
  const keys = Object.keys(PROFILE_CHECKS) as (keyof BoxSensorProfile)[];
  for (const key of Object.keys(profile)) {
    if (!(keys as string[]).includes(key)) throw new RangeError(`box sensor profile: unknown field "${key}"`);
  }
  for (const key of keys) {
    const x = profile[key];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`box sensor profile: ${key} must be a finite number (got ${String(x)})`);
  }
  for (const key of keys) {
    const problem = PROFILE_CHECKS[key](profile[key]);
    if (problem) throw new RangeError(`box sensor profile: ${key} ${problem} (got ${profile[key]})`);
  }
  return profile;
}

/** The board config matching the sensors: the boxes given, the vehicle, the profile's period and uncertainty. */
export function boxConfig(boxes: BoxDef[], vehicle: VehicleGeometry, profile: BoxSensorProfile = DEFAULT_BOX_SENSOR_PROFILE): BoxConfig {
  validateBoxSensorProfile(profile);
  return {
    kind: 'box',
    boxes: boxes.map((b) => ({ ...b })),
    vehicle: { ...vehicle },
    uncertaintyMm: Math.round(profile.uncertaintyMm),
    sampleUs: profile.sampleUs,
  };
}

// ------------------------------------------------------------------ stops

export interface StopScenario {
  box: BoxDef;
  vehicle: VehicleGeometry;
  /** u32, not 0 (0 is the reader's "none"). */
  transponder: number;
  /** Where it stops (a transit: where it passes, at the moment its centre is at pose.xMm). */
  pose: Pose;
  /** When the nose crosses the back line's inner edge (µs). */
  arriveUs: number;
  /** Speed along pit road before braking for the box (m/s). */
  approachSpeedMps: number;
  /** How long it stands at the pose (µs, > 0; ignored for a transit). */
  stopDurationUs: number;
  /** From the start of the stop (a transit: the pass) to service starting (µs). */
  serviceStartAfterUs: number;
  /** 0: no service. */
  serviceDurationUs: number;
  /** Crew over the wall during service, 0..255; above CREW_LIMIT is R-PIT-CREW-2. */
  crew: number;
  /** The crew goes over when the nose is this many boxes (L + 2·line each) before the back line. */
  crewEarlyBoxes?: number;
  /** Drives through the box without stopping. */
  driveThrough?: boolean;
  /** A transit's speed at the pose (m/s, 0.5..approachSpeedMps); approachSpeedMps when omitted. */
  transitSpeedMps?: number;
  /**
   * A drive-through along a motion planned elsewhere (a race plan's, through a box it
   * does not stop in): the nose's distance past the back line's inner edge (m) over
   * time. It replaces the braking model, so arriveUs and approachSpeedMps are taken
   * from it (the fields are ignored); the vehicle must not stand over the box.
   */
  noseMotion?: PathMotion;
}

/** How a vehicle brakes into its box and leaves it; see box-sensors.md. */
export const BOX_MOTION = Object.freeze({
  /** Braking for the box (m/s²). */
  decelMps2: 6,
  /** Leaving it (m/s²). */
  accelMps2: 4,
  /** y and yaw blend from the lane (0, 0) to the pose over the last this much of the approach, and back over the first this much of the departure (mm). */
  blendMm: 2000,
});

export const MPH = 0.44704;

/** A stop in the default box with the default vehicle, 45 mph approach, 12 s stop, 6 crew; fields overridable. */
export function stopScenario(over: Partial<StopScenario> = {}): StopScenario {
  return {
    box: { ...DEFAULT_BOX },
    vehicle: { ...DEFAULT_VEHICLE },
    transponder: 1,
    pose: { xMm: 0, yMm: 0, yawDeg: 0 },
    arriveUs: 5_000_000,
    approachSpeedMps: 45 * MPH,
    stopDurationUs: 12_000_000,
    serviceStartAfterUs: 300_000,
    serviceDurationUs: 11_000_000,
    crew: 6,
    ...over,
  };
}

function finiteIn(what: string, x: unknown, min: number, max = Infinity): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) {
    throw new RangeError(`${what} must be a finite number within ${min}..${max} (got ${String(x)})`);
  }
}

function validateStop(s: StopScenario, what: string): void {
  if (typeof s !== 'object' || s === null) throw new RangeError(`${what} must be an object`);
  validateBoxDef(s.box, `${what}.box`);
  validateVehicle(s.vehicle, `${what}.vehicle`);
  validatePose(s.pose, `${what}.pose`);
  checkInt(`${what}.transponder`, s.transponder, 1, 0xffffffff);
  if (s.driveThrough !== undefined && typeof s.driveThrough !== 'boolean') throw new RangeError(`${what}.driveThrough must be a boolean`);
  if (s.noseMotion !== undefined) {
    if (!s.driveThrough) throw new RangeError(`${what}.noseMotion is only for a drive-through`);
    if (s.transitSpeedMps !== undefined) throw new RangeError(`${what}.transitSpeedMps and noseMotion exclude each other: the motion sets the speed`);
  } else {
    finiteIn(`${what}.arriveUs`, s.arriveUs, -Infinity);
    finiteIn(`${what}.approachSpeedMps`, s.approachSpeedMps, 0.5);
  }
  if (!s.driveThrough) {
    finiteIn(`${what}.stopDurationUs`, s.stopDurationUs, Number.MIN_VALUE);
    if (s.transitSpeedMps !== undefined) throw new RangeError(`${what}.transitSpeedMps is only for a drive-through`);
  } else if (s.transitSpeedMps !== undefined) {
    finiteIn(`${what}.transitSpeedMps`, s.transitSpeedMps, 0.5, s.approachSpeedMps);
  }
  finiteIn(`${what}.serviceStartAfterUs`, s.serviceStartAfterUs, 0);
  finiteIn(`${what}.serviceDurationUs`, s.serviceDurationUs, 0);
  checkInt(`${what}.crew`, s.crew, 0, 255);
  if (s.crewEarlyBoxes !== undefined) finiteIn(`${what}.crewEarlyBoxes`, s.crewEarlyBoxes, 0);
  // Blending must stay inside the box span, so arrival and departure are straight-line crossings.
  const v = s.vehicle;
  const arriveX = -s.box.lengthMm / 2 - (v.wheelbaseMm / 2 + v.frontOverhangMm);
  const departX = s.box.lengthMm / 2 + (v.wheelbaseMm / 2 + v.rearOverhangMm);
  if (s.pose.xMm - BOX_MOTION.blendMm < arriveX || s.pose.xMm + BOX_MOTION.blendMm > departX) {
    throw new RangeError(
      `${what}.pose.xMm must be within ${arriveX + BOX_MOTION.blendMm}..${departX - BOX_MOTION.blendMm} (the vehicle must be over the box while it turns in and out)`,
    );
  }
}

/** A stop's motion in box coordinates. */
export interface StopPath {
  /** When the centre reaches pose.xMm: the stop's start (a transit: the pass). */
  poseUs: number;
  /** End of the stop (a transit: poseUs). */
  stopEndUs: number;
  /** Nose at the back line's inner edge (the stop's arriveUs). */
  arriveUs: number;
  /** Body clear of the front line's inner edge. */
  departUs: number;
  /** Pose at a time; exactly the scripted pose while it stands. */
  poseAt(tUs: number): Pose;
  /** Speed along x (m/s). */
  speedMpsAt(tUs: number): number;
  /** When the centre (at lane y and yaw, outside the blend) reaches an x. */
  timeAtCentreX(xMm: number): number;
}

function smoothstep(s: number): number {
  return s <= 0 ? 0 : s >= 1 ? 1 : s * s * (3 - 2 * s);
}

/**
 * The path of a stop: constant speed, constant-deceleration braking that ends at
 * pose.xMm (at rest, or at the transit speed), standing, constant acceleration back to
 * the approach speed. The centre runs along y = 0 with yaw 0 except within
 * BOX_MOTION.blendMm of the pose, where y and yaw ease (smoothstep of the distance) to
 * the pose's and back.
 */
export function stopPath(stop: StopScenario): StopPath {
  validateStop(stop, 'stop');
  if (stop.noseMotion) return givenPath(stop, stop.noseMotion);
  const { pose, vehicle: v } = stop;
  const transit = stop.driveThrough === true;
  const v0 = stop.approachSpeedMps;
  const v1 = transit ? (stop.transitSpeedMps ?? v0) : 0;
  const standUs = transit ? 0 : stop.stopDurationUs;
  const decelS = (v0 - v1) / BOX_MOTION.decelMps2;
  const decelM = (v0 * v0 - v1 * v1) / (2 * BOX_MOTION.decelMps2);
  const segments: MotionSegment[] = [];
  if (decelS > 0) segments.push({ toSpeedMps: v1, durationUs: decelS * 1e6 });
  if (standUs > 0) segments.push({ toSpeedMps: 0, durationUs: standUs });
  if (v1 < v0) segments.push({ toSpeedMps: v0, durationUs: ((v0 - v1) / BOX_MOTION.accelMps2) * 1e6 });
  // Relative motion: time 0 and position 0 at the pose, metres.
  const motion: PathMotion = piecewiseMotion({ startUs: -decelS * 1e6, startM: -decelM, speedMps: v0 }, segments);

  const arriveX = -stop.box.lengthMm / 2 - (v.wheelbaseMm / 2 + v.frontOverhangMm);
  const departX = stop.box.lengthMm / 2 + (v.wheelbaseMm / 2 + v.rearOverhangMm);
  const relTime = (xMm: number): number => motion.timeAt((xMm - pose.xMm) / 1000);
  const poseUs = stop.arriveUs - relTime(arriveX);
  const stopEndUs = poseUs + standUs;
  const blend = (distMm: number): number => smoothstep(1 - Math.max(0, distMm) / BOX_MOTION.blendMm);

  return {
    poseUs,
    stopEndUs,
    arriveUs: stop.arriveUs,
    departUs: poseUs + relTime(departX),
    poseAt(tUs) {
      if (!transit && tUs >= poseUs && tUs <= stopEndUs) return { ...pose };
      const tau = tUs - poseUs;
      const dx = motion.positionAt(tau) * 1000;
      const w = tau < 0 ? blend(-dx) : blend(dx);
      return { xMm: pose.xMm + dx, yMm: w * pose.yMm + 0, yawDeg: w * pose.yawDeg + 0 }; // + 0: never −0
    },
    speedMpsAt: (tUs) => motion.speedAt(tUs - poseUs),
    timeAtCentreX: (xMm) => poseUs + relTime(xMm),
  };
}

/**
 * A drive-through along a given nose motion: the centre's x follows it, y and yaw ease
 * to the pose's within BOX_MOTION.blendMm of it as in stopPath, and it never stands.
 */
function givenPath(stop: StopScenario, nose: PathMotion): StopPath {
  const { pose, vehicle: v, box } = stop;
  // The nose is d m past the back line's inner edge when the centre is at d·1000 − L/2 − nose reach.
  const backToCentreMm = box.lengthMm / 2 + v.wheelbaseMm / 2 + v.frontOverhangMm;
  const timeAtCentreX = (xMm: number): number => nose.timeAt((xMm + backToCentreMm) / 1000);
  const poseUs = timeAtCentreX(pose.xMm);
  const blend = (distMm: number): number => smoothstep(1 - distMm / BOX_MOTION.blendMm);
  return {
    poseUs,
    stopEndUs: poseUs,
    arriveUs: nose.timeAt(0),
    departUs: timeAtCentreX(box.lengthMm / 2 + v.wheelbaseMm / 2 + v.rearOverhangMm),
    poseAt(tUs) {
      const xMm = nose.positionAt(tUs) * 1000 - backToCentreMm;
      const w = blend(Math.abs(xMm - pose.xMm));
      return { xMm, yMm: w * pose.yMm + 0, yawDeg: w * pose.yawDeg + 0 }; // + 0: never −0
    },
    speedMpsAt: (tUs) => nose.speedAt(tUs),
    timeAtCentreX,
  };
}

// ------------------------------------------------------------------ truth

export interface StopTruth {
  box: number;
  transponder: number;
  transit: boolean;
  /** The scripted pose: where it stands (a transit: passes). */
  pose: Pose;
  arriveUs: number;
  /** Stands from stopStartUs to stopEndUs (a transit: both the moment it passes the pose). */
  stopStartUs: number;
  stopEndUs: number;
  /** Body clear of the front line (flag bit 0 clears). */
  departUs: number;
  /** Exact margins at the pose, (a)..(d), mm. */
  margins: Margins;
  inBox: boolean;
  clause: BoxClause;
  marginMm: number;
  closeCall: boolean;
  /** What a board computes from noiseless readings at the pose (1 mm). */
  rounded: BoxCall;
  /** null when nobody goes over the wall (crew 0 or no service time). */
  serviceStartUs: number | null;
  /** Crew back behind the wall. */
  serviceEndUs: number | null;
  /** The first crew member over the wall. */
  crewOverUs: number | null;
  /** The vehicle's nose distance to the back line then (signed, mm; negative once the nose is past it). */
  crewDistanceMm: number | null;
  /** crewDistanceMm > one box (L + 2·line): R-PIT-CREW-1. */
  crewTooSoon: boolean;
  /** Most crew over the wall at once. */
  maxCrew: number;
  /** maxCrew > CREW_LIMIT: R-PIT-CREW-2. */
  tooManyCrew: boolean;
  /** The span during which this stop shows in the box's samples (µs). */
  sensedFromUs: number;
  sensedToUs: number;
}

interface Planned {
  stop: StopScenario;
  path: StopPath;
  truth: StopTruth;
  crewAt(tUs: number): number;
}

function plan(stop: StopScenario, profile: BoxSensorProfile): Planned {
  const path = stopPath(stop);
  const { box, vehicle: v } = stop;
  const call = judgeBox(box, v, stop.pose, profile.uncertaintyMm);
  const noseReach = v.wheelbaseMm / 2 + v.frontOverhangMm;
  const rearReach = v.wheelbaseMm / 2 + v.rearOverhangMm;

  const service = stop.crew > 0 && stop.serviceDurationUs > 0;
  const serviceStartUs = service ? path.poseUs + stop.serviceStartAfterUs : null;
  const serviceEndUs = serviceStartUs === null ? null : serviceStartUs + stop.serviceDurationUs;
  let crewOverUs = serviceStartUs;
  if (service && stop.crewEarlyBoxes !== undefined) {
    // Nose distance d before the back line: the centre is at −L/2 − nose reach − d, outside the blend.
    const early = path.timeAtCentreX(-box.lengthMm / 2 - noseReach - stop.crewEarlyBoxes * oneBoxMm(box));
    crewOverUs = Math.min(early, serviceStartUs!);
  }
  const crewDistanceMm = crewOverUs === null ? null : noseDistanceMm(box, footprint(v, path.poseAt(crewOverUs)));
  const ramp = profile.crewRampUs;
  const crewAt = (tUs: number): number => {
    if (crewOverUs === null || tUs < crewOverUs || tUs >= serviceEndUs!) return 0;
    return ramp > 0 ? Math.min(stop.crew, 1 + Math.floor(((tUs - crewOverUs) * stop.crew) / ramp)) : stop.crew;
  };
  // crewAt is 1 + floor(z(t)) on [crewOver, serviceEnd): its supremum is ceil(z(serviceEnd)).
  const maxCrew = crewOverUs === null ? 0 : ramp > 0 ? Math.min(stop.crew, Math.ceil(((serviceEndUs! - crewOverUs) * stop.crew) / ramp)) : stop.crew;

  const approachFromUs = path.timeAtCentreX(-box.lengthMm / 2 - noseReach - profile.approachRangeMm);
  const readerFromUs = path.timeAtCentreX(-box.lengthMm / 2 - noseReach - profile.readerRangeMm);
  const readerToUs = path.timeAtCentreX(box.lengthMm / 2 + rearReach + profile.readerRangeMm);
  const sensedFromUs = Math.min(approachFromUs, readerFromUs, crewOverUs ?? Infinity);
  const sensedToUs = Math.max(readerToUs, path.departUs, serviceEndUs ?? -Infinity);
  if (!Number.isFinite(sensedFromUs) || !Number.isFinite(sensedToUs)) throw new RangeError(`stop of transponder ${stop.transponder} at box ${box.number}: the vehicle must come from and leave for beyond the sensors' range`);

  const truth: StopTruth = {
    box: box.number,
    transponder: stop.transponder,
    transit: stop.driveThrough === true,
    pose: { ...stop.pose },
    arriveUs: path.arriveUs,
    stopStartUs: path.poseUs,
    stopEndUs: path.stopEndUs,
    departUs: path.departUs,
    margins: call.margins,
    inBox: call.inBox,
    clause: call.clause,
    marginMm: call.marginMm,
    closeCall: call.closeCall,
    rounded: call.rounded,
    serviceStartUs,
    serviceEndUs,
    crewOverUs,
    crewDistanceMm,
    crewTooSoon: crewDistanceMm !== null && crewDistanceMm > oneBoxMm(box),
    maxCrew,
    tooManyCrew: maxCrew > CREW_LIMIT,
    sensedFromUs,
    sensedToUs,
  };
  return { stop, path, truth, crewAt };
}

/** A stop's truth without its samples (what boxSamples would say of it; the span it is sensed in, too). */
export function stopTruthOf(stop: StopScenario, profile: BoxSensorProfile = DEFAULT_BOX_SENSOR_PROFILE): StopTruth {
  validateStop(stop, 'stop');
  return plan(stop, validateBoxSensorProfile(profile)).truth;
}

// ------------------------------------------------------------------ samples

const EMPTY_TIRE: ExtentsMm = Object.freeze({ minXMm: 0, maxXMm: 0, minYMm: 0, maxYMm: 0 });

/** The box sensors' noise draw (also the commitment lane's): N(0, 1) clamped to ±BOX_NOISE_CLAMP_SIGMA. */
export function boxNormal(rng: Rng): number {
  return clampedNormal(rng, BOX_NOISE_CLAMP_SIGMA);
}

/** The four tire patches as read, each extent with its own noise (`noise`: 16 draws, 4 per tire); all zero when not over the sensors. */
export function sensedTires(fp: Footprint, over: boolean, noise: readonly number[]): BoxRecord['tires'] {
  return fp.tires.map((t, i): ExtentsMm => {
    if (!over) return { ...EMPTY_TIRE };
    const e = t.extents;
    const n = (j: number): number => noise[i * 4 + j]!;
    return {
      minXMm: quantiseMm(e.minXMm + n(0)),
      maxXMm: quantiseMm(e.maxXMm + n(1)),
      minYMm: quantiseMm(e.minYMm + n(2)),
      maxYMm: quantiseMm(e.maxYMm + n(3)),
    };
  }) as BoxRecord['tires'];
}

/** One box's reading of one stop at one sample time. */
function sample(p: Planned, tUs: number, profile: BoxSensorProfile, rng: Rng): BoxRecord {
  // Every draw is made whatever is visible, so a record's noise depends only on (seed, box, sample).
  const noise = (): number => profile.noiseMm * boxNormal(rng);
  const distanceNoise = noise();
  const foremostNoise = noise();
  const tireNoise = Array.from({ length: 16 }, noise);
  const speedNoise = profile.speedNoiseMmps * boxNormal(rng);
  const missed = rng.next() < profile.readerMiss;

  const { box } = p.stop;
  const fp = footprint(p.stop.vehicle, p.path.poseAt(tUs));
  const halfL = box.lengthMm / 2;
  const body = fp.body.extents;
  const over = overBox(box, fp);
  const nose = noseDistanceMm(box, fp);
  const approaching = nose <= profile.approachRangeMm && body.minXMm < halfL;
  const readable = body.maxXMm > -halfL - profile.readerRangeMm && body.minXMm < halfL + profile.readerRangeMm;

  const tires = sensedTires(fp, over, tireNoise);
  return {
    timeUs: tUs,
    transponder: readable && !missed ? p.stop.transponder : 0,
    box: box.number,
    flags: over ? FLAG_OVER_BOX : 0,
    crew: p.crewAt(tUs),
    distanceMm: approaching ? Math.max(-2147483647, Math.min(2147483647, quantiseMm(nose + distanceNoise))) : NO_DISTANCE,
    foremostXMm: over ? quantiseMm(fp.foremostXMm + foremostNoise) : 0,
    tires,
    speedMmps: approaching ? Math.max(0, quantiseMm(p.path.speedMpsAt(tUs) * 1000 + speedNoise)) : 0,
  };
}

function emptyRecord(tUs: number, box: number): BoxRecord {
  return {
    timeUs: tUs,
    transponder: 0,
    box,
    flags: 0,
    crew: 0,
    distanceMm: NO_DISTANCE,
    foremostXMm: 0,
    tires: [{ ...EMPTY_TIRE }, { ...EMPTY_TIRE }, { ...EMPTY_TIRE }, { ...EMPTY_TIRE }],
    speedMmps: 0,
  };
}

/**
 * The sample records of every box the stops use, one per box per sample period, over
 * the stops' sensed spans plus profile.padUs either side (never before time 0), sorted
 * by time then box number; and the truth of every stop, in order of arrival. A box sees
 * only its own stops; two stops of one box must not be sensed at the same time.
 * `samples` is the number of records.
 */
export function boxSamples(
  stops: StopScenario[],
  profile: BoxSensorProfile = DEFAULT_BOX_SENSOR_PROFILE,
  seed = 1,
): { records: Uint8Array; samples: number; truth: StopTruth[] } {
  const p = validateBoxSensorProfile(profile);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number (got ${seed})`);
  if (!Array.isArray(stops)) throw new RangeError('stops must be an array');

  const boxes = new Map<number, BoxDef>();
  const planned = stops.map((s, i) => {
    validateStop(s, `stops[${i}]`);
    const known = boxes.get(s.box.number);
    if (known && (known.lengthMm !== s.box.lengthMm || known.widthMm !== s.box.widthMm || known.lineMm !== s.box.lineMm || known.outsideLeft !== s.box.outsideLeft)) {
      throw new RangeError(`stops[${i}].box: box ${s.box.number} is given two different shapes`);
    }
    boxes.set(s.box.number, s.box);
    return plan(s, p);
  });
  const byBox = new Map<number, Planned[]>();
  for (const pl of planned) {
    const list = byBox.get(pl.truth.box) ?? [];
    list.push(pl);
    byBox.set(pl.truth.box, list);
  }
  for (const [number, list] of byBox) {
    list.sort((a, b) => a.truth.sensedFromUs - b.truth.sensedFromUs);
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.truth.sensedFromUs <= list[i - 1]!.truth.sensedToUs) {
        throw new RangeError(`box ${number}: two stops are sensed at the same time (transponders ${list[i - 1]!.stop.transponder} and ${list[i]!.stop.transponder})`);
      }
    }
  }
  const truth = planned.map((pl) => pl.truth).sort((a, b) => a.arriveUs - b.arriveUs || a.box - b.box);
  if (planned.length === 0) return { records: new Uint8Array(0), samples: 0, truth };

  // Sample periods around each stop, padUs either side (never before 0); merged where they meet.
  const spans = planned
    .map((pl) => [Math.ceil(Math.max(0, pl.truth.sensedFromUs - p.padUs) / p.sampleUs), Math.floor((pl.truth.sensedToUs + p.padUs) / p.sampleUs)] as [number, number])
    .filter(([a, b]) => b >= a)
    .sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp[0] <= last[1] + 1) last[1] = Math.max(last[1], sp[1]);
    else merged.push([sp[0], sp[1]]);
  }
  const numbers = [...byBox.keys()].sort((a, b) => a - b);
  const n = merged.reduce((sum, [a, b]) => sum + (b - a + 1), 0) * numbers.length;
  const records = new Uint8Array(n * BOX_RECORD_BYTES);
  const cursor = new Map<number, number>(numbers.map((b) => [b, 0]));
  let at = 0;
  for (const [k0, k1] of merged) {
    for (let k = k0; k <= k1; k++) {
      const tUs = k * p.sampleUs;
      for (const number of numbers) {
        const list = byBox.get(number)!;
        let c = cursor.get(number)!;
        while (c < list.length && list[c]!.truth.sensedToUs < tUs) c++;
        cursor.set(number, c);
        const pl = list[c];
        const rec =
          pl && pl.truth.sensedFromUs <= tUs ? sample(pl, tUs, p, createRng(hashSeed(seed, number, k))) : emptyRecord(tUs, number);
        writeBoxRecord(records, at * BOX_RECORD_BYTES, rec);
        at++;
      }
    }
  }
  return { records, samples: n, truth };
}
