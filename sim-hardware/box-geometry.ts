// "In the box" geometry (R-PIT-BOX-2) as plain arithmetic: the ground truth the box
// board's verdicts are judged against. Written from firmware/BOX-BOARD.md alone, so a
// mistake shared with the firmware would need the same misreading twice.
//
// Box frame (mm): origin at the centre of the box's inside area, +x toward the front
// line, +y toward the outside line. Inner edges: front x = +L/2, back x = −L/2,
// outside y = +W/2. Lines belong to the outside: a margin ≤ 0 is out.

import type { BoxClause, BoxConfig, BoxDef, VehicleGeometry } from '../protocol/schema.js';

/** Where a vehicle is: its centre (midway between the axles) in box coordinates, and its heading. */
export interface Pose {
  xMm: number;
  yMm: number;
  /** Counter-clockwise degrees; positive turns the nose toward +y (the outside line). */
  yawDeg: number;
}

export interface PointMm {
  xMm: number;
  yMm: number;
}

export interface ExtentsMm {
  minXMm: number;
  maxXMm: number;
  minYMm: number;
  maxYMm: number;
}

/** A rotated rectangle in box coordinates. */
export interface Rect {
  /** Rear-inside, front-inside, front-outside, rear-outside (vehicle frame −−, +−, ++, −+). */
  corners: [PointMm, PointMm, PointMm, PointMm];
  extents: ExtentsMm;
}

export interface Footprint {
  /** Contact patches: 0 front-outside, 1 front-inside, 2 rear-outside, 3 rear-inside. */
  tires: [Rect, Rect, Rect, Rect];
  body: Rect;
  /** Largest x of the body: the foremost point. */
  foremostXMm: number;
}

/** Margins of clauses (a), (b), (c), (d) in that order: mm, positive inside. */
export type Margins = [number, number, number, number];

export const CLAUSES: readonly BoxClause[] = ['a', 'b', 'c', 'd'];

/** A call from four margins. */
export interface BoxCall {
  margins: Margins;
  /** All four margins > 0. */
  inBox: boolean;
  /** The smallest margin's clause; ties go to the earliest of a, b, c, d. */
  clause: BoxClause;
  marginMm: number;
  /** |marginMm| ≤ the uncertainty. */
  closeCall: boolean;
}

export interface BoxJudgement extends BoxCall {
  footprint: Footprint;
  /** What a board would say from noiseless sensors: margins from the 1 mm readings, rounded. */
  rounded: BoxCall;
}

// ------------------------------------------------------------------ defaults

/** A Truck Series-like box: 22 ft (6.7 m) long inside, 3.7 m wide, 4 in (100 mm) lines. */
export const DEFAULT_BOX: Readonly<BoxDef> = Object.freeze({
  number: 1,
  lengthMm: 6700,
  widthMm: 3700,
  lineMm: 100,
  outsideLeft: true,
});

/** A Truck Series-like vehicle (5.095 m long, 2.0 m wide). */
export const DEFAULT_VEHICLE: Readonly<VehicleGeometry> = Object.freeze({
  trackMm: 1600,
  wheelbaseMm: 2845,
  tireWidthMm: 300,
  patchMm: 200,
  frontOverhangMm: 1050,
  rearOverhangMm: 1200,
  bodyWidthMm: 2000,
});

export const DEFAULT_UNCERTAINTY_MM = 10;

/** Squarely in the box. */
export const CENTRED: Readonly<Pose> = Object.freeze({ xMm: 0, yMm: 0, yawDeg: 0 });

/** A board config for the default box and vehicle at 100 Hz. */
export const DEFAULT_BOX_CONFIG: Readonly<BoxConfig> = Object.freeze({
  kind: 'box',
  boxes: Object.freeze([DEFAULT_BOX]) as BoxDef[],
  vehicle: DEFAULT_VEHICLE,
  uncertaintyMm: DEFAULT_UNCERTAINTY_MM,
  sampleUs: 10_000,
});

// ------------------------------------------------------------------ validation

function finite(what: string, x: unknown): asserts x is number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${what} must be a finite number (got ${String(x)})`);
}

function positive(what: string, x: unknown): void {
  finite(what, x);
  if (x <= 0) throw new RangeError(`${what} must be > 0 (got ${x})`);
}

export function validateBoxDef(box: BoxDef, what = 'box'): BoxDef {
  if (typeof box !== 'object' || box === null) throw new RangeError(`${what} must be an object`);
  if (!Number.isInteger(box.number) || box.number < 0 || box.number > 0xffff) throw new RangeError(`${what}.number must be a u16 (got ${box.number})`);
  positive(`${what}.lengthMm`, box.lengthMm);
  positive(`${what}.widthMm`, box.widthMm);
  finite(`${what}.lineMm`, box.lineMm);
  if (box.lineMm < 0) throw new RangeError(`${what}.lineMm must be >= 0 (got ${box.lineMm})`);
  if (typeof box.outsideLeft !== 'boolean') throw new RangeError(`${what}.outsideLeft must be a boolean`);
  return box;
}

export function validateVehicle(vehicle: VehicleGeometry, what = 'vehicle'): VehicleGeometry {
  if (typeof vehicle !== 'object' || vehicle === null) throw new RangeError(`${what} must be an object`);
  for (const key of ['trackMm', 'wheelbaseMm', 'tireWidthMm', 'patchMm', 'bodyWidthMm'] as const) positive(`${what}.${key}`, vehicle[key]);
  for (const key of ['frontOverhangMm', 'rearOverhangMm'] as const) {
    finite(`${what}.${key}`, vehicle[key]);
    if (vehicle[key] < 0) throw new RangeError(`${what}.${key} must be >= 0 (got ${vehicle[key]})`);
  }
  if (vehicle.tireWidthMm >= vehicle.trackMm) throw new RangeError(`${what}.tireWidthMm must be under trackMm (the two sides' patches would overlap)`);
  if (vehicle.patchMm >= vehicle.wheelbaseMm) throw new RangeError(`${what}.patchMm must be under wheelbaseMm (the axles' patches would overlap)`);
  return vehicle;
}

export function validatePose(pose: Pose, what = 'pose'): Pose {
  if (typeof pose !== 'object' || pose === null) throw new RangeError(`${what} must be an object`);
  finite(`${what}.xMm`, pose.xMm);
  finite(`${what}.yMm`, pose.yMm);
  finite(`${what}.yawDeg`, pose.yawDeg);
  // Past ±90° the nose points backwards and "front"/"rear" tires swap meaning.
  if (Math.abs(pose.yawDeg) >= 90) throw new RangeError(`${what}.yawDeg must be within (-90, 90) (got ${pose.yawDeg})`);
  return pose;
}

// ------------------------------------------------------------------ footprint

function rect(cx: number, cy: number, halfLen: number, halfWid: number, pose: Pose, cos: number, sin: number): Rect {
  const local: [number, number][] = [
    [cx - halfLen, cy - halfWid],
    [cx + halfLen, cy - halfWid],
    [cx + halfLen, cy + halfWid],
    [cx - halfLen, cy + halfWid],
  ];
  const corners = local.map(([x, y]) => ({ xMm: pose.xMm + x * cos - y * sin, yMm: pose.yMm + x * sin + y * cos })) as Rect['corners'];
  const xs = corners.map((p) => p.xMm);
  const ys = corners.map((p) => p.yMm);
  return { corners, extents: { minXMm: Math.min(...xs), maxXMm: Math.max(...xs), minYMm: Math.min(...ys), maxYMm: Math.max(...ys) } };
}

/** cos/sin of a yaw in degrees, exact at 0 so a square pose gives exact numbers. */
function cosSin(yawDeg: number): [number, number] {
  if (yawDeg === 0) return [1, 0];
  const r = (yawDeg * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

/** Contact patches and body of a vehicle at a pose, in box coordinates. */
export function footprint(vehicle: VehicleGeometry, pose: Pose): Footprint {
  const [cos, sin] = cosSin(pose.yawDeg);
  const hx = vehicle.wheelbaseMm / 2;
  const hy = vehicle.trackMm / 2;
  const pl = vehicle.patchMm / 2;
  const pw = vehicle.tireWidthMm / 2;
  const tires: Footprint['tires'] = [
    rect(hx, hy, pl, pw, pose, cos, sin),
    rect(hx, -hy, pl, pw, pose, cos, sin),
    rect(-hx, hy, pl, pw, pose, cos, sin),
    rect(-hx, -hy, pl, pw, pose, cos, sin),
  ];
  const front = hx + vehicle.frontOverhangMm;
  const rear = hx + vehicle.rearOverhangMm;
  const body = rect((front - rear) / 2, 0, (front + rear) / 2, vehicle.bodyWidthMm / 2, pose, cos, sin);
  return { tires, body, foremostXMm: body.extents.maxXMm };
}

// ------------------------------------------------------------------ margins

/**
 * The four margins of BOX-BOARD.md from measured extents: tire patches' extents and
 * the foremost x. Plain arithmetic, so it serves both exact geometry and sensor readings.
 */
export function marginsFromExtents(box: BoxDef, tires: readonly ExtentsMm[], foremostXMm: number): Margins {
  const halfL = box.lengthMm / 2;
  const halfW = box.widthMm / 2;
  return [
    halfW - tires[0]!.maxYMm,
    halfL - foremostXMm,
    halfW - tires[3]!.maxYMm,
    Math.min(tires[2]!.minXMm, tires[3]!.minXMm) + halfL,
  ];
}

/** Exact margins of a footprint (fractional mm kept). */
export function clauseMargins(box: BoxDef, fp: Footprint): Margins {
  return marginsFromExtents(
    box,
    fp.tires.map((t) => t.extents),
    fp.foremostXMm,
  );
}

/**
 * A reading to the whole mm, halves away from zero (so mirrored geometry reads
 * mirrored); never −0.
 */
export function quantiseMm(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x)) + 0;
}

/** Extents as the sensors report them without noise: each coordinate to the whole mm. */
export function quantiseExtents(e: ExtentsMm): ExtentsMm {
  return { minXMm: quantiseMm(e.minXMm), maxXMm: quantiseMm(e.maxXMm), minYMm: quantiseMm(e.minYMm), maxYMm: quantiseMm(e.maxYMm) };
}

/**
 * Margins a board computes from noiseless readings: each reading to the whole mm, then
 * the margin (which has a half mm when L or W is odd) rounded half away from zero, so
 * its sign still gives the verdict of those readings.
 */
export function roundedMargins(box: BoxDef, fp: Footprint): Margins {
  const m = marginsFromExtents(
    box,
    fp.tires.map((t) => quantiseExtents(t.extents)),
    quantiseMm(fp.foremostXMm),
  );
  return m.map(quantiseMm) as Margins;
}

/** Verdict, deciding clause and close call from four margins. */
export function callFromMargins(margins: Margins, uncertaintyMm: number): BoxCall {
  let k = 0;
  for (let i = 1; i < 4; i++) if (margins[i]! < margins[k]!) k = i; // strict: ties keep the earlier clause
  const marginMm = margins[k]!;
  return {
    margins: [...margins],
    inBox: margins.every((m) => m > 0),
    clause: CLAUSES[k]!,
    marginMm,
    closeCall: Math.abs(marginMm) <= uncertaintyMm,
  };
}

/** The whole R-PIT-BOX-2 call for a vehicle at a pose. */
export function judgeBox(box: BoxDef, vehicle: VehicleGeometry, pose: Pose, uncertaintyMm: number = DEFAULT_UNCERTAINTY_MM): BoxJudgement {
  validateBoxDef(box);
  validateVehicle(vehicle);
  validatePose(pose);
  finite('uncertaintyMm', uncertaintyMm);
  if (uncertaintyMm < 0) throw new RangeError(`uncertaintyMm must be >= 0 (got ${uncertaintyMm})`);
  const fp = footprint(vehicle, pose);
  return {
    ...callFromMargins(clauseMargins(box, fp), uncertaintyMm),
    footprint: fp,
    rounded: callFromMargins(roundedMargins(box, fp), uncertaintyMm),
  };
}

/** The body overlaps the box's inside area along x (the box sensors' "vehicle over the box"). */
export function overBox(box: BoxDef, fp: Footprint): boolean {
  return fp.body.extents.maxXMm > -box.lengthMm / 2 && fp.body.extents.minXMm < box.lengthMm / 2;
}

/** Nose to the back line's inner edge, positive before it (the approach sensor's distance). */
export function noseDistanceMm(box: BoxDef, fp: Footprint): number {
  return -box.lengthMm / 2 - fp.foremostXMm;
}

/** One box along pit road, lines included: the R-PIT-CREW-1 distance. */
export function oneBoxMm(box: BoxDef): number {
  return box.lengthMm + 2 * box.lineMm;
}

// ------------------------------------------------------------------ poses on the line

const INDEX: Readonly<Record<BoxClause, number>> = { a: 0, b: 1, c: 2, d: 3 };

/**
 * The pose that puts one clause's margin at `marginMm` (0: exactly touching the line),
 * moving `base` only along the axis the clause depends on: y for (a) and (c), x for (b)
 * and (d). Yaw is kept. The margin is linear in the shift, so one step is exact up to
 * floating point; the result is then nudged so that its margin is on the same side of
 * 0 as the one asked for (touching is out, as the rule says).
 */
export function poseForMargin(box: BoxDef, vehicle: VehicleGeometry, clause: BoxClause, marginMm: number, base: Pose = CENTRED): Pose {
  validateBoxDef(box);
  validateVehicle(vehicle);
  validatePose(base, 'base');
  finite('marginMm', marginMm);
  const i = INDEX[clause];
  if (i === undefined) throw new RangeError(`clause must be one of a, b, c, d (got ${String(clause)})`);
  const alongY = clause === 'a' || clause === 'c';
  // d/dshift of the margin: (a), (b), (c) shrink as the vehicle moves toward their line; (d) grows.
  const slope = clause === 'd' ? 1 : -1;
  const margin = (p: Pose): number => clauseMargins(box, footprint(vehicle, p))[i]!;
  const shifted = (p: Pose, by: number): Pose => (alongY ? { ...p, yMm: p.yMm + by } : { ...p, xMm: p.xMm + by });

  let pose: Pose = { ...base };
  for (let k = 0; k < 4; k++) {
    const err = margin(pose) - marginMm;
    if (err === 0) break;
    pose = shifted(pose, -err / slope);
  }
  const wantIn = marginMm > 0;
  for (let k = 0; k < 200 && margin(pose) > 0 !== wantIn; k++) {
    const coord = alongY ? pose.yMm : pose.xMm;
    const ulp = Math.max(Math.abs(coord), 1) * Number.EPSILON;
    // Toward the asked side: a larger margin when it should be in, smaller when out.
    pose = shifted(pose, ((wantIn ? 1 : -1) * ulp * (1 + k)) / slope);
  }
  return pose;
}
